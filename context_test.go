package aio_test

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// A scope's Done channel closes at its deadline on the real clock even while
// a blocking call holds the loop, and Go code layered on the scope
// (context.WithTimeout children, net/http) sees the deadline, not a hang.
func TestScopeDeadlineReachesGoCodeWhileTheLoopIsHeld(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() { // accepts, never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	err = aio.Run(func(ctx *aio.Context) error {
		scope, cancel := aio.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		// A plain blocking wait: the loop does not run its timers meanwhile.
		<-scope.Done()
		if d := time.Since(start); d < 190*time.Millisecond {
			t.Errorf("Done closed after %v, before the deadline", d)
		}
		if !errors.Is(scope.Err(), context.DeadlineExceeded) {
			t.Errorf("Err() = %v, want context.DeadlineExceeded", scope.Err())
		}

		scope2, cancel2 := aio.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel2()
		child, cancelChild := context.WithTimeout(scope2, 10*time.Second)
		defer cancelChild()
		start = time.Now()
		<-child.Done()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the context.WithTimeout child fired after %v, not with its aio parent", d)
		}

		scope3, cancel3 := aio.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel3()
		req, _ := http.NewRequestWithContext(scope3, "GET", "http://"+ln.Addr().String()+"/", nil)
		start = time.Now()
		resp, err := client.Do(req) // blocks the loop (aio's own HTTP client does not)
		if resp != nil {
			resp.Body.Close()
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the request returned after %v", d)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("request error %v, want context.DeadlineExceeded", err)
		}
		// The loop sees the expiry at once, level-triggered.
		if err := aio.Sleep(scope3, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep in the expired scope = %v, want a timeout", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// context.AfterFunc on a *Context uses its AfterFunc method: no watcher
// goroutine runs while the scope is live.
func TestAfterFuncOnAScopeStartsNoWatcherGoroutine(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		scope, cancel := aio.WithCancel(ctx)
		before := runtime.NumGoroutine()
		var fired atomic.Int32
		done := make(chan struct{})
		stops := make([]func() bool, 100)
		for i := range stops {
			stops[i] = context.AfterFunc(scope, func() {
				if fired.Add(1) == 100 {
					close(done)
				}
			})
		}
		children := make([]context.CancelFunc, 100)
		for i := range children {
			_, children[i] = context.WithCancel(scope)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("%d goroutines started for 100 AfterFuncs and 100 children", n-before)
		}
		cancel()
		<-done
		for _, c := range children {
			c()
		}
		if stops[0]() {
			t.Error("stop after the function ran reported true")
		}
		return nil
	})
}

// AfterFunc's stop prevents the function from running.
func TestAfterFuncStopPreventsTheCall(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		scope, cancel := aio.WithCancel(ctx)
		stop := scope.AfterFunc(func() { t.Error("stopped function ran") })
		if !stop() {
			t.Error("stop = false before the scope was cancelled")
		}
		cancel()
		return aio.Sleep(ctx, 0)
	})
}

// ContextOf finds the task Context behind values layered on it.
func TestContextOfFindsTheTaskContextBehindValues(t *testing.T) {
	type key struct{}
	runVirtual(t, func(ctx *aio.Context) error {
		var layered context.Context = context.WithValue(ctx, key{}, "v")
		layered, cancel := context.WithCancel(layered)
		defer cancel()
		got, ok := aio.ContextOf(layered)
		if !ok || got != ctx {
			t.Fatalf("ContextOf = %v, %v; want the task's Context", got, ok)
		}
		if layered.Value(key{}) != "v" {
			t.Error("the layered value is lost")
		}
		if _, ok := aio.ContextOf(context.Background()); ok {
			t.Error("ContextOf(Background) found a Context")
		}
		return aio.Sleep(got, 0)
	})
}

