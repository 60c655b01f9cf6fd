package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestSemaphoreZeroValueHasNoPermitsUntilARelease(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var s aio.Semaphore
		if !s.Locked() || s.Value() != 0 || s.TryAcquire() {
			t.Fatalf("zero Semaphore: Locked %v, Value %d", s.Locked(), s.Value())
		}
		got := aio.Go(ctx, func(ctx *aio.Context) error { return s.Acquire(ctx) })
		aio.Sleep(ctx, time.Second)
		if got.Done() {
			t.Fatal("Acquire on the zero Semaphore returned")
		}
		s.Release()
		if _, err := got.Await(ctx); err != nil {
			return err
		}
		if s.Value() != 0 {
			t.Errorf("Value = %d after the hand-off, want 0", s.Value())
		}
		return nil
	})
}

func TestSemaphoreCountsPermitsAndAcquireDoesNotYieldWhileOneIsFree(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		s := aio.NewSemaphore(2)
		yielded := yieldProbe(ctx)
		if s.Acquire(ctx) != nil || s.Locked() || s.Acquire(ctx) != nil || !s.Locked() {
			t.Fatal("two Acquires of a Semaphore(2)")
		}
		if yielded() {
			t.Error("Acquire with a free permit yielded")
		}
		if s.TryAcquire() {
			t.Error("TryAcquire with no permit succeeded")
		}
		s.Release()
		s.Release()
		s.Release() // a plain Semaphore grows without bound
		if s.Value() != 3 {
			t.Errorf("Value = %d, want 3", s.Value())
		}
		return nil
	})
}

func TestSemaphoreReleaseHandsThePermitToTheFirstWaiterWithoutBarging(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		s := aio.NewSemaphore(1)
		s.Acquire(ctx)
		var order []int
		var tasks []*aio.Task[struct{}]
		for i := range 3 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				if err := s.Acquire(ctx); err != nil {
					return err
				}
				order = append(order, i)
				aio.Sleep(ctx, time.Second)
				s.Release()
				return nil
			}))
		}
		aio.Sleep(ctx, 0)
		s.Release()
		if s.Value() != 0 || s.TryAcquire() {
			t.Error("a released permit was not handed to the waiting task")
		}
		if _, err := aio.Gather(ctx, tasks...); err != nil {
			return err
		}
		if !slices.Equal(order, []int{0, 1, 2}) || s.Value() != 1 {
			t.Errorf("order %v, value %d; want [0 1 2], 1", order, s.Value())
		}
		return nil
	})
}

func TestSemaphoreWaiterHandedAPermitThenCancelledKeepsIt(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		s := aio.NewSemaphore(0)
		var acqErr error
		w := aio.Go(ctx, func(ctx *aio.Context) error { acqErr = s.Acquire(ctx); return nil })
		aio.Sleep(ctx, 0)
		s.Release()
		w.Cancel("")
		w.Await(ctx)
		if acqErr != nil || s.Value() != 0 {
			t.Errorf("Acquire = %v, value %d; want nil and the permit with the task", acqErr, s.Value())
		}
		// A waiter cancelled before a Release takes nothing.
		c := aio.Go(ctx, func(ctx *aio.Context) error { return s.Acquire(ctx) })
		aio.Sleep(ctx, 0)
		c.Cancel("")
		if _, err := c.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Acquire = %v", err)
		}
		s.Release()
		if s.Value() != 1 {
			t.Errorf("value %d after a Release with no waiter, want 1", s.Value())
		}
		return nil
	})
}

func TestBoundedSemaphoreReleaseAboveTheInitialValueReturnsAnError(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		s := aio.NewBoundedSemaphore(2)
		if err := s.Release(); !errors.Is(err, aio.ErrSemaphoreOverReleased) || s.Value() != 2 {
			t.Errorf("Release of a full BoundedSemaphore = %v (value %d)", err, s.Value())
		}
		s.Acquire(ctx)
		if err := s.Release(); err != nil {
			t.Errorf("Release = %v", err)
		}
		var zero aio.BoundedSemaphore
		if err := zero.Release(); !errors.Is(err, aio.ErrSemaphoreOverReleased) {
			t.Errorf("Release of the zero BoundedSemaphore = %v", err)
		}
		// With a waiter, the permit is handed over.
		s.Acquire(ctx)
		s.Acquire(ctx)
		w := aio.Go(ctx, func(ctx *aio.Context) error { return s.Acquire(ctx) })
		aio.Sleep(ctx, 0)
		if err := s.Release(); err != nil {
			t.Errorf("Release with a waiter = %v", err)
		}
		_, err := w.Await(ctx)
		return err
	})
}
