package aio_test

import (
	"testing"

	"github.com/asyncgo/aio"
)

func TestSyncConstructorsPanicOnInvalidArguments(t *testing.T) {
	expectMisuse(t, recoverPanic(func() { aio.NewSemaphore(-1) }), aio.ErrInvalidArgument, "aio.NewSemaphore", "≥ 0")
	expectMisuse(t, recoverPanic(func() { aio.NewBoundedSemaphore(-1) }), aio.ErrInvalidArgument, "aio.NewBoundedSemaphore")
	expectMisuse(t, recoverPanic(func() { aio.NewBarrier(0) }), aio.ErrInvalidArgument, "aio.NewBarrier", "at least one party")
	expectMisuse(t, recoverPanic(func() { aio.NewBarrier(-3) }), aio.ErrInvalidArgument, "aio.NewBarrier")
}

func TestBarrierZeroValueWaitPanicsWithErrZeroValue(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var b aio.Barrier
		expectMisuse(t, recoverPanic(func() { b.Wait(ctx) }), aio.ErrZeroValue, "Barrier.Wait", "NewBarrier")
		return nil
	})
}

func TestConditionWaitForWithANilPredicatePanics(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var c aio.Condition
		expectMisuse(t, recoverPanic(func() { c.WaitFor(ctx, nil) }), aio.ErrNilFunc, "Condition.WaitFor")
		return nil
	})
}

// Each primitive is bound to the loop of its first waiter: a task of
// another loop that awaits it panics with ErrWrongLoop.
func TestSyncPrimitivesWaitedOnFromAnotherLoopPanicWithErrWrongLoop(t *testing.T) {
	var (
		mu   aio.Lock
		ev   aio.Event
		cond aio.Condition
		sem  aio.Semaphore
		bar  = aio.NewBarrier(2)
	)
	// Loop A: a waiter in each binds them, then gives up.
	runVirtual(t, func(ctx *aio.Context) error {
		mu.Acquire(ctx)
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			mu.Acquire(ctx) // waits until cancelled; the others return at once, but bind
			ev.Wait(ctx)
			sem.Acquire(ctx)
			bar.Wait(ctx)
			cond.Acquire(ctx)
			cond.Wait(ctx)
			return cond.Release()
		})
		aio.Sleep(ctx, 0)
		waiter.Cancel()
		_, err := waiter.Await(ctx)
		return err
	})
	// Loop B.
	runVirtual(t, func(ctx *aio.Context) error {
		for op, f := range map[string]func(){
			"Lock.Acquire":      func() { mu.Acquire(ctx) },
			"Event.Wait":        func() { ev.Wait(ctx) },
			"Condition.Wait":    func() { cond.Wait(ctx) },
			"Semaphore.Acquire": func() { sem.Acquire(ctx) },
			"Barrier.Wait":      func() { bar.Wait(ctx) },
		} {
			expectMisuse(t, recoverPanic(f), aio.ErrWrongLoop, op)
		}
		return nil
	})
}

// A loop-bound call on a primitive from a goroutine that does not run its
// loop panics with ErrWrongGoroutine (checked by Loop.checkCaller: always
// while the loop waits for events, on every call in debug mode).
func TestSyncPrimitivesCalledFromAnotherGoroutinePanicWithErrWrongGoroutine(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		var (
			mu   aio.Lock
			ev   aio.Event
			cond aio.Condition
			sem  aio.Semaphore
			bsem = aio.NewBoundedSemaphore(1)
			bar  = aio.NewBarrier(2)
		)
		// Bind each to this loop with a waiter that gives up at once.
		mu.Acquire(ctx)
		bsem.Acquire(ctx)
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			mu.Acquire(ctx) // waits until cancelled; the others return at once, but bind
			ev.Wait(ctx)
			sem.Acquire(ctx)
			bsem.Acquire(ctx)
			bar.Wait(ctx)
			cond.Acquire(ctx)
			cond.Wait(ctx)
			return cond.Release()
		})
		aio.Sleep(ctx, 0)
		waiter.Cancel()
		if _, err := waiter.Await(ctx); err != nil {
			return err
		}
		calls := map[string]func(){
			"Lock.Release":             func() { mu.Release() },
			"Lock.TryAcquire":          func() { mu.TryAcquire() },
			"Event.Set":                ev.Set,
			"Event.Clear":              ev.Clear,
			"Condition.Notify":         func() { cond.Notify(1) },
			"Condition.NotifyAll":      func() { cond.NotifyAll() },
			"Semaphore.Release":        sem.Release,
			"Semaphore.TryAcquire":     func() { sem.TryAcquire() },
			"BoundedSemaphore.Release": func() { bsem.Release() },
			"Barrier.Reset":            bar.Reset,
			"Barrier.Abort":            bar.Abort,
		}
		for op, f := range calls {
			ch := make(chan any)
			go func() { ch <- recoverPanic(f) }()
			expectMisuse(t, <-ch, aio.ErrWrongGoroutine, op) // the loop is blocked here
		}
		return nil
	}, virtualClock(), aio.WithDebug(true))
	if err != nil {
		t.Fatal(err)
	}
}