// When a task returns, its Context is done with ErrTaskFinished as the
// cause, so goroutines watching it end (as net/http cancels a request's
// context when the handler returns).
func TestATasksContextIsDoneWhenTheTaskEnds(t *testing.T) {
	var watchers sync.WaitGroup
	var hooks atomic.Int32
	runVirtual(t, func(ctx *aio.Context) error {
		var tasks []*aio.Task[struct{}]
		for range 100 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				scope, cancel := aio.WithCancel(ctx)
				_ = cancel // not called: the end of the task releases it
				watchers.Add(1)
				go func() { defer watchers.Done(); <-ctx.Done(); <-scope.Done() }()
				context.AfterFunc(ctx, func() { hooks.Add(1) })
				return aio.Sleep(ctx, time.Millisecond)
			}))
		}
		if _, err := aio.Gather(ctx, tasks...); err != nil {
			return err
		}
		c := tasks[0].Context()
		if !errors.Is(c.Err(), context.Canceled) || !errors.Is(context.Cause(c), aio.ErrTaskFinished) && c.Cause() != aio.ErrTaskFinished {
			t.Errorf("finished task's Context: Err %v, Cause %v", c.Err(), c.Cause())
		}
		if tasks[0].Cancelled() {
			t.Error("a task that returned normally counts as cancelled")
		}
		return nil
	})
	watchers.Wait() // hangs if a watcher is never released
	for hooks.Load() != 100 {
		runtime.Gosched()
	}
}

// A Done call racing with the loop's cancellation of the scope neither
// panics nor deadlocks (it used to close the channel twice).
func TestDoneRacingWithCancellationIsSafe(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		for range 2000 {
			scope, cancel := aio.WithCancel(ctx)
			inner, cancelInner := aio.WithCancel(scope)
			started := make(chan struct{})
			finished := make(chan struct{})
			go func() {
				close(started)
				for scope.Err() == nil {
				}
				<-scope.Done()
				<-inner.Done()
				close(finished)
			}()
			<-started
			cancel()
			<-finished
			cancelInner()
		}
		return nil
	})
}

// A scope's CancelFunc is safe from any goroutine: the usual
// go func() { ...; cancel() }() wakes the task parked in the scope.
func TestCancelFuncFromAnotherGoroutineWakesTheTask(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		scope, cancel := aio.WithCancel(ctx)
		go cancel()
		err := aio.Sleep(scope, time.Hour) // real clock: only the cancel ends it
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep = %v, want a cancellation", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Deadlines of nested scopes: a child's deadline is the earlier of its own
// and its parent's, and cancelling the parent closes the child's Done.
func TestNestedScopeDoneFollowsTheParent(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		outer, cancel := aio.WithCancel(ctx)
		inner, cancelInner := aio.WithTimeout(outer, time.Hour)
		defer cancelInner()
		shielded := aio.WithoutCancel(inner)
		d := inner.Done()
		cancel()
		select {
		case <-d:
		default:
			t.Error("inner Done not closed after the parent was cancelled")
		}
		select {
		case <-shielded.Done():
			t.Error("a WithoutCancel scope's Done closed with its parent")
		default:
		}
		if inner.Err() != context.Canceled {
			t.Errorf("inner.Err() = %v", inner.Err())
		}
		return nil
	})
}

// A WithoutCancel scope ignores cancellation but is done when its task ends.
func TestAShieldedScopeIsDoneWhenItsTaskEnds(t *testing.T) {
	var shielded *aio.Context
	var ch <-chan struct{}
	runVirtual(t, func(ctx *aio.Context) error {
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			shielded = aio.WithoutCancel(ctx)
			ch = shielded.Done()
			return aio.Sleep(ctx, time.Second)
		})
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		task.Cancel()
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		_, _ = task.Result()
		return nil
	})
	select {
	case <-ch:
	default:
		t.Fatal("the shielded scope's Done is open after its task ended")
	}
}

