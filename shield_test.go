package aio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Cancelling the task awaiting Shield ends that await at once with the
// caller's cancellation; the shielded task carries on and completes.
// CPython: BaseTaskTests.test_shield_cancel_outer in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestShieldReturnsAtOnceWhenTheCallerIsCancelledWhileTheInnerTaskCompletes(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 7, aio.Sleep(ctx, time.Second)
		})
		outer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return aio.Shield(ctx, inner)
		})
		start := ctx.Loop().Time()
		aio.Sleep(ctx, 0)
		outer.Cancel("outer")
		_, err := outer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "outer" {
			t.Errorf("shielded await after cancel = %v, want the caller's cancellation", err)
		}
		if d := elapsedSince(ctx, start); d != 0 || inner.Done() {
			t.Errorf("Shield waited %v for the inner task (inner done: %v)", d, inner.Done())
		}
		v, err := inner.Await(ctx)
		if v != 7 || err != nil || elapsedSince(ctx, start) != time.Second {
			t.Errorf("inner = %v, %v at %v; want 7, nil at 1s", v, err, elapsedSince(ctx, start))
		}
		return nil
	})
}

// When the shielded task itself is cancelled, Shield returns that
// cancellation, and the shielding task's own scope stays live.
// CPython: BaseTaskTests.test_shield_cancel_inner in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestShieldReturnsTheCancellationOfTheInnerTask(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 0, aio.Sleep(ctx, time.Hour)
		})
		var outerCtxErr error
		outer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			defer func() { outerCtxErr = ctx.Err() }()
			return aio.Shield(ctx, inner)
		})
		aio.Sleep(ctx, 0)
		inner.Cancel("inner")
		_, err := outer.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "inner" {
			t.Errorf("Shield of a cancelled task = %v, want its cancellation", err)
		}
		if outerCtxErr != nil {
			t.Errorf("the shielding task's own scope was cancelled: %v", outerCtxErr)
		}
		return nil
	})
}

// Shield of a future that is already done returns its outcome without
// yielding to the loop.
// CPython: BaseTaskTests.test_shield_shortcut in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestShieldOfADoneFutureReturnsItsResultWithoutYielding(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		ok := aio.NewFuture[string](ctx)
		ok.SetResult("v")
		boom := errors.New("boom")
		bad := aio.NewFuture[string](ctx)
		bad.SetError(boom)

		yielded := yieldProbe(ctx)
		v, err := aio.Shield(ctx, ok)
		_, err2 := aio.Shield(ctx, bad)
		if yielded() {
			t.Error("Shield of a done future yielded")
		}
		if v != "v" || err != nil || err2 != boom {
			t.Errorf("Shield = (%q, %v) and (_, %v); want (v, nil) and boom", v, err, err2)
		}
		return nil
	})
}

// asyncio's wait_for(shield(t), timeout) is Shield inside a timeout scope:
// the scope expires, the shielded task keeps running.
// CPython: WaitForShieldTests.test_shielded_timeout in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_waitfor.py
func TestShieldInsideAnExpiredTimeoutLeavesTheInnerTaskRunning(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		inner := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 9, aio.Sleep(ctx, 2*time.Second)
		})
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := aio.Shield(tctx, inner); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shield in an expired scope = %v, want a timeout", err)
		}
		if inner.Done() {
			t.Fatal("the shielded task finished early")
		}
		if v, err := inner.Await(ctx); v != 9 || err != nil {
			t.Errorf("shielded task = %v, %v; want 9, nil", v, err)
		}
		return nil
	})
}
