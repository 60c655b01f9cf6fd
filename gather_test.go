package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Gather's results follow the order of its arguments, not completion order.
// CPython: GatherTestsBase.test_success in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestGatherResultsFollowInputOrderNotCompletionOrder(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		f := aio.NewFuture[string](ctx)
		ctx.Loop().CallLater(2*time.Second, func() { f.SetResult("c") })
		aws := []aio.Awaitable[string]{
			spawnAfter(ctx, 3*time.Second, "a", nil),
			spawnAfter(ctx, time.Second, "b", nil),
			f,
		}
		got, err := aio.Gather(ctx, aws...)
		if err != nil || !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Errorf("Gather = %q, %v; want [a b c]", got, err)
		}
		if d := elapsedSince(ctx, start); d != 3*time.Second {
			t.Errorf("Gather returned after %v, want 3s", d)
		}
		return nil
	})
}

// Gather returns the first error and does not cancel the other children.
// CPython: GatherTestsBase.test_one_exception in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestGatherReturnsTheFirstErrorAndLeavesTheOthersRunning(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		errA, errB := errors.New("a"), errors.New("b")
		a := spawnAfter(ctx, 2*time.Second, 0, errA)
		b := spawnAfter(ctx, time.Second, 0, errB)
		c := spawnAfter(ctx, 3*time.Second, 3, nil)
		_, err := aio.Gather(ctx, a, b, c)
		if err != errB {
			t.Errorf("Gather = %v, want the first error in completion order (b)", err)
		}
		if d := elapsedSince(ctx, start); d != time.Second {
			t.Errorf("Gather returned after %v, want 1s", d)
		}
		if a.Done() || c.Done() {
			t.Fatal("Gather waited for the other tasks")
		}
		if _, err := a.Await(ctx); err != errA {
			t.Errorf("a = %v, want its own error", err)
		}
		if v, err := c.Await(ctx); v != 3 || err != nil || c.Cancelled() {
			t.Errorf("c = %v, %v (cancelled: %v); want it to run to completion", v, err, c.Cancelled())
		}
		return nil
	})
}

// GatherSettled (asyncio's return_exceptions=True) returns every outcome,
// cancellations included, in argument order.
// CPython: GatherTestsBase.test_return_exceptions in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestGatherSettledReturnsEveryOutcomeInOrder(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		boom := errors.New("boom")
		ok := spawnAfter(ctx, 3*time.Second, 1, nil)
		bad := spawnAfter(ctx, time.Second, 0, boom)
		cancelled := spawnAfter(ctx, time.Hour, 0, nil)
		ok2 := spawnAfter(ctx, 0, 4, nil)
		aio.Sleep(ctx, 0)
		cancelled.Cancel("stop")
		res, err := aio.GatherSettled(ctx, ok, bad, cancelled, ok2)
		if err != nil || len(res) != 4 {
			t.Fatalf("GatherSettled = %v, %v", res, err)
		}
		var ce *aio.CancelledError
		if res[0] != (aio.Result[int]{Value: 1}) ||
			res[1].Err != boom ||
			!errors.As(res[2].Err, &ce) || ce.Message != "stop" ||
			res[3] != (aio.Result[int]{Value: 4}) {
			t.Errorf("GatherSettled = %+v", res)
		}
		return nil
	})
}

// Cancelling the task awaiting Gather or GatherSettled cancels every
// unfinished child, and the awaiter gets the cancellation.
// CPython: CoroutineGatherTests.test_cancellation_broadcast in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestCancellingAGatherCancelsTheUnfinishedChildren(t *testing.T) {
	for _, settled := range []bool{false, true} {
		runVirtual(t, func(ctx *aio.Context) error {
			start := ctx.Loop().Time()
			done := spawnAfter(ctx, 0, 1, nil)
			plain := spawnAfter(ctx, time.Hour, 2, nil)
			slow := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
				err := aio.Sleep(ctx, time.Hour)
				aio.Sleep(aio.WithoutCancel(ctx), time.Second) // cleanup
				return 3, err
			})
			gatherer := aio.Go(ctx, func(ctx *aio.Context) error {
				if settled {
					_, err := aio.GatherSettled(ctx, done, plain, slow)
					return err
				}
				_, err := aio.Gather(ctx, done, plain, slow)
				return err
			})
			aio.Sleep(ctx, 0)
			aio.Sleep(ctx, 0) // done has finished, the others sleep
			gatherer.Cancel("enough")
			_, err := gatherer.Await(ctx)
			var ce *aio.CancelledError
			if !errors.As(err, &ce) || ce.Message != "enough" {
				t.Errorf("settled=%v: cancelled gather = %v, want the cancellation", settled, err)
			}
			if !plain.Cancelled() || !slow.Cancelled() || done.Cancelled() {
				t.Errorf("settled=%v: cancelled: done %v, plain %v, slow %v; want false, true, true",
					settled, done.Cancelled(), plain.Cancelled(), slow.Cancelled())
			}
			if d := elapsedSince(ctx, start); d != time.Second {
				t.Errorf("settled=%v: gather returned after %v, want 1s (after the children's cleanup)", settled, d)
			}
			return nil
		})
	}
}

