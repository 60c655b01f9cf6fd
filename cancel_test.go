package aio_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// scRun runs main with aio.Run on a virtual clock and fails the test if
// main fails or anything reaches the exception handler (an error nobody
// retrieved, a panicking callback, ...).
func scRun(t *testing.T, main func(ctx *aio.Context) error) {
	t.Helper()
	err := aio.Run(main,
		aio.WithClock(aio.NewVirtualClock(time.Time{})),
		aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
			t.Errorf("exception handler called: %s: %v", ec.Message, ec.Err)
		}))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// scProbe schedules a callback and returns a function reporting whether
// it has run, that is whether the calling task yielded to the loop since.
func scProbe(ctx *aio.Context) (yielded func() bool) {
	ran := false
	ctx.Loop().CallSoon(func() { ran = true })
	return func() bool { return ran }
}

// scElapsed returns the loop time passed since start.
func scElapsed(ctx *aio.Context, start time.Time) time.Duration {
	return ctx.Loop().Time().Sub(start)
}

func TestCancelIsLevelTriggeredEveryAwaitFailsUntilTheTaskReturns(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var errs []error
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			// Swallow every error and carry on: nothing may wait.
			errs = append(errs, aio.Sleep(ctx, time.Hour))
			errs = append(errs, aio.Sleep(ctx, time.Hour))
			errs = append(errs, aio.Sleep(ctx, 0))
			_, err := aio.NewFuture[int](ctx).Await(ctx)
			errs = append(errs, err)
			_, err = aio.NewQueue[int](0).Get(ctx)
			errs = append(errs, err)
			return nil
		})
		if err := aio.Sleep(ctx, 0); err != nil { // let it park in the first Sleep
			return err
		}
		task.Cancel("stop")
		if err := task.Err(); err != aio.ErrInvalidState {
			t.Fatalf("task finished before it could see the cancellation: %v", err)
		}
		if _, err := task.Await(ctx); err != nil {
			t.Errorf("task that swallowed its cancellation: Await = %v, want nil", err)
		}
		if len(errs) != 5 {
			t.Fatalf("got %d await results, want 5", len(errs))
		}
		for i, err := range errs {
			var ce *aio.CancelledError
			if !errors.As(err, &ce) || ce.Message != "stop" {
				t.Errorf("await %d after Cancel returned %v, want *CancelledError(stop)", i, err)
			}
		}
		if d := scElapsed(ctx, start); d != 0 {
			t.Errorf("a cancelled task waited %v", d)
		}
		return nil
	})
}

func TestCancelErrorIsContextCanceledAndCarriesTheMessage(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		var inner error
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			inner = aio.Sleep(ctx, time.Hour)
			if ctx.Err() != context.Canceled {
				t.Errorf("ctx.Err() = %v, want exactly context.Canceled", ctx.Err())
			}
			if ctx.Cause() != inner {
				t.Errorf("ctx.Cause() = %v, want the error awaits return (%v)", ctx.Cause(), inner)
			}
			return inner
		})
		aio.Sleep(ctx, 0)
		if !task.Cancel("shutting down") {
			t.Error("Cancel of a pending task returned false")
		}
		_, err := task.Await(ctx)
		for _, e := range []error{inner, err} {
			if !errors.Is(e, context.Canceled) || errors.Is(e, context.DeadlineExceeded) {
				t.Errorf("error %v: want context.Canceled only", e)
			}
			var ce *aio.CancelledError
			if !errors.As(e, &ce) || ce.Message != "shutting down" {
				t.Errorf("error %v does not carry the cancel message", e)
			}
		}
		if !task.Cancelled() {
			t.Error("task that returned its cancellation is not Cancelled()")
		}
		if task.Cancel("again") {
			t.Error("Cancel of a done task returned true")
		}
		return nil
	})
}

// Cancelling the task awaiting Shield ends that await at once with the
// caller's cancellation; the shielded task carries on and completes.
// CPython: BaseTaskTests.test_shield_cancel_outer in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestShieldReturnsAtOnceWhenTheCallerIsCancelledWhileTheInnerTaskCompletes(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 7, aio.Sleep(ctx, time.Second)
		})
		outer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return aio.Shield(ctx, inner)
		})
		start := ctx.Loop().Time()
		aio.Sleep(ctx, 0)
		outer.Cancel("outer")
		_, err := outer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "outer" {
			t.Errorf("shielded await after cancel = %v, want the caller's cancellation", err)
		}
		if d := scElapsed(ctx, start); d != 0 || inner.Done() {
			t.Errorf("Shield waited %v for the inner task (inner done: %v)", d, inner.Done())
		}
		v, err := inner.Await(ctx)
		if v != 7 || err != nil || scElapsed(ctx, start) != time.Second {
			t.Errorf("inner = %v, %v at %v; want 7, nil at 1s", v, err, scElapsed(ctx, start))
		}
		return nil
	})
}