func TestCancelIsLevelTriggeredEveryAwaitFailsUntilTheTaskReturns(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var errs []error
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			// Swallow every error and carry on: nothing may wait.
			errs = append(errs, aio.Sleep(ctx, time.Hour))
			errs = append(errs, aio.Sleep(ctx, time.Hour))
			errs = append(errs, aio.Sleep(ctx, 0))
			_, err := aio.NewFuture[int](ctx).Await(ctx)
			errs = append(errs, err)
			_, err = aio.NewQueue[int](0).Get(ctx)
			errs = append(errs, err)
			return nil
		})
		if err := aio.Sleep(ctx, 0); err != nil { // let it park in the first Sleep
			return err
		}
		task.Cancel("stop")
		if err := task.Err(); err != aio.ErrInvalidState {
			t.Fatalf("task finished before it could see the cancellation: %v", err)
		}
		if _, err := task.Await(ctx); err != nil {
			t.Errorf("task that swallowed its cancellation: Await = %v, want nil", err)
		}
		if len(errs) != 5 {
			t.Fatalf("got %d await results, want 5", len(errs))
		}
		for i, err := range errs {
			var ce *aio.CancelledError
			if !errors.As(err, &ce) || ce.Message != "stop" {
				t.Errorf("await %d after Cancel returned %v, want *CancelledError(stop)", i, err)
			}
		}
		if d := elapsedSince(ctx, start); d != 0 {
			t.Errorf("a cancelled task waited %v", d)
		}
		return nil
	})
}

func TestCancelErrorIsContextCanceledAndCarriesTheMessage(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var inner error
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			inner = aio.Sleep(ctx, time.Hour)
			if ctx.Err() != context.Canceled {
				t.Errorf("ctx.Err() = %v, want exactly context.Canceled", ctx.Err())
			}
			if ctx.Cause() != inner {
				t.Errorf("ctx.Cause() = %v, want the error awaits return (%v)", ctx.Cause(), inner)
			}
			return inner
		})
		aio.Sleep(ctx, 0)
		if !task.Cancel("shutting down") {
			t.Error("Cancel of a pending task returned false")
		}
		_, err := task.Await(ctx)
		for _, e := range []error{inner, err} {
			if !errors.Is(e, context.Canceled) || errors.Is(e, context.DeadlineExceeded) {
				t.Errorf("error %v: want context.Canceled only", e)
			}
			var ce *aio.CancelledError
			if !errors.As(e, &ce) || ce.Message != "shutting down" {
				t.Errorf("error %v does not carry the cancel message", e)
			}
		}
		if !task.Cancelled() {
			t.Error("task that returned its cancellation is not Cancelled()")
		}
		if task.Cancel("again") {
			t.Error("Cancel of a done task returned true")
		}
		return nil
	})
}

// An expired WithTimeout scope fails the awaits inside it with a
// *TimeoutError (context.DeadlineExceeded), reports its deadline, and leaves
// the enclosing scope, and so the rest of the body, running.
// CPython: TimeoutTests.test_timeout_basic and test_reschedule in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestWithTimeoutScopeExpiresWithDeadlineExceededAndLeavesTheBodyRunning(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		tctx, cancel := aio.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if dl, ok := tctx.Deadline(); !ok || !dl.Equal(start.Add(3*time.Second)) {
			t.Errorf("Deadline() = %v, %v; want %v, true", dl, ok, start.Add(3*time.Second))
		}
		if _, ok := ctx.Deadline(); ok {
			t.Error("the task's root scope reports a deadline")
		}
		err := aio.Sleep(tctx, time.Hour)
		var te *aio.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			t.Errorf("Sleep in expired scope = %v, want a *TimeoutError only", err)
		}
		if d := elapsedSince(ctx, start); d != 3*time.Second {
			t.Errorf("scope expired after %v, want 3s", d)
		}
		if tctx.Err() != context.DeadlineExceeded || tctx.Cause() != err {
			t.Errorf("tctx.Err() = %v, Cause() = %v", tctx.Err(), tctx.Cause())
		}
		if ctx.Err() != nil {
			t.Errorf("the enclosing scope is cancelled: %v", ctx.Err())
		}
		return aio.Sleep(ctx, time.Second) // the body carries on
	})
}

