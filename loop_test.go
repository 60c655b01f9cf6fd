package aio_test

import (
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// CallSoon callbacks run in registration order.
// CPython: BaseEventLoopTests.test_call_soon in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestLoopRunsCallSoonCallbacksInRegistrationOrder(t *testing.T) {
	l := newLoop(t)
	var got []int
	for i := range 10 {
		l.CallSoon(func() { got = append(got, i) })
	}
	runOneIteration(t, l)
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

// One iteration runs only the callbacks ready when it starts; one they
// schedule runs in the next iteration, after a Stop on the next run.
// CPython: BaseEventLoopTests.test__run_once in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestLoopIterationRunsOnlyCallbacksReadyAtItsStart(t *testing.T) {
	l := newLoop(t)
	var got []string
	l.CallSoon(func() {
		got = append(got, "a")
		l.CallSoon(func() { got = append(got, "b-from-a") })
	})
	l.CallSoon(func() { got = append(got, "c") })
	runOneIteration(t, l) // stopped before running: exactly one iteration
	if want := []string{"a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("first run ran %v, want %v", got, want)
	}
	runOneIteration(t, l)
	if want := []string{"a", "c", "b-from-a"}; !slices.Equal(got, want) {
		t.Fatalf("second run ran %v, want %v", got, want)
	}
}

// A loop stopped before RunForever polls with timeout 0, so a pending timer
// neither fires nor makes the (virtual) clock move.
// CPython: BaseEventLoopTests.test_run_forever_pre_stopped in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestLoopStoppedBeforeRunForeverPollsWithoutWaiting(t *testing.T) {
	l := newLoop(t)
	fired := false
	l.CallLater(time.Hour, func() { fired = true })
	start := l.Time()
	runOneIteration(t, l)
	if fired || !l.Time().Equal(start) {
		t.Fatalf("fired=%v, clock moved by %v; want a zero-timeout poll", fired, l.Time().Sub(start))
	}
}

