package aio_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestAwaitingWithAnotherTasksContextPanicsNamingBothTasks(t *testing.T) {
	var got any
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		alpha := aio.Spawn(ctx, f.Await)
		alpha.SetName("alpha")
		beta := aio.Go(ctx, func(*aio.Context) error {
			got = recoverPanic(func() { f.Await(alpha.Context()) })
			return nil
		})
		beta.SetName("beta")
		beta.Await(ctx)
		f.SetResult(1)
		_, err := alpha.Await(ctx)
		return err
	})
	expectMisuse(t, got, aio.ErrNotInTask, "alpha", "beta")
}

// Awaiting outside a task — from a plain callback, or with a nil Context —
// panics with a *MisuseError that names the call or says what is wrong.
func TestAwaitingOutsideATaskPanics(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		inCallback, nilContext bool
		delay                  time.Duration
		sleepWords, awaitWords string
	}{
		{"from a plain callback", true, false, 0, "aio.Sleep", "Future.Await"},
		{"with a nil context", false, true, time.Second, "not nil", "not nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sleepPanic, awaitPanic any
			runVirtual(t, func(ctx *aio.Context) error {
				f := aio.NewFuture[int](ctx)
				use := ctx
				if tc.nilContext {
					use = nil
				}
				try := func() {
					sleepPanic = recoverPanic(func() { aio.Sleep(use, tc.delay) })
					awaitPanic = recoverPanic(func() { f.Await(use) })
				}
				if !tc.inCallback {
					try()
					return nil
				}
				ctx.Loop().CallSoon(try)
				return aio.Sleep(ctx, 0)
			})
			expectMisuse(t, sleepPanic, aio.ErrNotInTask, tc.sleepWords)
			expectMisuse(t, awaitPanic, aio.ErrNotInTask, tc.awaitWords)
		})
	}
}

func TestSpawnOnAClosedLoopPanicsWithErrLoopClosed(t *testing.T) {
	l := aio.NewLoop(virtualClock())
	l.Close()
	ran := false
	r := recoverPanic(func() { aio.Go(l, func(*aio.Context) error { ran = true; return nil }) })
	expectMisuse(t, r, aio.ErrLoopClosed, "aio.Go")
	if ran {
		t.Fatal("the task ran")
	}
}

// Awaiting with a Context whose loop has closed panics with an error that
// wraps ErrLoopClosed (like CallSoon on a closed loop), not a hang.
func TestAwaitingWithTheContextOfAClosedLoopPanicsWithErrLoopClosed(t *testing.T) {
	var kept *aio.Context
	if err := aio.Run(func(ctx *aio.Context) error { kept = ctx; return nil }); err != nil {
		t.Fatal(err)
	}
	r := recoverPanic(func() { aio.Sleep(kept, time.Second) })
	err, ok := r.(error)
	if !ok || !errors.Is(err, aio.ErrLoopClosed) {
		t.Fatalf("recovered %v, want an error wrapping ErrLoopClosed", r)
	}
}

// goWhileLoopIdle runs fn on another goroutine while the loop of ctx is
// blocked waiting for events, and returns what fn panicked with.
func goWhileLoopIdle(ctx *aio.Context, fn func()) any {
	res := make(chan any, 1)
	f := aio.NewFuture[any](ctx)
	go func() {
		for !ctx.Loop().IsPolling() {
			runtime.Gosched()
		}
		res <- recoverPanic(fn)
		f.SetResultThreadsafe(nil)
	}()
	f.Await(ctx)
	return <-res
}

