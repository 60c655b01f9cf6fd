package aio_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// spawnAndForget starts a failing task whose handle nobody keeps.
func spawnAndForget(l *aio.Loop, err error) {
	aio.Go(l, func(*aio.Context) error { return err })
}

// No error is lost silently, as asyncio's "Task exception was never
// retrieved": the error of a task that failed and was dropped is reported
// once the task is garbage, while the loop keeps running — not only when it
// closes. CPython: BaseFutureTests.test_tb_logger_exception_unretrieved in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_futures.py
func TestAnErrorNobodyRetrievedIsReportedWhenTheTaskIsCollected(t *testing.T) {
	boom := errors.New("boom")
	var got []aio.ExceptionContext
	var l *aio.Loop
	l = aio.NewLoop(aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		got = append(got, ec)
		l.Stop()
	}))
	defer l.Close()
	spawnAndForget(l, boom)
	runOneIteration(t, l) // the task runs and fails
	if len(got) != 0 {
		t.Fatalf("reported before the task was garbage: %+v", got)
	}
	// A watchdog only bounds a failure; the test passes as soon as the
	// report arrives.
	watchdog := time.AfterFunc(10*time.Second, func() { l.CallSoonThreadsafe(l.Stop) })
	defer watchdog.Stop()
	runtime.GC()
	runtime.GC()
	if err := l.RunForever(); err != nil { // returns when the handler stops it
		t.Fatal(err)
	}
	if len(got) != 1 || !errors.Is(got[0].Err, boom) || got[0].Message != "task error was never retrieved" || got[0].TaskName == "" {
		t.Fatalf("reports = %+v; want one 'never retrieved' for the collected task, with its name", got)
	}
}

// A task whose error was read is never reported, collected or not.
func TestARetrievedErrorIsNotReported(t *testing.T) {
	var got []aio.ExceptionContext
	l := aio.NewLoop(aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { got = append(got, ec) }))
	task := aio.Go(l, func(*aio.Context) error { return errors.New("seen") })
	runOneIteration(t, l)
	if task.Err() == nil {
		t.Fatal("the task should have failed")
	}
	task = nil
	runtime.GC()
	runtime.GC()
	runOneIteration(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("reports = %+v; want none", got)
	}
}