// When the shielded task itself is cancelled, Shield returns that
// cancellation, and the shielding task's own scope stays live.
// CPython: BaseTaskTests.test_shield_cancel_inner in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestShieldReturnsTheCancellationOfTheInnerTask(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 0, aio.Sleep(ctx, time.Hour)
		})
		var outerCtxErr error
		outer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			defer func() { outerCtxErr = ctx.Err() }()
			return aio.Shield(ctx, inner)
		})
		aio.Sleep(ctx, 0)
		inner.Cancel("inner")
		_, err := outer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "inner" {
			t.Errorf("Shield of a cancelled task = %v, want its cancellation", err)
		}
		if outerCtxErr != nil {
			t.Errorf("the shielding task's own scope was cancelled: %v", outerCtxErr)
		}
		return nil
	})
}

// Shield of a future that is already done returns its outcome without
// yielding to the loop.
// CPython: BaseTaskTests.test_shield_shortcut in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestShieldOfADoneFutureReturnsItsResultWithoutYielding(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		ok := aio.NewFuture[string](ctx)
		ok.SetResult("v")
		boom := errors.New("boom")
		bad := aio.NewFuture[string](ctx)
		bad.SetError(boom)

		yielded := scProbe(ctx)
		v, err := aio.Shield(ctx, ok)
		_, err2 := aio.Shield(ctx, bad)
		if yielded() {
			t.Error("Shield of a done future yielded")
		}
		if v != "v" || err != nil || err2 != boom {
			t.Errorf("Shield = (%q, %v) and (_, %v); want (v, nil) and boom", v, err, err2)
		}
		return nil
	})
}

// On timeout WaitFor cancels the inner task and returns the *TimeoutError
// only once that task has finished handling its cancellation; the error's
// Cause is the inner cancellation.
// CPython: AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForTimesOutOnlyAfterTheInnerTaskFinishedItsCleanup(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			err := aio.Sleep(ctx, time.Hour)
			aio.Sleep(aio.WithoutCancel(ctx), 2*time.Second) // cleanup
			return 0, err
		})
		_, err := aio.WaitFor(ctx, inner, time.Second)
		if d := scElapsed(ctx, start); d != 3*time.Second || !inner.Done() {
			t.Errorf("WaitFor returned after %v (inner done: %v), want 3s with inner done", d, inner.Done())
		}
		var te *aio.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitFor = %v, want a *TimeoutError", err)
		}
		if !errors.Is(te.Cause, context.Canceled) || !inner.Cancelled() {
			t.Errorf("TimeoutError.Cause = %v (inner cancelled: %v), want the inner cancellation", te.Cause, inner.Cancelled())
		}
		if ctx.Err() != nil {
			t.Errorf("the caller's scope was cancelled: %v", ctx.Err())
		}
		return nil
	})
}

// An inner task that swallows the timeout's cancellation and returns a value
// makes WaitFor return that value, not a timeout.
// CPython: AsyncioWaitForTest.test_wait_for_cancel_suppressed in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForReturnsTheValueOfAnInnerTaskThatSuppressesCancellation(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			if aio.Sleep(ctx, time.Hour) != nil {
				return 42, nil
			}
			return 1, nil
		})
		v, err := aio.WaitFor(ctx, inner, time.Second)
		if v != 42 || err != nil {
			t.Errorf("WaitFor = %v, %v; want 42, nil", v, err)
		}
		return nil
	})
}

// An error the inner task returns while handling the timeout's cancellation
// reaches the WaitFor caller instead of the timeout.
// CPython: AsyncioWaitForTest.test_wait_for_reraises_exception_during_cancellation in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForReturnsTheErrorTheInnerTaskRaisesWhileCancelled(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		boom := errors.New("cleanup failed")
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			if aio.Sleep(ctx, time.Hour) != nil {
				return 0, boom
			}
			return 1, nil
		})
		_, err := aio.WaitFor(ctx, inner, time.Second)
		if !errors.Is(err, boom) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitFor = %v, want %v instead of a timeout", err, boom)
		}
		return nil
	})
}