// Loop-bound calls from a goroutine that is not running the loop are caught
// (while the loop waits for events) instead of silently never waking
// anybody; the message names the call and the thread-safe alternative.
func TestLoopBoundCallsFromAnotherGoroutineAreCaught(t *testing.T) {
	cases := []struct {
		op   string
		call func(ctx *aio.Context, f *aio.Future[int], task *aio.Task[struct{}], q *aio.Queue[int]) func()
	}{
		{"Future.SetResult", func(_ *aio.Context, f *aio.Future[int], _ *aio.Task[struct{}], _ *aio.Queue[int]) func() {
			return func() { f.SetResult(1) }
		}},
		{"Future.Cancel", func(_ *aio.Context, f *aio.Future[int], _ *aio.Task[struct{}], _ *aio.Queue[int]) func() {
			return func() { f.Cancel() }
		}},
		{"Task.Cancel", func(_ *aio.Context, _ *aio.Future[int], task *aio.Task[struct{}], _ *aio.Queue[int]) func() {
			return func() { task.Cancel() }
		}},
		{"Queue.PutNowait", func(_ *aio.Context, _ *aio.Future[int], _ *aio.Task[struct{}], q *aio.Queue[int]) func() {
			return func() { q.PutNowait(1) }
		}},
		{"aio.Spawn", func(ctx *aio.Context, _ *aio.Future[int], _ *aio.Task[struct{}], _ *aio.Queue[int]) func() {
			return func() { aio.Spawn(ctx, func(*aio.Context) (int, error) { return 0, nil }) }
		}},
		{"Loop.CallSoon", func(ctx *aio.Context, _ *aio.Future[int], _ *aio.Task[struct{}], _ *aio.Queue[int]) func() {
			return func() { ctx.Loop().CallSoon(func() {}) }
		}},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			err := aio.Run(func(ctx *aio.Context) error {
				f := aio.NewFuture[int](ctx)
				q := aio.NewQueue[int](0)
				getter := aio.Go(ctx, func(ctx *aio.Context) error { _, err := q.Get(ctx); return err })
				task := aio.Go(ctx, func(ctx *aio.Context) error { _, err := f.Await(ctx); return err })
				aio.Sleep(ctx, 0)
				r := goWhileLoopIdle(ctx, c.call(ctx, f, task, q))
				expectMisuse(t, r, aio.ErrWrongGoroutine, c.op, "Threadsafe")
				task.Cancel()
				getter.Cancel()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Debug mode checks every loop-bound call, also while the loop is busy.
func TestDebugModeChecksFutureAndQueueCalls(t *testing.T) {
	l := newLoop(t, aio.WithDebug(true))
	f := aio.NewFuture[int](l)
	q := aio.NewQueue[int](0)
	task := aio.Go(l, func(ctx *aio.Context) error { _, err := q.Get(ctx); return err })
	var got []any
	l.CallSoon(func() {
		ch := make(chan any)
		for _, fn := range []func(){
			func() { f.SetResult(1) },
			func() { f.SetError(errors.New("x")) },
			func() { task.Cancel() },
			func() { q.PutNowait(1) },
		} {
			go func() { ch <- recoverPanic(fn) }()
			got = append(got, <-ch) // the loop is busy here, in this callback
		}
	})
	runOneIteration(t, l)
	for _, r := range got {
		expectMisuse(t, r, aio.ErrWrongGoroutine)
	}
}

// Gather, GatherSettled, Wait, Shield, AsCompleted and WaitFor reject a
// future of another loop, as Await does.
func TestCombinatorsRejectAFutureOfAnotherLoop(t *testing.T) {
	foreign := aio.NewFuture[int](newLoop(t))
	calls := map[string]func(ctx *aio.Context){
		"aio.Gather":        func(ctx *aio.Context) { aio.Gather(ctx, foreign) },
		"aio.GatherSettled": func(ctx *aio.Context) { aio.GatherSettled(ctx, foreign) },
		"aio.Wait":          func(ctx *aio.Context) { aio.Wait(ctx, []*aio.Future[int]{foreign}) },
		"aio.Shield":        func(ctx *aio.Context) { aio.Shield[int](ctx, foreign) },
		"aio.WaitFor":       func(ctx *aio.Context) { aio.WaitFor[int](ctx, foreign, time.Second) },
		"aio.AsCompleted": func(ctx *aio.Context) {
			for range aio.AsCompleted(ctx, foreign) {
			}
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			runVirtual(t, func(ctx *aio.Context) error {
				expectMisuse(t, recoverPanic(func() { call(ctx) }), aio.ErrWrongLoop, op)
				return nil
			})
		})
	}
}

// nil functions are rejected at the call, not with a nil dereference later.
func TestNilFunctionsAreRejectedAtTheCall(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[int](l)
	calls := map[string]func(){
		"Loop.CallSoon":           func() { l.CallSoon(nil) },
		"Loop.CallLater":          func() { l.CallLater(time.Second, nil) },
		"Loop.CallAt":             func() { l.CallAt(time.Time{}, nil) },
		"Loop.CallSoonThreadsafe": func() { l.CallSoonThreadsafe(nil) },
		"aio.Spawn":               func() { aio.Spawn[int](l, nil) },
		"aio.Go":                  func() { aio.Go(l, nil) },
		"aio.Run":                 func() { aio.Run(nil) },
		"Future.AddDoneCallback":  func() { f.AddDoneCallback(nil) },
	}
	for op, call := range calls {
		expectMisuse(t, recoverPanic(call), aio.ErrNilFunc, op)
	}
	runVirtual(t, func(ctx *aio.Context) error {
		expectMisuse(t, recoverPanic(func() { aio.RunTaskGroup(ctx, nil) }), aio.ErrNilFunc, "aio.RunTaskGroup")
		return nil
	})
}

// Zero values fail with a message that says what to call instead.
func TestZeroFutureAndTaskGroupSayWhatToUseInstead(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var f aio.Future[int]
		expectMisuse(t, recoverPanic(func() { f.Await(ctx) }), aio.ErrZeroValue, "NewFuture")
		expectMisuse(t, recoverPanic(func() { f.SetResult(1) }), aio.ErrZeroValue, "NewFuture")
		var g aio.TaskGroup
		expectMisuse(t, recoverPanic(func() { g.Go(func(*aio.Context) error { return nil }) }), aio.ErrZeroValue, "NewTaskGroup")
		expectMisuse(t, recoverPanic(func() { g.Wait() }), aio.ErrZeroValue, "NewTaskGroup")
		return nil
	})
}
