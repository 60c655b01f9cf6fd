package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// AsCompleted yields the awaitables themselves, in completion order.
// CPython: BaseTaskTests.test_as_completed and
// test_as_completed_same_tasks_in_as_out in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestAsCompletedYieldsTheOriginalsInCompletionOrder(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		early := aio.NewFuture[int](ctx)
		early.SetResult(0)
		f := aio.NewFuture[int](ctx)
		ctx.Loop().CallLater(2*time.Second, func() { f.SetResult(2) })
		aws := []aio.Waitable{
			spawnAfter(ctx, 3*time.Second, 3, nil),
			f,
			spawnAfter(ctx, time.Second, 1, nil),
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
			at = append(at, elapsedSince(ctx, start))
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
	runVirtual(t, func(ctx *aio.Context) error {
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
	runVirtual(t, func(ctx *aio.Context) error {
		ts := []*aio.Task[int]{
			spawnAfter(ctx, 3*time.Second, 3, nil),
			spawnAfter(ctx, time.Second, 1, nil),
			spawnAfter(ctx, 2*time.Second, 2, nil),
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
	runVirtual(t, func(ctx *aio.Context) error {
		ts := []*aio.Task[int]{
			spawnAfter(ctx, 2*time.Second, 2, nil),
			spawnAfter(ctx, time.Second, 1, nil),
			spawnAfter(ctx, 3*time.Second, 3, nil),
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
	runVirtual(t, func(ctx *aio.Context) error {
		a := spawnAfter(ctx, time.Second, 1, nil)
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
