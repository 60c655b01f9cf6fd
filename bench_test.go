package aio_test

// Hot-path benchmarks: go test -bench . -run XXX -benchtime=1s
// (docs/PERFORMANCE.md has the recorded numbers). The workloads of the
// cross-runtime comparison are in cmd/aiobench. Every benchmark checks its
// result, so a broken fast path fails instead of looking fast.

import (
	"fmt"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// One op: spawn a task that returns i, await it.
func BenchmarkSpawnAwait(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		s, n := 0, 0
		for ; b.Loop(); n++ {
			i := n
			v, err := aio.Spawn(ctx, func(*aio.Context) (int, error) { return i, nil }).Await(ctx)
			if err != nil {
				return err
			}
			s += v
		}
		return checkSum(s, n)
	})
}

// One op: Sleep(ctx, 0), a yield to the loop with nothing else ready.
func BenchmarkSleepZero(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		for b.Loop() {
			if err := aio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		return nil
	})
}

// One op: Sleep(ctx, 0) of the measuring task while a second task also
// loops on Sleep(ctx, 0), so another task is always ready: every yield is
// a real switch to the other task and back (no inline resume).
func BenchmarkSleepZeroWithAnotherTaskReady(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		stop, other := false, 0
		peer := aio.Go(ctx, func(ctx *aio.Context) error {
			for !stop {
				if err := aio.Sleep(ctx, 0); err != nil {
					return err
				}
				other++
			}
			return nil
		})
		n := 0
		for ; b.Loop(); n++ {
			if err := aio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		stop = true
		if _, err := peer.Await(ctx); err != nil {
			return err
		}
		// The two tasks alternate, so the peer yielded about as often.
		if other < n-1 || other > n+1 {
			return fmt.Errorf("peer yielded %d times while the main task yielded %d", other, n)
		}
		return nil
	})
}

// One op: a new future resolved by a CallSoon callback while the task
// awaits it (suspend, callback, wake-up, resume).
func BenchmarkFutureAwaitResolvedByCallback(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		l := ctx.Loop()
		s, n := 0, 0
		for ; b.Loop(); n++ {
			f := aio.NewFuture[int](ctx)
			i := n
			l.CallSoon(func() { _ = f.SetResult(i) })
			v, err := f.Await(ctx)
			if err != nil {
				return err
			}
			s += v
		}
		return checkSum(s, n)
	})
}

// One op: new future, SetResult, Await on the done future (no suspension).
func BenchmarkFutureResolveThenAwait(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		s, n := 0, 0
		for ; b.Loop(); n++ {
			f := aio.NewFuture[int](ctx)
			if err := f.SetResult(n); err != nil {
				return err
			}
			v, err := f.Await(ctx)
			if err != nil {
				return err
			}
			s += v
		}
		return checkSum(s, n)
	})
}

// One op: a round trip through two queues of capacity 1 between the main
// task and an echo task (2 Puts, 2 Gets, 2 task switches).
func BenchmarkQueuePingPong(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		ping, pong := aio.NewQueue[int](1), aio.NewQueue[int](1)
		echo := aio.Go(ctx, func(ctx *aio.Context) error {
			for {
				v, err := ping.Get(ctx)
				if err != nil {
					return err
				}
				if v < 0 {
					return nil
				}
				if err := pong.Put(ctx, v); err != nil {
					return err
				}
			}
		})
		s, n := 0, 0
		for ; b.Loop(); n++ {
			if err := ping.Put(ctx, n); err != nil {
				return err
			}
			v, err := pong.Get(ctx)
			if err != nil {
				return err
			}
			s += v
		}
		if err := ping.Put(ctx, -1); err != nil {
			return err
		}
		if _, err := echo.Await(ctx); err != nil {
			return err
		}
		return checkSum(s, n)
	})
}

