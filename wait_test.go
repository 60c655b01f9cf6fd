package aio_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Wait with FirstCompleted returns as soon as one is done.
// CPython: BaseTaskTests.test_wait_first_completed in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitFirstCompletedReturnsAsSoonAsOneIsDone(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ts := []*aio.Task[int]{
			spawnAfter(ctx, 3*time.Second, 0, nil),
			spawnAfter(ctx, time.Second, 1, nil),
			spawnAfter(ctx, 2*time.Second, 2, nil),
		}
		done, pending, err := aio.Wait(ctx, ts, aio.FirstCompleted)
		if err != nil || !slices.Equal(done, ts[1:2]) || !slices.Equal(pending, []*aio.Task[int]{ts[0], ts[2]}) {
			t.Errorf("Wait = %v, %v, %v; want [t1], [t0 t2]", done, pending, err)
		}
		if d := elapsedSince(ctx, start); d != time.Second {
			t.Errorf("Wait returned after %v, want 1s", d)
		}
		_, err = aio.Gather(ctx, ts...)
		return err
	})
}

// Wait with FirstError returns at the first error.
// CPython: BaseTaskTests.test_wait_first_exception in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitFirstErrorReturnsAtTheFirstError(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		boom := errors.New("boom")
		ts := []*aio.Task[int]{
			spawnAfter(ctx, time.Second, 0, nil),
			spawnAfter(ctx, 3*time.Second, 1, nil),
			spawnAfter(ctx, 2*time.Second, 0, boom),
		}
		done, pending, err := aio.Wait(ctx, ts, aio.FirstError)
		if err != nil || !slices.Equal(done, []*aio.Task[int]{ts[0], ts[2]}) || !slices.Equal(pending, ts[1:2]) {
			t.Errorf("Wait = %v, %v, %v; want [t0 t2], [t1]", done, pending, err)
		}
		if d := elapsedSince(ctx, start); d != 2*time.Second {
			t.Errorf("Wait returned after %v, want 2s", d)
		}
		if ts[2].Err() != boom {
			t.Errorf("failed task: %v", ts[2].Err())
		}
		_, err = ts[1].Await(ctx)
		return err
	})
}

// Wait with FirstError and no error waits for all, like AllCompleted.
// CPython: BaseTaskTests.test_wait_first_exception_in_wait in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitFirstErrorWithoutErrorsWaitsForAll(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ts := []*aio.Task[int]{
			spawnAfter(ctx, 2*time.Second, 0, nil),
			spawnAfter(ctx, time.Second, 1, nil),
		}
		done, pending, err := aio.Wait(ctx, ts, aio.FirstError)
		if err != nil || !slices.Equal(done, ts) || len(pending) != 0 {
			t.Errorf("Wait = %v, %v, %v; want all done", done, pending, err)
		}
		if d := elapsedSince(ctx, start); d != 2*time.Second {
			t.Errorf("Wait returned after %v, want 2s", d)
		}
		return nil
	})
}

// As for asyncio's FIRST_EXCEPTION, a cancellation is not an error for
// FirstError.
// CPython: BaseTaskTests.test_wait_first_exception in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitFirstErrorDoesNotStopAtACancelledTask(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ts := []*aio.Task[int]{
			spawnAfter(ctx, time.Second, 0, nil),
			spawnAfter(ctx, 3*time.Second, 1, nil),
		}
		ctx.Loop().CallLater(time.Second, func() { ts[1].Cancel("stop") })
		extra := spawnAfter(ctx, 2*time.Second, 2, nil)
		ts = append(ts, extra)
		done, pending, err := aio.Wait(ctx, ts, aio.FirstError)
		if err != nil || len(done) != 3 || len(pending) != 0 {
			t.Errorf("Wait = %v, %v, %v; want all three done", done, pending, err)
		}
		if d := elapsedSince(ctx, start); d != 2*time.Second {
			t.Errorf("Wait returned after %v, want 2s (the cancellation at 1s must not end it)", d)
		}
		if !ts[1].Cancelled() {
			t.Errorf("ts[1] should be cancelled: %v", ts[1])
		}
		return nil
	})
}

