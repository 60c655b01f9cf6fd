package aio_test

import (
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/asyncgo/aio"
)

// liveBytes returns the bytes of live heap objects plus goroutine stacks,
// after a GC.
func liveBytes() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

const parkedN = 100_000

// BenchmarkSuspendedTaskMemory reports the live bytes (heap + stack) per
// task of 100,000 tasks parked on one future, beside the same for plain
// goroutines parked on one channel (the floor of stackful coroutines).
func BenchmarkSuspendedTaskMemory(b *testing.B) {
	var perTask, perGoroutine float64
	for b.Loop() {
		// Plain goroutines parked on a channel.
		base := liveBytes()
		ch := make(chan struct{})
		done := make(chan struct{}, parkedN)
		for range parkedN {
			go func() { <-ch; done <- struct{}{} }()
		}
		perGoroutine = float64(liveBytes()-base) / parkedN
		close(ch)
		for range parkedN {
			<-done
		}

		// aio tasks parked on a future.
		l := aio.NewLoop(aio.WithDebug(false))
		f := aio.NewFuture[int](l)
		main := aio.Go(l, func(ctx *aio.Context) error {
			tasks := make([]*aio.Task[int], parkedN)
			for i := range tasks {
				tasks[i] = aio.Spawn(ctx, f.Await)
			}
			if err := aio.Sleep(ctx, 0); err != nil { // every task parks
				return err
			}
			perTask = float64(liveBytes()-base) / parkedN
			f.SetResult(1)
			_, err := aio.Gather(ctx, tasks...)
			return err
		})
		if err := l.RunUntilComplete(main); err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	b.ReportMetric(perTask, "B/task")
	b.ReportMetric(perGoroutine, "B/goroutine")
	b.ReportMetric(perTask/perGoroutine, "task/goroutine")
}
