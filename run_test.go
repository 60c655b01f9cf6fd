package aio_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

// Run returns what main returns.
// CPython: RunTests.test_asyncio_run_return in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_runners.py
func TestRunReturnsTheErrorOfMain(t *testing.T) {
	sentinel := errors.New("main failed")
	err := runMain(t, func(ctx *aio.Context) error {
		aio.Sleep(ctx, time.Second)
		return sentinel
	}, virtualClock())
	if err != sentinel {
		t.Fatalf("Run returned %v, want main's error", err)
	}
}

// Run cancels the tasks still pending when main returns and waits for them.
// CPython: RunTests.test_asyncio_run_cancels_hanging_tasks in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_runners.py
func TestRunCancelsPendingTasksAndRunsTheirDefers(t *testing.T) {
	var hanging *aio.Task[struct{}]
	deferRan := false
	runVirtual(t, func(ctx *aio.Context) error {
		hanging = aio.Go(ctx, func(ctx *aio.Context) error {
			defer func() { deferRan = true }()
			return aio.Sleep(ctx, time.Hour)
		})
		return aio.Sleep(ctx, 0)
	})
	if !deferRan || !hanging.Cancelled() {
		t.Fatalf("defer ran=%v, task cancelled=%v; want both", deferRan, hanging.Cancelled())
	}
}

// Errors of tasks cancelled at shutdown go to the exception handler.
// CPython: RunTests.test_asyncio_run_reports_hanging_tasks_errors in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_runners.py
func TestRunReportsErrorsOfTasksCancelledAtShutdown(t *testing.T) {
	var reports handlerReports
	cleanupErr := errors.New("cleanup failed")
	var hanging *aio.Task[struct{}]
	err := aio.Run(func(ctx *aio.Context) error {
		hanging = aio.Go(ctx, func(ctx *aio.Context) error {
			aio.Sleep(ctx, time.Hour)
			return cleanupErr
		})
		return aio.Sleep(ctx, 0)
	}, virtualClock(), reports.option())
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || !errors.Is(reports[0].Err, cleanupErr) || reports[0].Task != aio.AnyTask(hanging) {
		t.Fatalf("reports %+v; want one for the hanging task's cleanup error", reports)
	}
}

// The error of a task nobody awaited is reported ("Task exception was never
// retrieved").
// CPython: BaseFutureTests.test_tb_logger_exception_unretrieved in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestRunReportsTaskErrorsNobodyRetrieved(t *testing.T) {
	var reports handlerReports
	lost, seen := errors.New("lost"), errors.New("seen")
	var orphan *aio.Task[struct{}]
	err := aio.Run(func(ctx *aio.Context) error {
		orphan = aio.Go(ctx, func(*aio.Context) error { return lost })
		awaited := aio.Go(ctx, func(*aio.Context) error { return seen })
		aio.Go(ctx, func(*aio.Context) error { return nil })
		awaited.Await(ctx)
		return aio.Sleep(ctx, time.Second)
	}, virtualClock(), reports.option())
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Err != lost || reports[0].Task != aio.AnyTask(orphan) ||
		!strings.Contains(reports[0].Message, "never retrieved") {
		t.Fatalf("reports %+v; want exactly one 'never retrieved' for the orphan", reports)
	}
}

// Run inside a running loop fails.
// CPython: RunTests.test_asyncio_run_from_running_loop in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_runners.py
func TestRunInsideARunningLoopReturnsErrNestedRun(t *testing.T) {
	noop := func(*aio.Context) error { return nil }
	var fromTask, fromCallback error
	runVirtual(t, func(ctx *aio.Context) error {
		fromTask = aio.Run(noop)
		ctx.Loop().CallSoon(func() { fromCallback = aio.Run(noop) })
		return aio.Sleep(ctx, 0)
	})
	if !errors.Is(fromTask, aio.ErrNestedRun) || !errors.Is(fromCallback, aio.ErrNestedRun) {
		t.Fatalf("from a task: %v, from a callback: %v; want ErrNestedRun", fromTask, fromCallback)
	}
}

// Goexit policy (doc.go): Goexit in a task ends the goroutine that called
// Run, after every other task was cancelled and unwound.
func TestGoexitInATaskEndsRunsGoroutineAfterUnwindingTheOtherTasks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var reports handlerReports
	done := make(chan struct{})
	returned, otherDeferRan := false, false
	go func() {
		defer close(done)
		aio.Run(func(ctx *aio.Context) error {
			aio.Go(ctx, func(ctx *aio.Context) error {
				defer func() { otherDeferRan = true }()
				return aio.Sleep(ctx, time.Hour)
			})
			aio.Sleep(ctx, 0)
			runtime.Goexit()
			return nil
		}, virtualClock(), reports.option())
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("Run returned after a task called runtime.Goexit")
	}
	if !otherDeferRan {
		t.Fatal("the other task's defer did not run")
	}
}

// Goexit policy (doc.go), with a loop used directly.
func TestALoopWhoseTaskCalledGoexitCanStillBeClosed(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var reports handlerReports
	l := aio.NewLoop(virtualClock(), reports.option())
	otherDeferRan := false
	other := aio.Go(l, func(ctx *aio.Context) error {
		defer func() { otherDeferRan = true }()
		return aio.Sleep(ctx, time.Hour)
	})
	quitter := aio.Go(l, func(*aio.Context) error { runtime.Goexit(); return nil })
	done := make(chan struct{})
	returned := false
	go func() {
		defer close(done)
		l.RunUntilComplete(quitter)
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("RunUntilComplete returned after a task called runtime.Goexit")
	}
	if l.IsRunning() {
		t.Fatal("the loop still claims to be running")
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The other task ran first and, suspending, handed the loop on to the
	// quitter (the direct hand-off), so the Goexit went through its
	// coroutine too: it ends with ErrGoexit or, had it suspended to the
	// loop goroutine, cancelled by Close. Either way its defer ran and it is
	// done.
	if !otherDeferRan || !other.Done() || !(other.Cancelled() || errors.Is(other.Err(), aio.ErrGoexit)) {
		t.Fatalf("other task: defer ran=%v done=%v err=%v; want its defer run and the task ended",
			otherDeferRan, other.Done(), other.Err())
	}
	if err := quitter.Err(); !errors.Is(err, aio.ErrGoexit) {
		t.Fatalf("quitter error %v, want ErrGoexit", err)
	}
}

// Goexit policy: a task torn down by a Goexit while it waited in Queue.Get
// leaves no trace in the queue: a later put is not handed to it.
func TestAQueueSkipsAWaiterEndedByGoexit(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	q := aio.NewQueue[int](0)
	l := aio.NewLoop(virtualClock())
	getter := aio.Spawn(l, func(ctx *aio.Context) (int, error) { return q.Get(ctx) })
	quitter := aio.Go(l, func(*aio.Context) error { runtime.Goexit(); return nil })
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.RunUntilComplete(quitter)
	}()
	<-done
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if !getter.Done() {
		t.Fatal("the getter is still pending after Close")
	}
	if err := q.PutNowait(7); err != nil {
		t.Fatal(err)
	}
	if q.Len() != 1 {
		t.Fatalf("Len = %d after PutNowait: the item went to a dead getter", q.Len())
	}
}