// Wait with a timeout neither fails nor cancels: what is unfinished is
// returned as pending.
// CPython: BaseTaskTests.test_wait_with_timeout in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitTimeoutNeitherFailsNorCancels(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		fast := spawnAfter(ctx, time.Second, 0, nil)
		slow := spawnAfter(ctx, time.Hour, 1, nil)
		done, pending, err := aio.Wait(ctx, []*aio.Task[int]{fast, slow}, aio.WaitTimeout(2*time.Second))
		if err != nil || !slices.Equal(done, []*aio.Task[int]{fast}) || !slices.Equal(pending, []*aio.Task[int]{slow}) {
			t.Errorf("Wait = %v, %v, %v; want [fast], [slow], nil", done, pending, err)
		}
		if d := elapsedSince(ctx, start); d != 2*time.Second {
			t.Errorf("Wait returned after %v, want 2s", d)
		}
		if slow.Done() {
			t.Errorf("the pending task was touched: %v", slow)
		}
		if ctx.Err() != nil {
			t.Errorf("the caller's scope is cancelled: %v", ctx.Err())
		}
		_, err = slow.Await(ctx)
		return err
	})
}

// Wait rejects an empty set.
// CPython: BaseTaskTests.test_wait_errors in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitRejectsAnEmptySet(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		if _, _, err := aio.Wait(ctx, []*aio.Task[int]{}); err != aio.ErrEmptyWait {
			t.Errorf("Wait(empty) = %v, want ErrEmptyWait", err)
		}
		if _, _, err := aio.Wait[aio.Waitable](ctx, nil); err != aio.ErrEmptyWait {
			t.Errorf("Wait(nil) = %v, want ErrEmptyWait", err)
		}
		return nil
	})
}

// Wait counts an awaitable passed twice once.
// CPython: BaseTaskTests.test_wait_duplicate_coroutines in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitCollapsesDuplicates(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		a := spawnAfter(ctx, time.Second, 0, nil)
		b := aio.NewFuture[int](ctx)
		b.SetResult(1)
		done, pending, err := aio.Wait(ctx, []aio.Waitable{a, b, a, b, a})
		if err != nil || len(pending) != 0 || len(done) != 2 || done[0] != aio.Waitable(a) || done[1] != aio.Waitable(b) {
			t.Errorf("Wait = %v, %v, %v; want [a b] once each, in input order", done, pending, err)
		}
		return nil
	})
}

func TestWaitWithZeroTimeoutChecksWithoutWaiting(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		ready := aio.NewFuture[int](ctx)
		ready.SetResult(1)
		later := aio.NewFuture[int](ctx)
		fs := []*aio.Future[int]{later, ready}
		for _, d := range []time.Duration{0, -time.Second} {
			yielded := yieldProbe(ctx)
			done, pending, err := aio.Wait(ctx, fs, aio.WaitTimeout(d))
			if yielded() {
				t.Errorf("WaitTimeout(%v) yielded", d)
			}
			if err != nil || !slices.Equal(done, fs[1:]) || !slices.Equal(pending, fs[:1]) {
				t.Errorf("WaitTimeout(%v): Wait = %v, %v, %v; want [ready], [later]", d, done, pending, err)
			}
		}
		if later.Done() {
			t.Error("Wait cancelled a pending future")
		}
		return nil
	})
}

func TestWaitReturnsTheCallersCancellation(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			_, _, err := aio.Wait(ctx, []*aio.Future[int]{f}, aio.WaitTimeout(time.Hour))
			return err
		})
		aio.Sleep(ctx, 0)
		waiter.Cancel("bye")
		_, err := waiter.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "bye" {
			t.Errorf("cancelled Wait = %v, want the cancellation", err)
		}
		if f.Done() {
			t.Error("Wait cancelled the future it waited for")
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
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			err := aio.Sleep(ctx, time.Hour)
			aio.Sleep(aio.WithoutCancel(ctx), 2*time.Second) // cleanup
			return 0, err
		})
		_, err := aio.WaitFor(ctx, inner, time.Second)
		if d := elapsedSince(ctx, start); d != 3*time.Second || !inner.Done() {
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
	runVirtual(t, func(ctx *aio.Context) error {
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
	runVirtual(t, func(ctx *aio.Context) error {
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
		runVirtual(t, func(ctx *aio.Context) error {
			done := aio.NewFuture[int](ctx)
			done.SetResult(3)
			yielded := yieldProbe(ctx)
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
	runVirtual(t, func(ctx *aio.Context) error {
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
	runVirtual(t, func(ctx *aio.Context) error {
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

// A cancellation of the caller that arrives just after the inner result is
// not lost: WaitFor returns the cancellation (CPython gh-86296).
// CPython: AsyncioWaitForTest.test_wait_for_issue86296 in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestWaitForDoesNotSwallowACancellationThatRacesWithCompletion(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
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
	runVirtual(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 4, aio.Sleep(ctx, time.Second-time.Nanosecond)
		})
		if v, err := aio.WaitFor(ctx, inner, time.Second); v != 4 || err != nil {
			t.Errorf("WaitFor = %v, %v; want 4, nil", v, err)
		}
		return nil
	})
}