// A WithDeadline scope reports its deadline and expires exactly at it.
// CPython: TimeoutTests.test_timeout_basic and test_reschedule in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestWithDeadlineScopeExpiresAtTheDeadline(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		at := ctx.Loop().Time().Add(2 * time.Second)
		dctx, cancel := aio.WithDeadline(ctx, at)
		defer cancel()
		if dl, ok := dctx.Deadline(); !ok || !dl.Equal(at) {
			t.Errorf("Deadline() = %v, %v; want %v, true", dl, ok, at)
		}
		if err := aio.Sleep(dctx, time.Second); err != nil {
			t.Errorf("Sleep before the deadline = %v", err)
		}
		if err := aio.Sleep(dctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep across the deadline = %v", err)
		}
		if now := ctx.Loop().Time(); !now.Equal(at) {
			t.Errorf("expired at %v, want %v", now, at)
		}
		return nil
	})
}

// A timeout too large to represent is no deadline at all (asyncio's
// timeout(None)).
// CPython: TimeoutTests.test_timeout_disabled in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestWithTimeoutTooLargeToRepresentNeverFires(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tctx, cancel := aio.WithTimeout(ctx, time.Duration(math.MaxInt64))
		defer cancel()
		if dl, ok := tctx.Deadline(); ok {
			t.Errorf("Deadline() = %v, true; want no deadline", dl)
		}
		if err := aio.Sleep(tctx, 10000*time.Hour); err != nil {
			t.Errorf("Sleep = %v", err)
		}
		return nil
	})
}

// Of nested timeouts only the expired scope fails, and the body around it
// carries on; when the outer one expires first, the inner scope's awaits fail
// with it. A nested scope reports the earlier of the two deadlines.
// CPython: TimeoutTests.test_nested_timeouts and
// test_nested_timeouts_concurrent in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestNestedTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		outer, inner time.Duration
		innerSleep   time.Duration
		outerExpires bool
	}{
		{"only the expired inner scope errs", 10 * time.Second, time.Second, time.Hour, false},
		{"the outer expiring reaches the inner scope", time.Second, time.Hour, time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runVirtual(t, func(ctx *aio.Context) error {
				start := ctx.Loop().Time()
				outer, cancel := aio.WithTimeout(ctx, tc.outer)
				defer cancel()
				inner, cancel2 := aio.WithTimeout(outer, tc.inner)
				defer cancel2()
				first := min(tc.outer, tc.inner)
				if dl, ok := inner.Deadline(); !ok || !dl.Equal(start.Add(first)) {
					t.Errorf("inner Deadline() = %v, %v; want the earlier one, %v", dl, ok, start.Add(first))
				}
				if err := aio.Sleep(inner, tc.innerSleep); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("inner Sleep = %v, want a timeout", err)
				}
				if inner.Err() != context.DeadlineExceeded {
					t.Errorf("inner.Err() = %v", inner.Err())
				}
				body := outer
				if tc.outerExpires {
					if outer.Err() != context.DeadlineExceeded {
						t.Errorf("outer.Err() = %v, want context.DeadlineExceeded", outer.Err())
					}
					body = ctx
				} else if outer.Err() != nil {
					t.Errorf("outer scope cancelled by the inner timeout: %v", outer.Err())
				}
				if err := aio.Sleep(body, 2*time.Second); err != nil {
					t.Errorf("the body after the timeout: Sleep = %v", err)
				}
				if d := elapsedSince(ctx, start); d != first+2*time.Second {
					t.Errorf("elapsed %v, want %v", d, first+2*time.Second)
				}
				return nil
			})
		})
	}
}

