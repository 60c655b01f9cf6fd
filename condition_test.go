package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestConditionZeroValueUsesItsOwnLock(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var c aio.Condition
		first, again := c.Lock(), c.Lock()
		if c.Locked() || first == nil || first != again {
			t.Fatal("the zero Condition has no unlocked lock of its own")
		}
		if err := c.Acquire(ctx); err != nil || !c.Lock().Locked() {
			t.Fatalf("Acquire = %v", err)
		}
		mu := &aio.Lock{}
		if aio.NewCondition(mu).Lock() != mu || aio.NewCondition(nil).Lock() == nil {
			t.Error("NewCondition does not use the lock it is given, or has none with nil")
		}
		return c.Release()
	})
}

func TestConditionWaitReleasesTheLockAndReacquiresItWhenNotified(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		c := aio.NewCondition(nil)
		var log []string
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			c.Acquire(ctx)
			defer c.Release()
			log = append(log, "wait")
			if err := c.Wait(ctx); err != nil {
				return err
			}
			log = append(log, "woke holding the lock: "+map[bool]string{true: "yes", false: "no"}[c.Locked()])
			return nil
		})
		aio.Sleep(ctx, 0)
		if c.Locked() {
			t.Fatal("Wait did not release the lock")
		}
		c.Acquire(ctx)
		c.Notify(1)
		log = append(log, "notified")
		aio.Sleep(ctx, time.Second) // the waiter cannot run: we hold the lock
		log = append(log, "release")
		c.Release()
		if _, err := waiter.Await(ctx); err != nil {
			return err
		}
		want := []string{"wait", "notified", "release", "woke holding the lock: yes"}
		if !slices.Equal(log, want) {
			t.Errorf("log %q, want %q", log, want)
		}
		return nil
	})
}

func TestConditionNotifyWakesWaitersFirstComeFirstServedAndNotifyAllWakesTheRest(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		c := aio.NewCondition(nil)
		var order []int
		var tasks []*aio.Task[struct{}]
		for i := range 4 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				c.Acquire(ctx)
				defer c.Release()
				if err := c.Wait(ctx); err != nil {
					return err
				}
				order = append(order, i)
				return nil
			}))
		}
		aio.Sleep(ctx, 0)
		c.Acquire(ctx)
		c.Notify(2)
		c.Release()
		aio.Sleep(ctx, time.Second)
		if !slices.Equal(order, []int{0, 1}) {
			t.Fatalf("after Notify(2): %v woke, want [0 1]", order)
		}
		c.Acquire(ctx)
		c.Notify(0) // wakes none
		c.NotifyAll()
		c.Release()
		if _, err := aio.Gather(ctx, tasks...); err != nil {
			return err
		}
		if !slices.Equal(order, []int{0, 1, 2, 3}) {
			t.Errorf("order %v", order)
		}
		return nil
	})
}

func TestConditionNotifyWaitAndWaitForWithoutTheLockReturnErrNotLocked(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var c aio.Condition
		if err := c.Notify(1); !errors.Is(err, aio.ErrNotLocked) {
			t.Errorf("Notify = %v", err)
		}
		if err := c.NotifyAll(); !errors.Is(err, aio.ErrNotLocked) {
			t.Errorf("NotifyAll = %v", err)
		}
		if err := c.Wait(ctx); !errors.Is(err, aio.ErrNotLocked) {
			t.Errorf("Wait = %v", err)
		}
		if err := c.WaitFor(ctx, func() bool { return false }); !errors.Is(err, aio.ErrNotLocked) {
			t.Errorf("WaitFor = %v", err)
		}
		if err := c.Release(); !errors.Is(err, aio.ErrNotLocked) {
			t.Errorf("Release = %v", err)
		}
		return nil
	})
}

func TestConditionWaitForChecksThePredicateFirstAndAfterEachNotify(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		c := aio.NewCondition(nil)
		n, calls := 0, 0
		c.Acquire(ctx)
		yielded := yieldProbe(ctx)
		if err := c.WaitFor(ctx, func() bool { calls++; return true }); err != nil || yielded() || calls != 1 {
			t.Errorf("WaitFor(true) = %v, yielded %v, %d calls", err, yielded(), calls)
		}
		c.Release()
		producer := aio.Go(ctx, func(ctx *aio.Context) error {
			for range 3 {
				aio.Sleep(ctx, time.Second)
				c.Acquire(ctx)
				n++
				c.NotifyAll()
				c.Release()
			}
			return nil
		})
		c.Acquire(ctx)
		start := ctx.Loop().Time()
		calls = 0
		if err := c.WaitFor(ctx, func() bool { calls++; return n == 3 }); err != nil {
			return err
		}
		if !c.Locked() || calls != 4 || elapsedSince(ctx, start) != 3*time.Second {
			t.Errorf("locked %v, %d predicate calls, %v; want true, 4, 3s", c.Locked(), calls, elapsedSince(ctx, start))
		}
		c.Release()
		_, err := producer.Await(ctx)
		return err
	})
}

func TestConditionCancelledWaitReacquiresTheLockBeforeReturningTheCancellation(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		c := aio.NewCondition(nil)
		var waitErr error
		var heldOnReturn bool
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			c.Acquire(ctx)
			waitErr = c.Wait(ctx)
			heldOnReturn = c.Locked()
			return c.Release()
		})
		aio.Sleep(ctx, 0)
		c.Acquire(ctx) // the waiter will have to wait for the lock
		waiter.Cancel("")
		aio.Sleep(ctx, time.Second)
		if waiter.Done() {
			t.Fatal("the cancelled Wait returned without the lock")
		}
		c.Release()
		if _, err := waiter.Await(ctx); err != nil {
			t.Errorf("Release after the cancelled Wait = %v", err)
		}
		if !errors.Is(waitErr, context.Canceled) || !heldOnReturn {
			t.Errorf("Wait = %v, lock held on return %v; want the cancellation, with the lock", waitErr, heldOnReturn)
		}
		return nil
	})
}

func TestConditionNotificationPassesToTheNextWaiterWhenTheFirstIsCancelled(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		c := aio.NewCondition(nil)
		errs := make([]error, 2)
		var tasks []*aio.Task[struct{}]
		for i := range errs {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				c.Acquire(ctx)
				defer c.Release()
				errs[i] = c.Wait(ctx)
				return nil
			}))
		}
		aio.Sleep(ctx, 0)
		c.Acquire(ctx)
		c.Notify(1)         // goes to the first waiter...
		tasks[0].Cancel("") // ...which is cancelled before it runs
		c.Release()
		tctx, cancel := aio.WithTimeout(ctx, time.Hour)
		defer cancel()
		if _, err := aio.Gather(tctx, tasks...); err != nil {
			t.Fatalf("the notification was lost: %v", err)
		}
		if !errors.Is(errs[0], context.Canceled) || errs[1] != nil {
			t.Errorf("waits = %v; want the cancellation, then nil (the notification passed on)", errs)
		}
		return nil
	})
}
