package aio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestEventZeroValueIsClearedAndWaitReturnsAtOnceWhileSet(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var ev aio.Event
		if ev.IsSet() {
			t.Fatal("the zero Event is set")
		}
		ev.Set()
		ev.Set() // repeat: no effect
		yielded := yieldProbe(ctx)
		if err := ev.Wait(ctx); err != nil || yielded() {
			t.Errorf("Wait on a set event = %v (yielded %v)", err, yielded())
		}
		ev.Clear()
		ev.Clear()
		if ev.IsSet() {
			t.Error("Clear left the event set")
		}
		return nil
	})
}

func TestEventSetWakesEveryWaiterEvenIfClearedAtOnce(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var ev aio.Event
		errs := make([]error, 5)
		var tasks []*aio.Task[struct{}]
		for i := range errs {
			errs[i] = errors.New("not returned")
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error { errs[i] = ev.Wait(ctx); return nil }))
		}
		aio.Sleep(ctx, 0)
		ev.Set()
		ev.Clear()
		tasks[4].Cancel("") // woken already: the wake stands
		aio.Gather(ctx, tasks[:4]...)
		tasks[4].Await(ctx)
		for i, err := range errs {
			if err != nil {
				t.Errorf("waiter %d: Wait = %v, want nil", i, err)
			}
		}
		// A waiter arriving after the Clear waits for the next Set.
		late := aio.Go(ctx, func(ctx *aio.Context) error { return ev.Wait(ctx) })
		aio.Sleep(ctx, time.Second)
		if late.Done() {
			t.Fatal("Wait after Clear returned")
		}
		ev.Set()
		_, err := late.Await(ctx)
		return err
	})
}

func TestEventWaitIsCancellableAndACancelledWaiterIsNotWoken(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var ev aio.Event
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		start := ctx.Loop().Time()
		if err := ev.Wait(tctx); !errors.Is(err, context.DeadlineExceeded) || elapsedSince(ctx, start) != time.Second {
			t.Errorf("Wait = %v after %v, want a timeout after 1s", err, elapsedSince(ctx, start))
		}
		// Already cancelled: returns at once.
		if err := ev.Wait(tctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait in an expired scope = %v", err)
		}
		ev.Set() // nobody is left waiting
		return nil
	})
}