// Timers fire in deadline order, negative delays included, after the
// callbacks that were already ready.
// CPython: BaseEventLoopTests.test_call_later_negative_delays in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestLoopFiresNegativeDelaysInDeadlineOrderAfterReadyCallbacks(t *testing.T) {
	l := newLoop(t)
	var got []string
	l.CallLater(-time.Second, func() { got = append(got, "-1s") })
	l.CallLater(-2*time.Second, func() { got = append(got, "-2s") })
	l.CallSoon(func() { got = append(got, "soon") })
	runOneIteration(t, l)
	if want := []string{"soon", "-2s", "-1s"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

func TestLoopFiresTimersInDeadlineOrder(t *testing.T) {
	l := newLoop(t)
	var got []time.Duration
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		l.CallLater(d, func() { got = append(got, d) })
	}
	l.CallLater(4*time.Second, l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
}

// Stricter than asyncio, whose order for equal deadlines is undefined
// (https://docs.python.org/3/library/asyncio-eventloop.html#scheduling-delayed-callbacks);
// aio guarantees (see CallLater) that equal deadlines fire in scheduling
// order.
func TestLoopFiresTimersWithEqualDeadlinesInSchedulingOrder(t *testing.T) {
	l := newLoop(t)
	when := l.Time().Add(time.Second)
	var got, want []int
	for i := range 50 {
		want = append(want, i)
		l.CallAt(when, func() { got = append(got, i) })
	}
	l.CallAt(when, l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
}

// Within one iteration: the callbacks already ready, then what arrived while
// polling (a thread-safe post stands in for I/O), then expired timers, as
// asyncio's BaseEventLoop._run_once:
// https://github.com/python/cpython/blob/main/Lib/asyncio/base_events.py
func TestLoopIterationRunsReadyThenPostedThenTimers(t *testing.T) {
	l := newLoop(t)
	var got []string
	l.CallLater(0, func() { got = append(got, "timer") })
	if err := l.CallSoonThreadsafe(func() { got = append(got, "posted") }); err != nil {
		t.Fatal(err)
	}
	l.CallSoon(func() { got = append(got, "ready") })
	runOneIteration(t, l)
	if want := []string{"ready", "posted", "timer"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}

// A handle cancelled before it runs never runs; cancelling after is a no-op.
// CPython: HandleTests.test_handle in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_events.py
func TestHandleCancelBeforeRunPreventsTheCallback(t *testing.T) {
	l := newLoop(t)
	ran := 0
	h := l.CallSoon(func() { ran++ })
	h.Cancel()
	done := l.CallSoon(func() { ran += 10 })
	runOneIteration(t, l)
	if ran != 10 || !h.Cancelled() {
		t.Fatalf("ran=%d cancelled=%v; want only the second callback and Cancelled", ran, h.Cancelled())
	}
	done.Cancel() // after it ran: a no-op
	if done.Cancelled() {
		t.Fatal("Cancel after the callback ran reported Cancelled")
	}
}

func TestHandleCancelOfATimerPreventsItFromFiring(t *testing.T) {
	l := newLoop(t)
	fired := false
	h := l.CallLater(time.Second, func() { fired = true })
	l.CallLater(2*time.Second, l.Stop)
	h.Cancel()
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if fired || !h.Cancelled() {
		t.Fatalf("fired=%v cancelled=%v", fired, h.Cancelled())
	}
}

// CallSoonThreadsafe from another goroutine wakes a loop blocked polling and
// runs the callback on the loop goroutine.
// CPython: EventLoopTestsMixin.test_call_soon_threadsafe in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_events.py
func TestCallSoonThreadsafeWakesABlockedLoop(t *testing.T) {
	l := aio.NewLoop(aio.WithDebug(true)) // debug: a callback off the loop goroutine would panic
	defer l.Close()
	started := make(chan struct{})
	l.CallSoon(func() { close(started) })
	errc := make(chan error, 1)
	go func() {
		<-started // the loop has nothing left to run: it blocks in its poll
		errc <- l.CallSoonThreadsafe(func() { l.CallSoon(l.Stop) })
	}()
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("CallSoonThreadsafe: %v", err)
	}
}

// RunUntilComplete on a loop that is already running fails.
// CPython: EventLoopTestsMixin.test_run_until_complete_nesting in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_events.py
func TestRunUntilCompleteOnARunningLoopReturnsErrLoopRunning(t *testing.T) {
	l := newLoop(t)
	var nested, forever error
	task := aio.Go(l, func(ctx *aio.Context) error {
		nested = l.RunUntilComplete(aio.NewFuture[int](l))
		forever = l.RunForever()
		return nil
	})
	if err := l.RunUntilComplete(task); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(nested, aio.ErrLoopRunning) || !errors.Is(forever, aio.ErrLoopRunning) {
		t.Fatalf("RunUntilComplete=%v RunForever=%v, want ErrLoopRunning", nested, forever)
	}
}

// A loop stopped before the future completed makes RunUntilComplete fail.
// CPython: EventLoopTestsMixin.test_run_until_complete_stopped in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_events.py
func TestRunUntilCompleteStoppedFirstReturnsErrStoppedBeforeComplete(t *testing.T) {
	l := newLoop(t)
	f := aio.NewFuture[int](l)
	l.CallSoon(l.Stop)
	if err := l.RunUntilComplete(f); !errors.Is(err, aio.ErrStoppedBeforeComplete) {
		t.Fatalf("got %v, want ErrStoppedBeforeComplete", err)
	}
	l.CallSoon(func() { f.SetResult(7) }) // the loop is still usable
	if err := l.RunUntilComplete(f); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Result(); v != 7 {
		t.Fatalf("result %d, want 7", v)
	}
}

// RunUntilComplete rejects a future of another loop.
// CPython: BaseEventLoopTests.test_run_until_complete_loop in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestRunUntilCompleteRejectsAFutureOfAnotherLoop(t *testing.T) {
	l, other := newLoop(t), newLoop(t)
	got := recoverPanic(func() { l.RunUntilComplete(aio.NewFuture[int](other)) })
	if e, _ := got.(error); !errors.Is(e, aio.ErrWrongLoop) {
		t.Fatalf("RunUntilComplete of another loop's future: panic %v, want ErrWrongLoop", got)
	}
}

// Close on a running loop fails.
// CPython: EventLoopTestsMixin.test_close_running_event_loop in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_events.py
func TestCloseOnARunningLoopReturnsErrLoopRunning(t *testing.T) {
	l := newLoop(t)
	var err error
	l.CallSoon(func() { err = l.Close() })
	runOneIteration(t, l)
	if !errors.Is(err, aio.ErrLoopRunning) || l.IsClosed() {
		t.Fatalf("Close on running loop: %v (closed=%v), want ErrLoopRunning", err, l.IsClosed())
	}
}

// Close is idempotent, and a closed loop rejects new callbacks.
// CPython: BaseEventLoopTests.test_close in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestCloseIsIdempotentAndAClosedLoopRejectsWork(t *testing.T) {
	l := aio.NewLoop(virtualClock())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if !l.IsClosed() {
		t.Fatal("IsClosed false after Close")
	}
	expectMisuse(t, recoverPanic(func() { l.CallSoon(func() {}) }), aio.ErrLoopClosed, "Loop.CallSoon")
	expectMisuse(t, recoverPanic(func() { l.CallLater(time.Second, func() {}) }), aio.ErrLoopClosed, "Loop.CallLater")
	if err := l.CallSoonThreadsafe(func() {}); !errors.Is(err, aio.ErrLoopClosed) {
		t.Fatalf("CallSoonThreadsafe: %v, want ErrLoopClosed", err)
	}
	if err := l.RunForever(); !errors.Is(err, aio.ErrLoopClosed) {
		t.Fatalf("RunForever: %v, want ErrLoopClosed", err)
	}
}

