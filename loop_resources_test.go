package aio_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/asyncgo/aio"
)

// Callbacks posted with CallSoonThreadsafe are not kept reachable after
// they ran (the inbox used to keep its drained slices).
func TestPostedCallbacksAreReleasedAfterTheyRan(t *testing.T) {
	var refs []weak.Pointer[[1 << 20]byte]
	err := aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		for range 50 {
			big := new([1 << 20]byte)
			refs = append(refs, weak.Make(big))
			if err := l.CallSoonThreadsafe(func() { big[0]++ }); err != nil {
				return err
			}
		}
		if err := aio.Sleep(ctx, 0); err != nil { // the callbacks run
			return err
		}
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		runtime.GC()
		runtime.GC()
		alive := 0
		for _, r := range refs {
			if r.Value() != nil {
				alive++
			}
		}
		if alive > 0 {
			t.Errorf("%d of 50 posted callbacks' captures are still reachable while the loop runs", alive)
		}
		return nil
	}, virtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

// Removing one of many waiters from a future is O(1): 200,000 shielded
// waiters that all give up finish in well under the time a scan per
// removal would take (minutes).
func TestManyWaitersGiveUpInLinearTime(t *testing.T) {
	if raceEnabled || os.Getenv("AIODEBUG") != "" {
		t.Skip("a timing bound; the race detector and debug mode slow the loop tenfold")
	}
	const n = 200_000
	start := time.Now()
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		tasks := make([]*aio.Task[int], n)
		for i := range tasks {
			tasks[i] = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return aio.Shield[int](ctx, f) })
		}
		aio.Sleep(ctx, 0)
		for _, task := range tasks {
			task.Cancel()
		}
		_, err := aio.GatherSettled(ctx, tasks...)
		return err
	})
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("%d waiters took %v to give up", n, d)
	}
}

// After a burst of tasks the loop releases the idle coroutines it no
// longer needs, keeping a bounded warm set (it used to keep one goroutine
// per task of the burst until Close).
func TestIdleCoroutinesAreReleasedAfterABurst(t *testing.T) {
	l := newLoop(t)
	var left int
	main := aio.Go(l, func(ctx *aio.Context) error {
		tasks := make([]*aio.Task[struct{}], 20_000)
		for i := range tasks {
			tasks[i] = aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Millisecond) })
		}
		if _, err := aio.Gather(ctx, tasks...); err != nil {
			return err
		}
		if n := ctx.Loop().IdleCoroutines(); n < 10_000 {
			t.Errorf("only %d idle coroutines right after the burst", n)
		}
		for range 20 { // quiet for 20 s of loop time
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
		}
		left = ctx.Loop().IdleCoroutines()
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if left > 256 {
		t.Fatalf("%d idle coroutines kept after a quiet period; want a bounded warm set", left)
	}
}

// RunUntilComplete is cheap: no stack dump per call (it used to cost a
// 64 KB buffer to detect a nested run).
func TestRunUntilCompleteIsCheap(t *testing.T) {
	l := newLoop(t)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	const rounds = 200
	for range rounds {
		f := aio.NewFuture[int](l)
		f.SetResult(1)
		if err := l.RunUntilComplete(f); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&ms1)
	if per := (ms1.TotalAlloc - ms0.TotalAlloc) / rounds; per > 2048 {
		t.Fatalf("RunUntilComplete allocates %d bytes per call", per)
	}
}

// A nested run from a task is refused (cheaply detected only when a loop is
// running).
func TestRunFromATaskIsRefused(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		if err := aio.Run(func(*aio.Context) error { return nil }); !errors.Is(err, aio.ErrNestedRun) {
			t.Errorf("nested Run = %v, want ErrNestedRun", err)
		}
		other := aio.NewLoop(virtualClock())
		defer other.Close()
		f := aio.NewFuture[int](other)
		f.SetResult(1)
		if err := other.RunUntilComplete(f); !errors.Is(err, aio.ErrNestedRun) {
			t.Errorf("RunUntilComplete of another loop from a task = %v, want ErrNestedRun", err)
		}
		return context.Cause(ctx)
	})
}

// Loops on different goroutines run at the same time: while one runs,
// another goroutine starts its own loop (aio.Run, and a Loop's
// RunUntilComplete), which is not a nested run. A run from a callback of
// a running loop still is.
func TestLoopsOnTwoGoroutinesRunAtTheSameTime(t *testing.T) {
	bRunning := make(chan struct{})
	var once sync.Once
	running := func() { once.Do(func() { close(bRunning) }) }
	aSaw := make(chan struct{})
	var bErr, cErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		bErr = aio.Run(func(ctx *aio.Context) error {
			running()
			_, _, err := aio.Recv(ctx, aSaw) // both loops run until A has seen B
			return err
		})
		running() // also if B could not run, so that A does not wait forever
		if bErr != nil {
			return
		}
		l := aio.NewLoop()
		defer l.Close()
		f := aio.NewFuture[int](l)
		f.SetResult(1)
		cErr = l.RunUntilComplete(f)
	}()
	err := aio.Run(func(ctx *aio.Context) error {
		if _, _, err := aio.Recv(ctx, bRunning); err != nil {
			return err
		}
		close(aSaw)
		_, _, err := aio.Recv(ctx, done) // the other goroutine's second loop runs while this one does
		return err
	})
	if err != nil || bErr != nil || cErr != nil {
		t.Fatalf("loop A: %v, loop B (aio.Run): %v, loop C (RunUntilComplete): %v; want all nil", err, bErr, cErr)
	}

	l := aio.NewLoop()
	defer l.Close()
	var nested error
	l.CallSoon(func() {
		nested = aio.Run(func(*aio.Context) error { return nil })
		l.Stop()
	})
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(nested, aio.ErrNestedRun) {
		t.Errorf("Run from a callback of a running loop = %v, want ErrNestedRun", nested)
	}
}