// A zero timeout, or a deadline in the past, fails even Sleep(ctx, 0).
// CPython: TimeoutTests.test_timeout_zero_sleep_zero and
// test_timeout_in_the_past_sleep_zero in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestZeroTimeoutFailsEvenSleepZero(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tctx, cancel := aio.WithTimeout(ctx, 0)
		defer cancel()
		if err := aio.Sleep(tctx, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep(0) in WithTimeout(0) = %v", err)
		}
		past, cancel2 := aio.WithDeadline(ctx, ctx.Loop().Time().Add(-time.Second))
		defer cancel2()
		if err := aio.Sleep(past, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep(0) with a past deadline = %v", err)
		}
		return nil
	})
}

// Cancelling the task inside a timeout scope that has not expired is a
// cancellation, not a timeout.
// CPython: TimeoutTests.test_foreign_cancel_doesnt_timeout_if_not_expired in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestExternalCancelInsideAPendingTimeoutIsACancellationNotATimeout(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var inner error
		var tctx *aio.Context
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			var cancel aio.CancelFunc
			tctx, cancel = aio.WithTimeout(ctx, time.Hour)
			defer cancel()
			inner = aio.Sleep(tctx, 2*time.Hour)
			return inner
		})
		aio.Sleep(ctx, 0)
		task.Cancel("external")
		task.Await(ctx)
		if !errors.Is(inner, context.Canceled) || errors.Is(inner, context.DeadlineExceeded) {
			t.Errorf("Sleep = %v, want a cancellation, not a timeout", inner)
		}
		if tctx.Err() != context.Canceled {
			t.Errorf("timeout scope Err() = %v, want context.Canceled", tctx.Err())
		}
		return nil
	})
}

// A timeout the task handled leaves Cancelling() where it was.
// CPython: TimeoutTests.test_outer_task_is_not_cancelled in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_timeouts.py
func TestAnExpiredTimeoutDoesNotCountAsACancelOfTheTask(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			tctx, cancel := aio.WithTimeout(ctx, time.Second)
			defer cancel()
			aio.Sleep(tctx, time.Hour)
			return aio.Sleep(ctx, time.Second)
		})
		if _, err := task.Await(ctx); err != nil {
			t.Errorf("task = %v", err)
		}
		if task.Cancelling() != 0 || task.Cancelled() {
			t.Errorf("Cancelling() = %d, Cancelled() = %v after a handled timeout", task.Cancelling(), task.Cancelled())
		}
		return nil
	})
}

func TestWithCancelScopeCancelsOnlyItsOwnAwaits(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		cctx, cancel := aio.WithCancel(ctx)
		cancel()
		cancel() // a second call does nothing
		if err := aio.Sleep(cctx, time.Second); !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep in a cancelled scope = %v", err)
		}
		if cctx.Err() != context.Canceled || ctx.Err() != nil {
			t.Errorf("cctx.Err() = %v, ctx.Err() = %v", cctx.Err(), ctx.Err())
		}
		return aio.Sleep(ctx, time.Second)
	})
}

func TestWithoutCancelLetsCleanupWaitInACancelledTask(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var first, cleanup, timed error
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			first = aio.Sleep(ctx, time.Hour)
			shielded := aio.WithoutCancel(ctx)
			cleanup = aio.Sleep(shielded, 2*time.Second)
			tctx, cancel := aio.WithTimeout(shielded, time.Second)
			defer cancel()
			timed = aio.Sleep(tctx, time.Hour)
			return first
		})
		aio.Sleep(ctx, 0)
		task.Cancel("")
		task.Await(ctx)
		if !errors.Is(first, context.Canceled) || cleanup != nil {
			t.Errorf("first = %v, shielded cleanup = %v; want a cancellation, then nil", first, cleanup)
		}
		if !errors.Is(timed, context.DeadlineExceeded) {
			t.Errorf("timeout inside a shielded scope = %v, want a timeout", timed)
		}
		if d := elapsedSince(ctx, start); d != 3*time.Second {
			t.Errorf("cleanup took %v, want 3s", d)
		}
		return nil
	})
}

