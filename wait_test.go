package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Wait with FirstCompleted returns as soon as one is done.
// CPython: BaseTaskTests.test_wait_first_completed in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestWaitFirstCompletedReturnsAsSoonAsOneIsDone(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ts := []*aio.Task[int]{
			scAfter(ctx, 3*time.Second, 0, nil),
			scAfter(ctx, time.Second, 1, nil),
			scAfter(ctx, 2*time.Second, 2, nil),
		}
		done, pending, err := aio.Wait(ctx, ts, aio.FirstCompleted)
		if err != nil || !slices.Equal(done, ts[1:2]) || !slices.Equal(pending, []*aio.Task[int]{ts[0], ts[2]}) {
			t.Errorf("Wait = %v, %v, %v; want [t1], [t0 t2]", done, pending, err)
		}
		if d := scElapsed(ctx, start); d != time.Second {
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
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		boom := errors.New("boom")
		ts := []*aio.Task[int]{
			scAfter(ctx, time.Second, 0, nil),
			scAfter(ctx, 3*time.Second, 1, nil),
			scAfter(ctx, 2*time.Second, 0, boom),
		}
		done, pending, err := aio.Wait(ctx, ts, aio.FirstError)
		if err != nil || !slices.Equal(done, []*aio.Task[int]{ts[0], ts[2]}) || !slices.Equal(pending, ts[1:2]) {
			t.Errorf("Wait = %v, %v, %v; want [t0 t2], [t1]", done, pending, err)
		}
		if d := scElapsed(ctx, start); d != 2*time.Second {
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
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ts := []*aio.Task[int]{
			scAfter(ctx, 2*time.Second, 0, nil),
			scAfter(ctx, time.Second, 1, nil),
		}
		done, pending, err := aio.Wait(ctx, ts, aio.FirstError)
		if err != nil || !slices.Equal(done, ts) || len(pending) != 0 {
			t.Errorf("Wait = %v, %v, %v; want all done", done, pending, err)
		}
		if d := scElapsed(ctx, start); d != 2*time.Second {
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
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ts := []*aio.Task[int]{
			scAfter(ctx, time.Second, 0, nil),
			scAfter(ctx, 3*time.Second, 1, nil),
		}
		ctx.Loop().CallLater(time.Second, func() { ts[1].Cancel("stop") })
		extra := scAfter(ctx, 2*time.Second, 2, nil)
		ts = append(ts, extra)
		done, pending, err := aio.Wait(ctx, ts, aio.FirstError)
		if err != nil || len(done) != 3 || len(pending) != 0 {
			t.Errorf("Wait = %v, %v, %v; want all three done", done, pending, err)
		}
		if d := scElapsed(ctx, start); d != 2*time.Second {
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
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		fast := scAfter(ctx, time.Second, 0, nil)
		slow := scAfter(ctx, time.Hour, 1, nil)
		done, pending, err := aio.Wait(ctx, []*aio.Task[int]{fast, slow}, aio.WaitTimeout(2*time.Second))
		if err != nil || !slices.Equal(done, []*aio.Task[int]{fast}) || !slices.Equal(pending, []*aio.Task[int]{slow}) {
			t.Errorf("Wait = %v, %v, %v; want [fast], [slow], nil", done, pending, err)
		}
		if d := scElapsed(ctx, start); d != 2*time.Second {
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
	scRun(t, func(ctx *aio.Context) error {
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
	scRun(t, func(ctx *aio.Context) error {
		a := scAfter(ctx, time.Second, 0, nil)
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
	scRun(t, func(ctx *aio.Context) error {
		ready := aio.NewFuture[int](ctx)
		ready.SetResult(1)
		later := aio.NewFuture[int](ctx)
		fs := []*aio.Future[int]{later, ready}
		for _, d := range []time.Duration{0, -time.Second} {
			yielded := scProbe(ctx)
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
	scRun(t, func(ctx *aio.Context) error {
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

// AsCompleted yields the awaitables themselves, in completion order.
// CPython: BaseTaskTests.test_as_completed and
// test_as_completed_same_tasks_in_as_out in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestAsCompletedYieldsTheOriginalsInCompletionOrder(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		early := aio.NewFuture[int](ctx)
		early.SetResult(0)
		f := aio.NewFuture[int](ctx)
		ctx.Loop().CallLater(2*time.Second, func() { f.SetResult(2) })
		aws := []aio.Waitable{
			scAfter(ctx, 3*time.Second, 3, nil),
			f,
			scAfter(ctx, time.Second, 1, nil),
			early,
		}
		var got []aio.Waitable
		var at []time.Duration
		for aw, err := range aio.AsCompleted(ctx, aws...) {
			if err != nil {
				return err
			}
			if !aw.Done() {
				t.Errorf("AsCompleted yielded %v before it was done", aw)
			}
			got = append(got, aw)
			at = append(at, scElapsed(ctx, start))
		}
		want := []aio.Waitable{aws[3], aws[2], aws[1], aws[0]}
		if !slices.Equal(got, want) {
			t.Errorf("AsCompleted order = %v, want %v", got, want)
		}
		if !slices.Equal(at, []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}) {
			t.Errorf("AsCompleted yielded at %v", at)
		}
		return nil
	})
}

// AsCompleted keeps the order of completions that happen in one iteration.
// CPython: BaseTaskTests.test_as_completed in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestAsCompletedKeepsTheOrderOfCompletionsInOneIteration(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		fs := []*aio.Future[int]{aio.NewFuture[int](ctx), aio.NewFuture[int](ctx), aio.NewFuture[int](ctx)}
		ctx.Loop().CallLater(time.Second, func() {
			fs[2].SetResult(2)
			fs[0].SetResult(0)
			fs[1].SetResult(1)
		})
		var got []*aio.Future[int]
		for f, err := range aio.AsCompleted(ctx, fs...) {
			if err != nil {
				return err
			}
			got = append(got, f)
		}
		if want := []*aio.Future[int]{fs[2], fs[0], fs[1]}; !slices.Equal(got, want) {
			t.Errorf("AsCompleted order = %v, want %v", got, want)
		}
		return nil
	})
}

// AsCompleted in an expired scope yields the timeout and cancels nothing.
// CPython: BaseTaskTests.test_as_completed_with_timeout in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestAsCompletedInAnExpiredScopeYieldsTheTimeoutAndCancelsNothing(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		ts := []*aio.Task[int]{
			scAfter(ctx, 3*time.Second, 3, nil),
			scAfter(ctx, time.Second, 1, nil),
			scAfter(ctx, 2*time.Second, 2, nil),
		}
		tctx, cancel := aio.WithTimeout(ctx, 1500*time.Millisecond)
		defer cancel()
		var got []*aio.Task[int]
		var errs []error
		for task, err := range aio.AsCompleted(tctx, ts...) {
			got = append(got, task)
			errs = append(errs, err)
		}
		if len(got) != 2 || got[0] != ts[1] || errs[0] != nil || got[1] != nil {
			t.Fatalf("AsCompleted yielded %v, %v; want t1, then nil with the timeout", got, errs)
		}
		if !errors.Is(errs[1], context.DeadlineExceeded) {
			t.Errorf("AsCompleted error = %v, want a timeout", errs[1])
		}
		if ts[0].Done() || ts[2].Done() {
			t.Fatal("remaining tasks finished early")
		}
		res, err := aio.Gather(ctx, ts...)
		if err != nil || !slices.Equal(res, []int{3, 1, 2}) {
			t.Errorf("remaining tasks = %v, %v; want them to run to completion", res, err)
		}
		return nil
	})
}

func TestAsCompletedCanBeLeftEarly(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		ts := []*aio.Task[int]{
			scAfter(ctx, 2*time.Second, 2, nil),
			scAfter(ctx, time.Second, 1, nil),
			scAfter(ctx, 3*time.Second, 3, nil),
		}
		n := 0
		for task, err := range aio.AsCompleted(ctx, ts...) {
			n++
			if err != nil || task != ts[1] {
				t.Errorf("first yield = %v, %v; want t1", task, err)
			}
			break
		}
		if n != 1 {
			t.Errorf("loop body ran %d times after break", n)
		}
		// The remaining tasks finish while this task waits elsewhere; the
		// abandoned iterator must not be woken or yield again.
		if err := aio.Sleep(ctx, 10*time.Second); err != nil {
			return err
		}
		for _, task := range ts {
			if task.Cancelled() || !task.Done() {
				t.Errorf("after leaving AsCompleted: %v", task)
			}
		}
		_, err := aio.Gather(ctx, ts...)
		return err
	})
}

func TestAsCompletedYieldsDuplicatesOnce(t *testing.T) {
	scRun(t, func(ctx *aio.Context) error {
		a := scAfter(ctx, time.Second, 1, nil)
		n := 0
		for task, err := range aio.AsCompleted(ctx, a, a, a) {
			if err != nil || task != a {
				t.Errorf("yield = %v, %v", task, err)
			}
			n++
		}
		if n != 1 {
			t.Errorf("a task passed three times was yielded %d times", n)
		}
		return nil
	})
}
