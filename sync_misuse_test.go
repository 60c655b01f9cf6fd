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

// primitives is one of each synchronization primitive, for the misuse
// tests.
type primitives struct {
	mu   aio.Lock
	ev   aio.Event
	cond aio.Condition
	sem  aio.Semaphore
	bsem *aio.BoundedSemaphore
	bar  *aio.Barrier
}

func newPrimitives() *primitives {
	return &primitives{bsem: aio.NewBoundedSemaphore(1), bar: aio.NewBarrier(2)}
}

// bind binds every primitive to ctx's loop (a primitive belongs to the
// loop of its first waiter): a task waits on each, the Lock and the
// BoundedSemaphore being taken so that it must, and is then cancelled.
func (p *primitives) bind(ctx *aio.Context) error {
	p.mu.Acquire(ctx)
	p.bsem.Acquire(ctx)
	waiter := aio.Go(ctx, func(ctx *aio.Context) error {
		p.mu.Acquire(ctx) // waits until cancelled; the others return at once, but bind
		p.ev.Wait(ctx)
		p.sem.Acquire(ctx)
		p.bsem.Acquire(ctx)
		p.bar.Wait(ctx)
		p.cond.Acquire(ctx)
		p.cond.Wait(ctx)
		return p.cond.Release()
	})
	aio.Sleep(ctx, 0)
	waiter.Cancel()
	_, err := waiter.Await(ctx)
	return err
}

// Each primitive is bound to the loop of its first waiter: a task of
// another loop that awaits it panics with ErrWrongLoop.
func TestSyncPrimitivesWaitedOnFromAnotherLoopPanicWithErrWrongLoop(t *testing.T) {
	p := newPrimitives()
	// Loop A: a waiter in each binds them, then gives up.
	runVirtual(t, func(ctx *aio.Context) error { return p.bind(ctx) })
	// Loop B.
	runVirtual(t, func(ctx *aio.Context) error {
		for op, f := range map[string]func(){
			"Lock.Acquire":      func() { p.mu.Acquire(ctx) },
			"Event.Wait":        func() { p.ev.Wait(ctx) },
			"Condition.Wait":    func() { p.cond.Wait(ctx) },
			"Semaphore.Acquire": func() { p.sem.Acquire(ctx) },
			"Barrier.Wait":      func() { p.bar.Wait(ctx) },
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
		p := newPrimitives()
		if err := p.bind(ctx); err != nil {
			return err
		}
		calls := map[string]func(){
			"Lock.Release":             func() { p.mu.Release() },
			"Lock.TryAcquire":          func() { p.mu.TryAcquire() },
			"Event.Set":                p.ev.Set,
			"Event.Clear":              p.ev.Clear,
			"Condition.Notify":         func() { p.cond.Notify(1) },
			"Condition.NotifyAll":      func() { p.cond.NotifyAll() },
			"Semaphore.Release":        p.sem.Release,
			"Semaphore.TryAcquire":     func() { p.sem.TryAcquire() },
			"BoundedSemaphore.Release": func() { p.bsem.Release() },
			"Barrier.Reset":            p.bar.Reset,
			"Barrier.Abort":            p.bar.Abort,
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