func TestContextDoneAndErrAreObservableFromAnotherGoroutine(t *testing.T) {
	// watch hands ctx to a goroutine that waits for Done and reports Err
	// back to the loop.
	watch := func(loop *aio.Loop, ctx context.Context, report *aio.Future[error]) {
		go func() {
			<-ctx.Done()
			err := ctx.Err()
			loop.CallSoonThreadsafe(func() { report.SetResult(err) })
		}()
	}
	runVirtual(t, func(ctx *aio.Context) error {
		loop := ctx.Loop()

		cctx, cancel := aio.WithCancel(ctx)
		canceled := aio.NewFuture[error](ctx)
		watch(loop, cctx, canceled)
		select {
		case <-cctx.Done():
			t.Error("Done closed before cancellation")
		default:
		}
		if cctx.Err() != nil {
			t.Errorf("Err() = %v before cancellation", cctx.Err())
		}
		cancel()
		if err, _ := canceled.Await(ctx); err != context.Canceled {
			t.Errorf("goroutine saw Err() = %v, want exactly context.Canceled", err)
		}

		tctx, cancel2 := aio.WithTimeout(ctx, time.Second)
		defer cancel2()
		expired := aio.NewFuture[error](ctx)
		watch(loop, tctx, expired)
		if err, _ := expired.Await(ctx); err != context.DeadlineExceeded {
			t.Errorf("goroutine saw Err() = %v, want exactly context.DeadlineExceeded", err)
		}

		task := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		root := aio.NewFuture[error](ctx)
		watch(loop, task.Context(), root)
		aio.Sleep(ctx, 0)
		task.Cancel("")
		if err, _ := root.Await(ctx); err != context.Canceled {
			t.Errorf("goroutine saw the task's root Err() = %v, want context.Canceled", err)
		}
		task.Await(ctx)
		return nil
	})
}

type valueKey struct{}

func TestContextWorksWithPlainGoContextAPIs(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		cctx, cancel := aio.WithCancel(ctx)
		var std context.Context = cctx
		derived, stop := context.WithTimeout(std, time.Hour)
		defer stop()
		valued := context.WithValue(derived, valueKey{}, "v")
		if valued.Value(valueKey{}) != "v" || cctx.Value(valueKey{}) != nil {
			t.Error("context.WithValue over an aio scope")
		}
		got := aio.NewFuture[error](ctx)
		loop := ctx.Loop()
		go func() {
			<-valued.Done()
			err := valued.Err()
			loop.CallSoonThreadsafe(func() { got.SetResult(err) })
		}()
		cancel()
		if err, _ := got.Await(ctx); err != context.Canceled {
			t.Errorf("derived context Err() = %v, want context.Canceled", err)
		}
		return nil
	})
}

type baseKey struct{}

// WithBaseContext makes values reachable through every task's Context, for
// Go APIs that read request-scoped values.
func TestBaseContextValuesReachEveryTask(t *testing.T) {
	base := context.WithValue(context.Background(), baseKey{}, "trace-42")
	var got []any
	err := aio.Run(func(ctx *aio.Context) error {
		got = append(got, ctx.Value(baseKey{}))
		child := aio.Spawn(ctx, func(ctx *aio.Context) (any, error) {
			sub, cancel := aio.WithTimeout(ctx, time.Second)
			defer cancel()
			return sub.Value(baseKey{}), nil
		})
		v, err := child.Await(ctx)
		got = append(got, v)
		return err
	}, aio.WithBaseContext(base))
	if err != nil || len(got) != 2 || got[0] != "trace-42" || got[1] != "trace-42" {
		t.Fatalf("values = %v, %v; want trace-42 twice", got, err)
	}
	aio.Run(func(ctx *aio.Context) error {
		if v := ctx.Value(baseKey{}); v != nil {
			t.Errorf("without a base context Value = %v, want nil", v)
		}
		return nil
	})
}