// WaitFor with a zero or negative timeout returns the outcome of a done
// future without yielding; a pending task is cancelled before its body ever
// runs, and the caller gets a timeout.
// CPython: AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_future_done and
// test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForWithNoTimeLeft(t *testing.T) {
	for _, timeout := range []time.Duration{0, -time.Second} {
		scRun(t, func(ctx *aio.Context) error {
			done := aio.NewFuture[int](ctx)
			done.SetResult(3)
			yielded := scProbe(ctx)
			if v, err := aio.WaitFor(ctx, done, timeout); v != 3 || err != nil || yielded() {
				t.Errorf("WaitFor(done, %v) = %v, %v (yielded: %v); want 3, nil without yielding", timeout, v, err, yielded())
			}

			ran := false
			task := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { ran = true; return 1, nil })
			_, err := aio.WaitFor(ctx, task, timeout)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("WaitFor(pending, %v) = %v, want a timeout", timeout, err)
			}
			if ran || !task.Cancelled() {
				t.Errorf("timeout %v: task body ran: %v, task cancelled: %v; want false, true", timeout, ran, task.Cancelled())
			}
			return nil
		})
	}
}

// A timeout too large to represent (asyncio's timeout=None) waits as long as
// the inner task takes.
// CPython: WaitForShieldTests.test_none_timeout in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForWithoutDeadlineWaitsIndefinitely(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 5, aio.Sleep(ctx, 1000*time.Hour)
		})
		v, err := aio.WaitFor(ctx, inner, time.Duration(math.MaxInt64))
		if v != 5 || err != nil {
			t.Errorf("WaitFor(no deadline) = %v, %v; want 5, nil", v, err)
		}
		return nil
	})
}

// Cancelling the task that awaits WaitFor cancels the inner task too.
// CPython: AsyncioWaitForTest.test_cancel_wait_for in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestCancellingTheWaitForCallerCancelsTheInnerTask(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 0, aio.Sleep(ctx, time.Hour)
		})
		outer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return aio.WaitFor(ctx, inner, time.Minute)
		})
		aio.Sleep(ctx, 0)
		outer.Cancel("outer")
		_, err := outer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "outer" || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("cancelled WaitFor = %v, want the caller's cancellation", err)
		}
		if !inner.Cancelled() {
			t.Errorf("inner task not cancelled: %v", inner)
		}
		return nil
	})
}

// asyncio's wait_for(shield(t), timeout) is Shield inside a timeout scope:
// the scope expires, the shielded task keeps running.
// CPython: WaitForShieldTests.test_shielded_timeout in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestShieldInsideAnExpiredTimeoutLeavesTheInnerTaskRunning(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 9, aio.Sleep(ctx, 2*time.Second)
		})
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := aio.Shield(tctx, inner); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shield in an expired scope = %v, want a timeout", err)
		}
		if inner.Done() {
			t.Fatal("the shielded task finished early")
		}
		if v, err := inner.Await(ctx); v != 9 || err != nil {
			t.Errorf("shielded task = %v, %v; want 9, nil", v, err)
		}
		return nil
	})
}

// A cancellation of the caller that arrives just after the inner result is
// not lost: WaitFor returns the cancellation (CPython gh-86296).
// CPython: AsyncioWaitForTest.test_wait_for_issue86296 in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForDoesNotSwallowACancellationThatRacesWithCompletion(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		outer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return aio.WaitFor(ctx, f, time.Hour)
		})
		aio.Sleep(ctx, 0)
		// The result arrives, then the caller is cancelled before it resumes.
		f.SetResult(1)
		outer.Cancel("late")
		_, err := outer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "late" {
			t.Errorf("WaitFor = %v, want the caller's cancellation", err)
		}
		return nil
	})
}

// A result that arrives just before the deadline is returned, not a timeout.
// CPython: AsyncioWaitForTest.test_wait_for_race_condition in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForReturnsAResultThatArrivesJustBeforeTheDeadline(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 4, aio.Sleep(ctx, time.Second-time.Nanosecond)
		})
		if v, err := aio.WaitFor(ctx, inner, time.Second); v != 4 || err != nil {
			t.Errorf("WaitFor = %v, %v; want 4, nil", v, err)
		}
		return nil
	})
}

