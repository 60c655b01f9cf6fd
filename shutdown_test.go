package aio_test

import (
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Run stops where asyncio.run stops: from a callback scheduled when main
// completes, so a task spawned in main's last step gets its first step
// before the shutdown cancels it.
func TestRunGivesTasksSpawnedInMainsLastStepTheirFirstStep(t *testing.T) {
	started := false
	err := aio.Run(func(ctx *aio.Context) error {
		aio.Go(ctx, func(ctx *aio.Context) error {
			started = true
			return aio.Sleep(ctx, time.Hour)
		})
		return nil
	}, virtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if !started {
		t.Fatal("the task spawned in main's last step never started")
	}
}

// RunUntilComplete runs the callbacks the completing step scheduled in the
// same call (asyncio stops from the future's done callback).
func TestRunUntilCompleteRunsWhatTheLastStepScheduled(t *testing.T) {
	l := newLoop(t)
	ran := false
	task := aio.Go(l, func(ctx *aio.Context) error {
		ctx.Loop().CallSoon(func() { ran = true })
		return nil
	})
	if err := l.RunUntilComplete(task); err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Fatal("the callback scheduled by the last step did not run in the same RunUntilComplete")
	}
}

// A retry loop that drops Sleep's error spins after cancellation (every
// await fails at once) and keeps Run from returning: Run says which task it
// is waiting for, and for how long.
func TestRunReportsTheTasksItIsStillWaitingForAtShutdown(t *testing.T) {
	logs := logCapture(t)
	var release atomic.Bool
	go func() {
		for !strings.Contains(logs(), "stubborn") {
			runtime.Gosched()
		}
		release.Store(true)
	}()
	err := aio.Run(func(ctx *aio.Context) error {
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			for !release.Load() {
				_ = aio.Sleep(ctx, time.Second) // error ignored: spins once cancelled
			}
			return nil
		})
		task.SetName("stubborn")
		return aio.Sleep(ctx, 0)
	}, aio.WithShutdownReport(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if out := logs(); !strings.Contains(out, "still waiting") || !strings.Contains(out, "stubborn") {
		t.Fatalf("log %q; want a report naming the task", out)
	}
}

// A TaskGroup whose Wait is never called (the owner returned early) does
// not swallow its children's failures: they are reported.
func TestTaskGroupFailuresAreReportedWhenWaitIsNeverCalled(t *testing.T) {
	boom := errors.New("boom")
	var reported []error
	aio.Run(func(ctx *aio.Context) error {
		tg, _ := aio.NewTaskGroup(ctx)
		tg.Go(func(ctx *aio.Context) error { return boom })
		return aio.Sleep(ctx, time.Second)
	}, virtualClock(), aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { reported = append(reported, ec.Err) }))
	if len(reported) != 1 || !errors.Is(reported[0], boom) {
		t.Fatalf("reported %v; want the child's failure", reported)
	}
}