// A panic in a callback goes to the exception handler with the handle, and
// the loop carries on.
// CPython: BaseEventLoopTests.test_default_exc_handler_callback in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestPanicInACallbackGoesToTheExceptionHandlerAndTheLoopContinues(t *testing.T) {
	var reports []aio.ExceptionContext
	l := newLoop(t, aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		reports = append(reports, ec)
	}))
	h := l.CallSoon(func() { panic("boom") })
	after := false
	l.CallSoon(func() { after = true })
	runOneIteration(t, l)
	if !after {
		t.Fatal("the callback after the panicking one did not run")
	}
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	var pe *aio.PanicError
	if ec := reports[0]; ec.Handle != h || !errors.As(ec.Err, &pe) || pe.Value != "boom" {
		t.Fatalf("report %+v; want the handle and a *PanicError with value boom", ec)
	}
}

// A panic in a custom exception handler is caught and logged.
// CPython: BaseEventLoopTests.test_set_exc_handler_broken in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_base_events.py
func TestPanickingExceptionHandlerIsCaughtAndLogged(t *testing.T) {
	var logs syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(old)

	l := newLoop(t, aio.WithExceptionHandler(func(*aio.Loop, aio.ExceptionContext) { panic("handler broke") }))
	l.CallSoon(func() { panic("boom") })
	after := false
	l.CallSoon(func() { after = true })
	runOneIteration(t, l)
	if !after {
		t.Fatal("the loop stopped after the exception handler panicked")
	}
	out := logs.String()
	if !strings.Contains(out, "handler broke") || !strings.Contains(out, "boom") {
		t.Fatalf("default handler log %q should mention both the handler's panic and the original one", out)
	}
}

func TestDebugModeCallSoonFromAnotherGoroutinePanicsWithAnExplanation(t *testing.T) {
	l := newLoop(t, aio.WithDebug(true))
	var got any
	l.CallSoon(func() {
		ch := make(chan any)
		go func() { ch <- recoverPanic(func() { l.CallSoon(func() {}) }) }()
		got = <-ch // the loop is blocked here, so the goroutine reads a stable loop
	})
	runOneIteration(t, l)
	expectMisuse(t, got, aio.ErrWrongGoroutine, "Loop.CallSoon", "CallSoonThreadsafe")
}

// A deadline so far in the past that it is out of the loop's range fires in
// the next iteration without moving the clock.
func TestCallAtADeadlineFarInThePastFiresAtOnce(t *testing.T) {
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))))
	defer l.Close()
	l.CallLater(time.Second, l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	start := l.Time()
	fired := false
	l.CallAt(time.Time{}, func() { fired = true })
	l.CallLater(time.Second, l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if !fired || l.Time().Sub(start) != time.Second {
		t.Fatalf("fired=%v, clock moved %v; want fired and 1s", fired, l.Time().Sub(start))
	}
}

func TestCallLaterWithTheLargestDurationNeverFiresAndDoesNotOverflow(t *testing.T) {
	l := newLoop(t)
	l.CallLater(time.Hour, l.Stop) // move the clock off zero first
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	fired := false
	h := l.CallLater(math.MaxInt64, func() { fired = true })
	l.CallLater(time.Hour, l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if fired {
		t.Fatal("a timer of math.MaxInt64 fired")
	}
	if !h.When().After(l.Time()) {
		t.Fatalf("deadline %v is not after now %v: it overflowed", h.When(), l.Time())
	}
}