// An expired WithTimeout scope fails the awaits inside it with a
// *TimeoutError (context.DeadlineExceeded), reports its deadline, and leaves
// the enclosing scope, and so the rest of the body, running.
// CPython: TimeoutTests.test_timeout_basic and test_reschedule in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestWithTimeoutScopeExpiresWithDeadlineExceededAndLeavesTheBodyRunning(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		tctx, cancel := aio.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if dl, ok := tctx.Deadline(); !ok || !dl.Equal(start.Add(3*time.Second)) {
			t.Errorf("Deadline() = %v, %v; want %v, true", dl, ok, start.Add(3*time.Second))
		}
		if _, ok := ctx.Deadline(); ok {
			t.Error("the task's root scope reports a deadline")
		}
		err := aio.Sleep(tctx, time.Hour)
		var te *aio.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			t.Errorf("Sleep in expired scope = %v, want a *TimeoutError only", err)
		}
		if d := scElapsed(ctx, start); d != 3*time.Second {
			t.Errorf("scope expired after %v, want 3s", d)
		}
		if tctx.Err() != context.DeadlineExceeded || tctx.Cause() != err {
			t.Errorf("tctx.Err() = %v, Cause() = %v", tctx.Err(), tctx.Cause())
		}
		if ctx.Err() != nil {
			t.Errorf("the enclosing scope is cancelled: %v", ctx.Err())
		}
		return aio.Sleep(ctx, time.Second) // the body carries on
	})
}

// A WithDeadline scope reports its deadline and expires exactly at it.
// CPython: TimeoutTests.test_timeout_basic and test_reschedule in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestWithDeadlineScopeExpiresAtTheDeadline(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		at := ctx.Loop().Time().Add(2 * time.Second)
		dctx, cancel := aio.WithDeadline(ctx, at)
		defer cancel()
		if dl, ok := dctx.Deadline(); !ok || !dl.Equal(at) {
			t.Errorf("Deadline() = %v, %v; want %v, true", dl, ok, at)
		}
		if err := aio.Sleep(dctx, time.Second); err != nil {
			t.Errorf("Sleep before the deadline = %v", err)
		}
		if err := aio.Sleep(dctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep across the deadline = %v", err)
		}
		if now := ctx.Loop().Time(); !now.Equal(at) {
			t.Errorf("expired at %v, want %v", now, at)
		}
		return nil
	})
}

// A timeout too large to represent is no deadline at all (asyncio's
// timeout(None)).
// CPython: TimeoutTests.test_timeout_disabled in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestWithTimeoutTooLargeToRepresentNeverFires(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		tctx, cancel := aio.WithTimeout(ctx, time.Duration(math.MaxInt64))
		defer cancel()
		if dl, ok := tctx.Deadline(); ok {
			t.Errorf("Deadline() = %v, true; want no deadline", dl)
		}
		if err := aio.Sleep(tctx, 10000*time.Hour); err != nil {
			t.Errorf("Sleep = %v", err)
		}
		return nil
	})
}

func TestNestedScopeReportsTheEarliestDeadline(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		outer, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		inner, cancel2 := aio.WithTimeout(outer, time.Hour)
		defer cancel2()
		if dl, ok := inner.Deadline(); !ok || !dl.Equal(start.Add(time.Second)) {
			t.Errorf("inner Deadline() = %v, %v; want the outer one", dl, ok)
		}
		return nil
	})
}

// Of nested timeouts only the expired scope fails; the outer body carries on.
// CPython: TimeoutTests.test_nested_timeouts in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestNestedTimeoutsOnlyTheExpiredScopeErrs(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		outer, cancel := aio.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		inner, cancel2 := aio.WithTimeout(outer, time.Second)
		defer cancel2()
		if err := aio.Sleep(inner, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("inner Sleep = %v, want a timeout", err)
		}
		if outer.Err() != nil {
			t.Errorf("outer scope cancelled by the inner timeout: %v", outer.Err())
		}
		if err := aio.Sleep(outer, 2*time.Second); err != nil {
			t.Errorf("outer body after the inner timeout: Sleep = %v", err)
		}
		if d := scElapsed(ctx, start); d != 3*time.Second {
			t.Errorf("elapsed %v, want 3s", d)
		}
		return nil
	})
}

