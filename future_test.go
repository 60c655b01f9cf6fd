package aio_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/asyncgo/aio"
)

// A future resolves once: a second SetResult or SetError returns
// ErrInvalidState and the first outcome stands.
// CPython: BaseFutureTests.test_result and test_exception in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestFutureResolvesExactlyOnceAndTheFirstOutcomeStands(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name          string
		first, second func(*aio.Future[int]) error
		want          int
		wantErr       error
	}{
		{"SetResult, then SetResult",
			func(f *aio.Future[int]) error { return f.SetResult(1) },
			func(f *aio.Future[int]) error { return f.SetResult(2) }, 1, nil},
		{"SetResult, then SetError",
			func(f *aio.Future[int]) error { return f.SetResult(1) },
			func(f *aio.Future[int]) error { return f.SetError(errors.New("late")) }, 1, nil},
		{"SetError, then SetResult",
			func(f *aio.Future[int]) error { return f.SetError(boom) },
			func(f *aio.Future[int]) error { return f.SetResult(2) }, 0, boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := aio.NewFuture[int](newLoop(t))
			if err := tc.first(f); err != nil {
				t.Fatal(err)
			}
			if err := tc.second(f); !errors.Is(err, aio.ErrInvalidState) {
				t.Fatalf("second call: %v, want ErrInvalidState", err)
			}
			if v, err := f.Result(); v != tc.want || err != tc.wantErr {
				t.Fatalf("Result = %d, %v; want %d, %v", v, err, tc.want, tc.wantErr)
			}
		})
	}
}

// Result of a pending future is ErrInvalidState; of a cancelled one, the
// *CancelledError carrying the cancel message.
// CPython: BaseFutureTests.test_cancel and test_future_cancel_message_getter in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestFutureResultIsInvalidWhilePendingAndCarriesTheCancelMessage(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[int](l)
	if _, err := f.Result(); !errors.Is(err, aio.ErrInvalidState) {
		t.Fatalf("Result on pending: %v, want ErrInvalidState", err)
	}
	if !f.Cancel("why") {
		t.Fatal("Cancel on a pending future returned false")
	}
	_, err := f.Result()
	var ce *aio.CancelledError
	if !errors.As(err, &ce) || ce.Message != "why" || !f.Cancelled() || !f.Done() {
		t.Fatalf("Result on cancelled: %v (cancelled=%v); want *CancelledError{why}", err, f.Cancelled())
	}
}

// Cancel on a done future returns false and changes nothing.
// CPython: BaseFutureTests.test_cancel in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestCancelOnADoneFutureReturnsFalseAndChangesNothing(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[string](l)
	f.SetResult("ok")
	if f.Cancel("late") {
		t.Fatal("Cancel on a done future returned true")
	}
	if v, err := f.Result(); v != "ok" || err != nil || f.Cancelled() {
		t.Fatalf("after Cancel: %q, %v, cancelled=%v", v, err, f.Cancelled())
	}
}

// Done callbacks are never called by SetResult itself: they are scheduled on
// the loop in registration order.
// CPython: BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_result in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestFutureDoneCallbacksAreScheduledInRegistrationOrderNeverCalledSynchronously(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[int](l)
	var got []string
	f.AddDoneCallback(func() { got = append(got, "cb1") })
	f.AddDoneCallback(func() { got = append(got, "cb2") })
	l.CallSoon(func() {
		f.SetResult(1)
		got = append(got, "after-set")
		f.AddDoneCallback(func() { got = append(got, "cb3-on-done") })
		got = append(got, "after-add")
	})
	runOneIteration(t, l)
	if want := []string{"after-set", "after-add"}; !slices.Equal(got, want) {
		t.Fatalf("in the resolving iteration ran %v, want %v", got, want)
	}
	runOneIteration(t, l)
	if want := []string{"after-set", "after-add", "cb1", "cb2", "cb3-on-done"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

// The same after SetError: an error does not change the scheduling.
// CPython: BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_exception in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestFutureDoneCallbacksRunAfterSetError(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[int](l)
	ran := false
	f.AddDoneCallback(func() { ran = true })
	f.SetError(errors.New("boom"))
	if ran {
		t.Fatal("callback called synchronously by SetError")
	}
	runOneIteration(t, l)
	if !ran {
		t.Fatal("callback did not run")
	}
	f.Result() // retrieve, so Close has nothing to report
}

