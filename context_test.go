package aio_test

import (
	"context"
	"errors"
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
	confRun(t, func(ctx *aio.Context) error {
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
	confRun(t, func(ctx *aio.Context) error {
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
	confRun(t, func(ctx *aio.Context) error {
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
	confRun(t, func(ctx *aio.Context) error {
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
	confRun(t, func(ctx *aio.Context) error {
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
	confRun(t, func(ctx *aio.Context) error {
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
	confRun(t, func(ctx *aio.Context) error {
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