// When the outer of two nested timeouts expires first, the inner scope's
// awaits fail with it.
// CPython: TimeoutTests.test_nested_timeouts_concurrent in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestNestedTimeoutsTheOuterExpiringReachesTheInnerScope(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		outer, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		inner, cancel2 := aio.WithTimeout(outer, time.Hour)
		defer cancel2()
		if err := aio.Sleep(inner, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("inner Sleep = %v, want the outer timeout", err)
		}
		if outer.Err() != context.DeadlineExceeded || inner.Err() != context.DeadlineExceeded {
			t.Errorf("outer.Err() = %v, inner.Err() = %v", outer.Err(), inner.Err())
		}
		return aio.Sleep(ctx, time.Second)
	})
}

// A zero timeout, or a deadline in the past, fails even Sleep(ctx, 0).
// CPython: TimeoutTests.test_timeout_zero_sleep_zero and
// test_timeout_in_the_past_sleep_zero in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestZeroTimeoutFailsEvenSleepZero(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		tctx, cancel := aio.WithTimeout(ctx, 0)
		defer cancel()
		if err := aio.Sleep(tctx, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep(0) in WithTimeout(0) = %v", err)
		}
		past, cancel2 := aio.WithDeadline(ctx, ctx.Loop().Time().Add(-time.Second))
		defer cancel2()
		if err := aio.Sleep(past, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep(0) with a past deadline = %v", err)
		}
		return nil
	})
}

// Cancelling the task inside a timeout scope that has not expired is a
// cancellation, not a timeout.
// CPython: TimeoutTests.test_foreign_cancel_doesnt_timeout_if_not_expired in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestExternalCancelInsideAPendingTimeoutIsACancellationNotATimeout(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		var inner error
		var tctx *aio.Context
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			var cancel aio.CancelFunc
			tctx, cancel = aio.WithTimeout(ctx, time.Hour)
			defer cancel()
			inner = aio.Sleep(tctx, 2*time.Hour)
			return inner
		})
		aio.Sleep(ctx, 0)
		task.Cancel("external")
		task.Await(ctx)
		if !errors.Is(inner, context.Canceled) || errors.Is(inner, context.DeadlineExceeded) {
			t.Errorf("Sleep = %v, want a cancellation, not a timeout", inner)
		}
		if tctx.Err() != context.Canceled {
			t.Errorf("timeout scope Err() = %v, want context.Canceled", tctx.Err())
		}
		return nil
	})
}

// A timeout the task handled leaves Cancelling() where it was.
// CPython: TimeoutTests.test_outer_task_is_not_cancelled in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestAnExpiredTimeoutDoesNotCountAsACancelOfTheTask(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			tctx, cancel := aio.WithTimeout(ctx, time.Second)
			defer cancel()
			aio.Sleep(tctx, time.Hour)
			return aio.Sleep(ctx, time.Second)
		})
		if _, err := task.Await(ctx); err != nil {
			t.Errorf("task = %v", err)
		}
		if task.Cancelling() != 0 || task.Cancelled() {
			t.Errorf("Cancelling() = %d, Cancelled() = %v after a handled timeout", task.Cancelling(), task.Cancelled())
		}
		return nil
	})
}

func TestWithCancelScopeCancelsOnlyItsOwnAwaits(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		cctx, cancel := aio.WithCancel(ctx)
		cancel()
		cancel() // a second call does nothing
		if err := aio.Sleep(cctx, time.Second); !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep in a cancelled scope = %v", err)
		}
		if cctx.Err() != context.Canceled || ctx.Err() != nil {
			t.Errorf("cctx.Err() = %v, ctx.Err() = %v", cctx.Err(), ctx.Err())
		}
		return aio.Sleep(ctx, time.Second)
	})
}

func TestWithoutCancelLetsCleanupWaitInACancelledTask(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var first, cleanup, timed error
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			first = aio.Sleep(ctx, time.Hour)
			shielded := aio.WithoutCancel(ctx)
			cleanup = aio.Sleep(shielded, 2*time.Second)
			tctx, cancel := aio.WithTimeout(shielded, time.Second)
			defer cancel()
			timed = aio.Sleep(tctx, time.Hour)
			return first
		})
		aio.Sleep(ctx, 0)
		task.Cancel("")
		task.Await(ctx)
		if !errors.Is(first, context.Canceled) || cleanup != nil {
			t.Errorf("first = %v, shielded cleanup = %v; want a cancellation, then nil", first, cleanup)
		}
		if !errors.Is(timed, context.DeadlineExceeded) {
			t.Errorf("timeout inside a shielded scope = %v, want a timeout", timed)
		}
		if d := scElapsed(ctx, start); d != 3*time.Second {
			t.Errorf("cleanup took %v, want 3s", d)
		}
		return nil
	})
}