// One op: one item through queue_pipeline's queue (capacity 100, one
// producer, 4 consumers, TaskDone, Join at the end).
func BenchmarkQueuePipeline(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](100)
		ws := make([]*aio.Task[int], 4)
		for k := range ws {
			ws[k] = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
				s := 0
				for {
					v, err := q.Get(ctx)
					if err != nil {
						return s, nil // cancelled by the producer
					}
					s += v
					if err := q.TaskDone(); err != nil {
						return s, err
					}
				}
			})
		}
		n := 0
		for ; b.Loop(); n++ {
			if err := q.Put(ctx, n); err != nil {
				return err
			}
		}
		if err := q.Join(ctx); err != nil {
			return err
		}
		for _, w := range ws {
			w.Cancel("")
		}
		sums, err := aio.Gather(ctx, ws...)
		if err != nil {
			return err
		}
		s := 0
		for _, v := range sums {
			s += v
		}
		return checkSum(s, n)
	})
}

// One op: CallSoon + running the callback (a callback chain, no tasks).
func BenchmarkCallSoon(b *testing.B) {
	b.ReportAllocs()
	l := aio.NewLoop()
	n := 0
	var step func()
	step = func() {
		if b.Loop() {
			n++
			l.CallSoon(step)
		} else {
			l.Stop()
		}
	}
	l.CallSoon(step)
	if err := l.RunForever(); err != nil {
		b.Fatal(err)
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("%d callbacks ran, b.N = %d", n, b.N)
	}
}

// One op: CallLater + firing it, with 1000 timers pending at all times
// (pseudo-random delays up to 1 ms; virtual clock, so no real waiting).
func BenchmarkCallLaterFire(b *testing.B) {
	b.ReportAllocs()
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	x := uint32(2463534242)
	delay := func() time.Duration {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return time.Duration(1+x%1000) * time.Microsecond
	}
	fired, done := 0, false
	var fire func()
	fire = func() {
		if done {
			return
		}
		fired++
		if b.Loop() {
			l.CallLater(delay(), fire)
		} else {
			done = true
			l.Stop()
		}
	}
	for range 1000 {
		l.CallLater(delay(), fire)
	}
	if err := l.RunForever(); err != nil {
		b.Fatal(err)
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	if fired != b.N+1 {
		b.Fatalf("%d timers fired, want b.N+1 = %d", fired, b.N+1)
	}
}

// One op: Sleep(ctx, d) with d > 0 on the virtual clock (timer push, clock
// advance, fire, wake-up).
func BenchmarkSleepTimer(b *testing.B) {
	clk := aio.NewVirtualClock(time.Time{})
	start := clk.Now()
	n := 0
	runBench(b, func(ctx *aio.Context) error {
		for ; b.Loop(); n++ {
			if err := aio.Sleep(ctx, time.Microsecond); err != nil {
				return err
			}
		}
		return nil
	}, aio.WithClock(clk))
	if got := clk.Now().Sub(start); got < time.Duration(n)*time.Microsecond {
		b.Fatalf("virtual time advanced %v for %d sleeps of 1µs", got, n)
	}
}

// One op: spawn 1000 tasks that each yield once and return i, then Gather
// them (gather_many with N = 1000); also reported per task.
func BenchmarkGather1000(b *testing.B) {
	const k = 1000
	runBench(b, func(ctx *aio.Context) error {
		ts := make([]*aio.Task[int], k)
		for b.Loop() {
			for i := range ts {
				ts[i] = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
					if err := aio.Sleep(ctx, 0); err != nil {
						return 0, err
					}
					return i, nil
				})
			}
			res, err := aio.Gather(ctx, ts...)
			if err != nil {
				return err
			}
			s := 0
			for _, v := range res {
				s += v
			}
			if err := checkSum(s, k); err != nil {
				return err
			}
		}
		return nil
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/task")
}

// One op: open a WithTimeout scope (its timer queued) and cancel it, as a
// server does per request, then yield once so that the loop's side of the
// cancellation (the posted release) runs in the measured time.
func BenchmarkScopeOpenAndCancel(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		for b.Loop() {
			sctx, cancel := aio.WithTimeout(ctx, time.Minute)
			cancel()
			if sctx.Err() == nil {
				return fmt.Errorf("the scope is not cancelled")
			}
			if err := aio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		return nil
	})
}