// AddDoneCallback returns the function that removes the callback (asyncio's
// remove_done_callback); a removed callback never runs.
// CPython: BaseFutureDoneCallbackTests.test_remove_done_callback in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestRemovingADoneCallbackStopsItAndReportsWhetherItWasRemoved(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[int](l)
	var got []string
	removeA := f.AddDoneCallback(func() { got = append(got, "a") })
	removeB := f.AddDoneCallback(func() { got = append(got, "b") })
	if !removeA() {
		t.Fatal("first remove returned false")
	}
	if removeA() {
		t.Fatal("second remove returned true")
	}
	f.SetResult(1)
	if removeB() {
		t.Fatal("remove after the future was done returned true")
	}
	runOneIteration(t, l)
	if want := []string{"b"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

// Awaiting a future that is already done returns without yielding to the
// loop, as asyncio's Future.__await__ does:
// https://github.com/python/cpython/blob/main/Lib/asyncio/futures.py
func TestAwaitingADoneFutureDoesNotYield(t *testing.T) {
	var got []string
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		f.SetResult(5)
		aio.Go(ctx, func(*aio.Context) error { got = append(got, "other"); return nil })
		v, err := f.Await(ctx) // must not let "other" run
		got = append(got, "awaited")
		if v != 5 || err != nil {
			t.Errorf("Await = %d, %v", v, err)
		}
		return aio.Sleep(ctx, 0)
	})
	if want := []string{"awaited", "other"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// Awaiting a task that is already done returns without yielding, like a
// done future.
func TestAwaitingADoneTaskDoesNotYield(t *testing.T) {
	var got []string
	runVirtual(t, func(ctx *aio.Context) error {
		done := aio.Spawn(ctx, func(*aio.Context) (int, error) { return 3, nil })
		aio.Sleep(ctx, 0) // let it finish
		aio.Go(ctx, func(*aio.Context) error { got = append(got, "other"); return nil })
		if v, err := done.Await(ctx); v != 3 || err != nil {
			t.Errorf("Await = %d, %v", v, err)
		}
		got = append(got, "awaited")
		return aio.Sleep(ctx, 0)
	})
	if want := []string{"awaited", "other"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestFutureSetErrorNilPanics(t *testing.T) {
	f := aio.NewFuture[int](newLoop(t))
	if r := recoverPanic(func() { f.SetError(nil) }); r == nil {
		t.Fatal("SetError(nil) did not panic")
	}
	if f.Done() {
		t.Fatal("SetError(nil) completed the future")
	}
}

func TestAwaitingAFutureOfAnotherLoopPanics(t *testing.T) {
	foreign := aio.NewFuture[int](newLoop(t))
	var got any
	runVirtual(t, func(ctx *aio.Context) error {
		got = recoverPanic(func() { foreign.Await(ctx) })
		return nil
	})
	if e, _ := got.(error); !errors.Is(e, aio.ErrWrongLoop) {
		t.Fatalf("panic %v; want ErrWrongLoop", got)
	}
}

// Done callbacks and awaiting tasks are scheduled in the order they were
// registered: like asyncio, a future keeps one list for both.
// CPython: BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_result in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestDoneCallbacksAndAwaitersAreScheduledInRegistrationOrder(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var order []string
		f := aio.NewFuture[int](ctx)
		f.AddDoneCallback(func() { order = append(order, "cb-before") })
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := f.Await(ctx)
			order = append(order, "task")
			return err
		})
		if err := aio.Sleep(ctx, 0); err != nil { // let the waiter register
			return err
		}
		f.AddDoneCallback(func() { order = append(order, "cb-after") })
		removed := f.AddDoneCallback(func() { order = append(order, "cb-removed") })
		if !removed() {
			t.Error("remove before completion should report true")
		}
		f.SetResult(1)
		if _, err := waiter.Await(ctx); err != nil {
			return err
		}
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		want := []string{"cb-before", "task", "cb-after"}
		if fmt.Sprint(order) != fmt.Sprint(want) {
			t.Errorf("order = %v, want %v", order, want)
		}
		return nil
	})
}

// SetResultThreadsafe completes a future from any goroutine in one call.
func TestSetResultThreadsafeFromAGoroutine(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		go f.SetResultThreadsafe(7)
		v, err := f.Await(ctx)
		if v != 7 || err != nil {
			t.Errorf("Await = %v, %v", v, err)
		}
		g := aio.NewFuture[int](ctx)
		boom := errors.New("boom")
		go g.SetErrorThreadsafe(boom)
		if _, err := g.Await(ctx); !errors.Is(err, boom) {
			t.Errorf("Await = %v, want boom", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