func TestContextDoneAndErrAreObservableFromAnotherGoroutine(t *testing.T) {
	// watch hands ctx to a goroutine that waits for Done and reports Err
	// back to the loop.
	watch := func(loop *aio.Loop, ctx context.Context, report *aio.Future[error]) {
		go func() {
			<-ctx.Done()
			err := ctx.Err()
			loop.CallSoonThreadsafe(func() { report.SetResult(err) })
		}()
	}
	scRun(t, func(ctx *aio.Context) error {
		loop := ctx.Loop()

		cctx, cancel := aio.WithCancel(ctx)
		canceled := aio.NewFuture[error](ctx)
		watch(loop, cctx, canceled)
		select {
		case <-cctx.Done():
			t.Error("Done closed before cancellation")
		default:
		}
		if cctx.Err() != nil {
			t.Errorf("Err() = %v before cancellation", cctx.Err())
		}
		cancel()
		if err, _ := canceled.Await(ctx); err != context.Canceled {
			t.Errorf("goroutine saw Err() = %v, want exactly context.Canceled", err)
		}

		tctx, cancel2 := aio.WithTimeout(ctx, time.Second)
		defer cancel2()
		expired := aio.NewFuture[error](ctx)
		watch(loop, tctx, expired)
		if err, _ := expired.Await(ctx); err != context.DeadlineExceeded {
			t.Errorf("goroutine saw Err() = %v, want exactly context.DeadlineExceeded", err)
		}

		task := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		root := aio.NewFuture[error](ctx)
		watch(loop, task.Context(), root)
		aio.Sleep(ctx, 0)
		task.Cancel("")
		if err, _ := root.Await(ctx); err != context.Canceled {
			t.Errorf("goroutine saw the task's root Err() = %v, want context.Canceled", err)
		}
		task.Await(ctx)
		return nil
	})
}

type scKey struct{}

func TestContextWorksWithPlainGoContextAPIs(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		cctx, cancel := aio.WithCancel(ctx)
		var std context.Context = cctx
		derived, stop := context.WithTimeout(std, time.Hour)
		defer stop()
		valued := context.WithValue(derived, scKey{}, "v")
		if valued.Value(scKey{}) != "v" || cctx.Value(scKey{}) != nil {
			t.Error("context.WithValue over an aio scope")
		}
		got := aio.NewFuture[error](ctx)
		loop := ctx.Loop()
		go func() {
			<-valued.Done()
			err := valued.Err()
			loop.CallSoonThreadsafe(func() { got.SetResult(err) })
		}()
		cancel()
		if err, _ := got.Await(ctx); err != context.Canceled {
			t.Errorf("derived context Err() = %v, want context.Canceled", err)
		}
		return nil
	})
}

type scBaseKey struct{}

// WithBaseContext makes values reachable through every task's Context, for
// Go APIs that read request-scoped values.
func TestBaseContextValuesReachEveryTask(t *testing.T) {
	base := context.WithValue(context.Background(), scBaseKey{}, "trace-42")
	var got []any
	err := aio.Run(func(ctx *aio.Context) error {
		got = append(got, ctx.Value(scBaseKey{}))
		child := aio.Spawn(ctx, func(ctx *aio.Context) (any, error) {
			sub, cancel := aio.WithTimeout(ctx, time.Second)
			defer cancel()
			return sub.Value(scBaseKey{}), nil
		})
		v, err := child.Await(ctx)
		got = append(got, v)
		return err
	}, aio.WithBaseContext(base))
	if err != nil || len(got) != 2 || got[0] != "trace-42" || got[1] != "trace-42" {
		t.Fatalf("values = %v, %v; want trace-42 twice", got, err)
	}
	aio.Run(func(ctx *aio.Context) error {
		if v := ctx.Value(scBaseKey{}); v != nil {
			t.Errorf("without a base context Value = %v, want nil", v)
		}
		return nil
	})
}