// A child cancelled on its own makes Gather return that cancellation; the
// other children keep running.
// CPython: FutureGatherTests.test_one_cancellation in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestGatherFailsWithTheCancellationOfAChildAndLeavesTheOthersRunning(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		a := spawnAfter(ctx, time.Second, 1, nil)
		b := spawnAfter(ctx, time.Hour, 2, nil)
		var gatherErr, ownErr error
		gatherer := aio.Go(ctx, func(ctx *aio.Context) error {
			_, gatherErr = aio.Gather(ctx, a, b)
			ownErr = ctx.Err()
			return nil
		})
		aio.Sleep(ctx, 0)
		b.Cancel("child")
		gatherer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(gatherErr, &ce) || ce.Message != "child" {
			t.Errorf("Gather = %v, want the child's cancellation", gatherErr)
		}
		if ownErr != nil {
			t.Errorf("the gathering task's own scope was cancelled: %v", ownErr)
		}
		if a.Done() {
			t.Fatal("Gather waited for the other child")
		}
		if v, err := a.Await(ctx); v != 1 || err != nil {
			t.Errorf("other child = %v, %v; want 1, nil", v, err)
		}
		return nil
	})
}

// Gather of nothing returns an empty slice without yielding.
// CPython: FutureGatherTests.test_constructor_empty_sequence_without_loop in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestGatherOfNothingReturnsAnEmptySliceWithoutYielding(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		yielded := yieldProbe(ctx)
		got, err := aio.Gather[int, *aio.Task[int]](ctx)
		if got == nil || len(got) != 0 || err != nil || yielded() {
			t.Errorf("Gather() = %#v, %v (yielded %v); want an empty slice at once", got, err, yielded())
		}
		return nil
	})
}

// The same awaitable passed twice is awaited once and its result repeated.
// CPython: CoroutineGatherTests.test_duplicate_coroutines in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestGatherOfTheSameAwaitableTwiceDuplicatesItsResult(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		runs := 0
		task := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			runs++
			return 5, aio.Sleep(ctx, time.Second)
		})
		f := aio.NewFuture[int](ctx)
		ctx.Loop().CallLater(time.Second, func() { f.SetResult(6) })
		got, err := aio.Gather(ctx, []aio.Awaitable[int]{task, f, task, f}...)
		if err != nil || !slices.Equal(got, []int{5, 6, 5, 6}) || runs != 1 {
			t.Errorf("Gather = %v, %v (runs %d); want [5 6 5 6], one run", got, err, runs)
		}
		return nil
	})
}

func TestGatherOfDoneAwaitablesDoesNotYield(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		fs := make([]*aio.Future[int], 3)
		for i := range fs {
			fs[i] = aio.NewFuture[int](ctx)
			fs[i].SetResult(i)
		}
		boom := errors.New("boom")
		bad := aio.NewFuture[int](ctx)
		bad.SetError(boom)

		yielded := yieldProbe(ctx)
		got, err := aio.Gather(ctx, fs...)
		res, serr := aio.GatherSettled(ctx, append(fs, bad)...)
		_, berr := aio.Gather(ctx, append(fs, bad)...)
		if yielded() {
			t.Error("gathering done futures yielded")
		}
		if err != nil || !slices.Equal(got, []int{0, 1, 2}) {
			t.Errorf("Gather = %v, %v", got, err)
		}
		if serr != nil || len(res) != 4 || res[2].Value != 2 || res[3].Err != boom {
			t.Errorf("GatherSettled = %+v, %v", res, serr)
		}
		if berr != boom {
			t.Errorf("Gather with a failed future = %v, want boom", berr)
		}
		return nil
	})
}

func TestGatherInACancelledScopeFailsAtOnce(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		task := spawnAfter(ctx, time.Second, 1, nil)
		cctx, cancel := aio.WithCancel(ctx)
		cancel()
		yielded := yieldProbe(ctx)
		if _, err := aio.Gather(cctx, task); !errors.Is(err, context.Canceled) || yielded() {
			t.Errorf("Gather in a cancelled scope = %v (yielded: %v); want a cancellation at once", err, yielded())
		}
		task.Await(ctx)
		return nil
	})
}
