package aio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestRunnerKeepsOneLoopAcrossRuns(t *testing.T) {
	r := aio.NewRunner(virtualClock())
	defer r.Close()
	var first, second *aio.Loop
	var bg *aio.Task[int]
	if err := r.Run(func(ctx *aio.Context) error {
		first = ctx.Loop()
		bg = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return 5, aio.Sleep(ctx, time.Second) })
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(func(ctx *aio.Context) error {
		second = ctx.Loop()
		// The task left by the first Run goes on in this one.
		v, err := bg.Await(ctx)
		if v != 5 {
			t.Errorf("the leftover task returned %v", v)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if first != second || first != r.Loop() {
		t.Errorf("the Runner's Run calls used different loops")
	}
}

func TestRunnerRunReturnsTheCoroutinesError(t *testing.T) {
	r := aio.NewRunner()
	defer r.Close()
	boom := errors.New("boom")
	if err := r.Run(func(*aio.Context) error { return boom }); err != boom {
		t.Errorf("Run = %v, want the coroutine's error", err)
	}
}

func TestRunnerCloseCancelsLeftoverTasksAndRunsTheirDefers(t *testing.T) {
	var reports []aio.ExceptionContext
	r := aio.NewRunner(virtualClock(), aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		reports = append(reports, ec)
	}))
	cleaned := false
	boom := errors.New("cleanup failed")
	if err := r.Run(func(ctx *aio.Context) error {
		aio.Go(ctx, func(ctx *aio.Context) error {
			defer func() { cleaned = true }()
			return aio.Sleep(ctx, time.Hour)
		})
		aio.Go(ctx, func(ctx *aio.Context) error {
			if err := aio.Sleep(ctx, time.Hour); err != nil {
				// Cleanup that waits (shielded), then fails.
				_ = aio.Sleep(aio.WithoutCancel(ctx), time.Millisecond)
				return boom
			}
			return nil
		})
		return aio.Sleep(ctx, 0) // both start (a task cancelled before it starts never runs)
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !cleaned {
		t.Errorf("the leftover task's defers did not run")
	}
	if len(reports) != 1 || !errors.Is(reports[0].Err, boom) {
		t.Errorf("reports %v, want exactly the leftover task's error", reports)
	}
	if r.Loop() != nil {
		t.Errorf("Loop after Close = %v, want nil", r.Loop())
	}
}

func TestRunnerRunAfterCloseFailsWithErrLoopClosedAndCloseTwiceIsANoop(t *testing.T) {
	r := aio.NewRunner()
	if err := r.Run(func(*aio.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("a second Close = %v, want nil", err)
	}
	if err := r.Run(func(*aio.Context) error { t.Error("ran after Close"); return nil }); !errors.Is(err, aio.ErrLoopClosed) {
		t.Errorf("Run after Close = %v, want ErrLoopClosed", err)
	}
	if err := aio.NewRunner().Close(); err != nil {
		t.Errorf("Close of a Runner that never ran = %v", err)
	}
}

func TestRunnerRunFromInsideItsLoopFailsWithErrLoopRunning(t *testing.T) {
	r := aio.NewRunner()
	defer r.Close()
	err := r.Run(func(ctx *aio.Context) error {
		if err := r.Run(func(*aio.Context) error { return nil }); !errors.Is(err, aio.ErrLoopRunning) {
			t.Errorf("nested Run = %v, want ErrLoopRunning", err)
		}
		if err := r.Close(); !errors.Is(err, aio.ErrLoopRunning) {
			t.Errorf("Close inside Run = %v, want ErrLoopRunning", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunnerRunWithANilFunctionPanics(t *testing.T) {
	r := aio.NewRunner()
	defer r.Close()
	if r := recoverPanic(func() { r.Run(nil) }); r == nil {
		t.Errorf("Run(nil) did not panic")
	}
}

func TestRunnerCloseStopsTheThreadPool(t *testing.T) {
	r := aio.NewRunner()
	if err := r.Run(func(ctx *aio.Context) error {
		_, err := aio.ToThread(ctx, func(context.Context) (int, error) { return 0, nil })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	noLeak(t)
}
