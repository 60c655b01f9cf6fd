package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestLockZeroValueIsUnlockedAndAcquireDoesNotYield(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		if mu.Locked() {
			t.Fatal("the zero Lock is locked")
		}
		yielded := yieldProbe(ctx)
		if err := mu.Acquire(ctx); err != nil || !mu.Locked() {
			t.Fatalf("Acquire = %v, Locked = %v", err, mu.Locked())
		}
		if yielded() {
			t.Error("an uncontended Acquire yielded")
		}
		if mu.TryAcquire() {
			t.Error("TryAcquire on a locked lock succeeded")
		}
		if err := mu.Release(); err != nil || mu.Locked() {
			t.Fatalf("Release = %v, Locked = %v", err, mu.Locked())
		}
		if !mu.TryAcquire() || !mu.Locked() {
			t.Error("TryAcquire on an unlocked lock failed")
		}
		return mu.Release()
	})
}

func TestLockReleaseOfAnUnlockedLockReturnsErrNotLocked(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		if err := mu.Release(); !errors.Is(err, aio.ErrNotLocked) {
			t.Errorf("Release of a fresh lock = %v, want ErrNotLocked", err)
		}
		mu.Acquire(ctx)
		mu.Release()
		if err := mu.Release(); !errors.Is(err, aio.ErrNotLocked) || mu.Locked() {
			t.Errorf("second Release = %v (locked %v), want ErrNotLocked", err, mu.Locked())
		}
		return nil
	})
}

func TestLockIsHandedToWaitersFirstComeFirstServedWithoutBarging(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		mu.Acquire(ctx)
		var order []int
		var tasks []*aio.Task[struct{}]
		for i := range 3 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				if err := mu.Acquire(ctx); err != nil {
					return err
				}
				order = append(order, i)
				aio.Sleep(ctx, time.Second)
				return mu.Release()
			}))
		}
		aio.Sleep(ctx, 0) // all three wait
		mu.Release()
		if !mu.Locked() {
			t.Error("Release with waiters unlocked the lock instead of handing it over")
		}
		if mu.TryAcquire() {
			t.Error("TryAcquire barged past the waiters")
		}
		// A newcomer's Acquire queues behind the waiters.
		late := aio.Go(ctx, func(ctx *aio.Context) error {
			if err := mu.Acquire(ctx); err != nil {
				return err
			}
			order = append(order, 99)
			return mu.Release()
		})
		if _, err := aio.Gather(ctx, append(tasks, late)...); err != nil {
			return err
		}
		if !slices.Equal(order, []int{0, 1, 2, 99}) {
			t.Errorf("lock order %v, want [0 1 2 99]", order)
		}
		if mu.Locked() {
			t.Error("the lock is still locked at the end")
		}
		return nil
	})
}

func TestLockWaiterHandedTheLockThenCancelledKeepsIt(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		mu.Acquire(ctx)
		var acqErr, nextErr error
		held := false
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			acqErr = mu.Acquire(ctx)
			held = mu.Locked()
			nextErr = aio.Sleep(ctx, 0)
			return mu.Release()
		})
		aio.Sleep(ctx, 0)
		mu.Release()      // handed to the waiter
		waiter.Cancel("") // before it runs
		if _, err := waiter.Await(ctx); err != nil {
			t.Errorf("waiter's Release = %v", err)
		}
		if acqErr != nil || !held {
			t.Errorf("Acquire = %v (held %v), want nil: the hand-off stands", acqErr, held)
		}
		if !errors.Is(nextErr, context.Canceled) {
			t.Errorf("the next await = %v, want the cancellation", nextErr)
		}
		if mu.Locked() {
			t.Error("the lock was lost")
		}
		return nil
	})
}

func TestLockCancelledWaiterLeavesTheQueueAndTheNextWaiterGetsTheLock(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		mu.Acquire(ctx)
		var got []string
		first := aio.Go(ctx, func(ctx *aio.Context) error {
			err := mu.Acquire(ctx)
			if err == nil {
				got = append(got, "first")
				mu.Release()
			}
			return err
		})
		second := aio.Go(ctx, func(ctx *aio.Context) error {
			tctx, cancel := aio.WithTimeout(ctx, time.Second)
			defer cancel()
			if err := mu.Acquire(tctx); err != nil {
				return err
			}
			got = append(got, "second")
			return mu.Release()
		})
		aio.Sleep(ctx, 0)
		first.Cancel("")
		if _, err := first.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Acquire = %v", err)
		}
		mu.Release()
		if _, err := second.Await(ctx); err != nil {
			t.Errorf("second = %v", err)
		}
		if !slices.Equal(got, []string{"second"}) || mu.Locked() {
			t.Errorf("got %v, locked %v", got, mu.Locked())
		}
		return nil
	})
}

func TestLockAcquireTimesOutInAWithTimeoutScope(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		mu.Acquire(ctx)
		start := ctx.Loop().Time()
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		err := mu.Acquire(tctx)
		if !errors.Is(err, context.DeadlineExceeded) || elapsedSince(ctx, start) != time.Second {
			t.Errorf("Acquire = %v after %v, want a timeout after 1s", err, elapsedSince(ctx, start))
		}
		return mu.Release()
	})
}
