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

// Wait returns when its mode is satisfied: FirstCompleted as soon as one
// is done, FirstError at the first error or, without one, when all are done.
// A cancellation is not an error for FirstError, as for asyncio's
// FIRST_EXCEPTION. Done and pending keep the order of the input.
// CPython: BaseTaskTests.test_wait_first_completed, test_wait_first_exception
// and test_wait_first_exception_in_wait in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitReturnsWhenItsModeIsSatisfied(t *testing.T) {
	boom := errors.New("boom")
	type job struct {
		after time.Duration
		v     int
		err   error
	}
	for _, tc := range []struct {
		name          string
		mode          aio.WaitOption
		jobs          []job
		cancelAt1s    int // index of a job cancelled after 1s; -1: none
		done, pending []int
		returnsAfter  time.Duration
	}{
		{"first completed returns as soon as one is done", aio.FirstCompleted,
			[]job{{3 * time.Second, 0, nil}, {time.Second, 1, nil}, {2 * time.Second, 2, nil}},
			-1, []int{1}, []int{0, 2}, time.Second},
		{"first error returns at the first error", aio.FirstError,
			[]job{{time.Second, 0, nil}, {3 * time.Second, 1, nil}, {2 * time.Second, 0, boom}},
			-1, []int{0, 2}, []int{1}, 2 * time.Second},
		{"first error without errors waits for all", aio.FirstError,
			[]job{{2 * time.Second, 0, nil}, {time.Second, 1, nil}},
			-1, []int{0, 1}, nil, 2 * time.Second},
		{"first error does not stop at a cancelled task", aio.FirstError,
			[]job{{time.Second, 0, nil}, {3 * time.Second, 1, nil}, {2 * time.Second, 2, nil}},
			1, []int{0, 1, 2}, nil, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runVirtual(t, func(ctx *aio.Context) error {
				start := ctx.Loop().Time()
				var ts []*aio.Task[int]
				for _, j := range tc.jobs {
					ts = append(ts, spawnAfter(ctx, j.after, j.v, j.err))
				}
				if tc.cancelAt1s >= 0 {
					ctx.Loop().CallLater(time.Second, func() { ts[tc.cancelAt1s].Cancel("stop") })
				}
				pick := func(idx []int) (out []*aio.Task[int]) {
					for _, i := range idx {
						out = append(out, ts[i])
					}
					return out
				}
				done, pending, err := aio.Wait(ctx, ts, tc.mode)
				if err != nil || !slices.Equal(done, pick(tc.done)) || !slices.Equal(pending, pick(tc.pending)) {
					t.Errorf("Wait = %v, %v, %v; want done %v, pending %v", done, pending, err, tc.done, tc.pending)
				}
				if d := elapsedSince(ctx, start); d != tc.returnsAfter {
					t.Errorf("Wait returned after %v, want %v", d, tc.returnsAfter)
				}
				for i, j := range tc.jobs {
					if j.err != nil && ts[i].Err() != j.err {
						t.Errorf("failed task %d: %v, want %v", i, ts[i].Err(), j.err)
					}
				}
				if tc.cancelAt1s >= 0 && !ts[tc.cancelAt1s].Cancelled() {
					t.Errorf("task %d should be cancelled: %v", tc.cancelAt1s, ts[tc.cancelAt1s])
				}
				for _, p := range pick(tc.pending) {
					if _, err := p.Await(ctx); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
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
