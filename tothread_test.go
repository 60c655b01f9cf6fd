package aio_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

func TestToThreadReturnsTheFunctionsValueAndError(t *testing.T) {
	boom := errors.New("boom")
	runReal(t, func(ctx *aio.Context) error {
		v, err := aio.ToThread(ctx, func(context.Context) (string, error) { return "hi", nil })
		if v != "hi" || err != nil {
			t.Errorf("ToThread = %q, %v; want hi, nil", v, err)
		}
		v, err = aio.ToThread(ctx, func(context.Context) (string, error) { return "partial", boom })
		if v != "" || err != boom {
			t.Errorf("ToThread = %q, %v; want the zero value and the error, as a task returns", v, err)
		}
		return nil
	})
}

// The property asyncio.to_thread exists for: blocking code on a worker
// leaves the loop free. A ticker task ticks every 10 ms on the real clock
// while fn sleeps 300 ms; the longest gap between ticks must stay far below
// 300 ms (it would be ≥ 300 ms if the loop were blocked).
func TestToThreadKeepsTheLoopRunningWhileTheFunctionBlocks(t *testing.T) {
	var longest time.Duration
	ticks := 0
	runReal(t, func(ctx *aio.Context) error {
		stop := make(chan struct{})
		ticker := aio.Go(ctx, func(ctx *aio.Context) error {
			last := time.Now()
			for {
				select {
				case <-stop:
					return nil
				default:
				}
				if err := aio.Sleep(ctx, 10*time.Millisecond); err != nil {
					return err
				}
				now := time.Now()
				longest = max(longest, now.Sub(last))
				last = now
				ticks++
			}
		})
		_, err := aio.ToThread(ctx, func(context.Context) (int, error) {
			time.Sleep(300 * time.Millisecond) // blocking, ignores its context
			return 0, nil
		})
		close(stop)
		if err2 := ticker.Err(); err2 != aio.ErrInvalidState {
			t.Errorf("the ticker stopped early: %v", err2)
		}
		if _, err2 := ticker.Await(ctx); err2 != nil {
			return err2
		}
		return err
	})
	if longest >= 150*time.Millisecond || ticks < 5 {
		t.Errorf("longest gap between ticks %v over %d ticks while fn blocked 300ms; the loop was blocked", longest, ticks)
	}
}

func TestToThreadCancellationReachesTheFunctionsContext(t *testing.T) {
	seen := make(chan error, 1)
	runVirtual(t, func(ctx *aio.Context) error {
		started := make(chan struct{})
		w := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return aio.ToThread(ctx, func(c context.Context) (int, error) {
				close(started)
				<-c.Done()
				seen <- c.Err()
				return 1, nil
			})
		})
		if _, _, err := aio.Recv(ctx, started); err != nil {
			return err
		}
		w.Cancel("stop it")
		_, err := w.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "stop it" {
			t.Errorf("the task returned %v; want its cancellation with the message", err)
		}
		return nil
	})
	if err := <-seen; err != context.Canceled {
		t.Errorf("fn's context ended with %v, want context.Canceled", err)
	}
}

func TestToThreadTimeoutReachesTheFunctionAsDeadlineExceeded(t *testing.T) {
	seen := make(chan error, 1)
	clk := &manualClock{}
	runReal(t, func(ctx *aio.Context) error {
		started := make(chan struct{})
		w := aio.Go(ctx, func(ctx *aio.Context) error {
			sctx, cancel := aio.WithTimeout(ctx, time.Second)
			defer cancel()
			_, err := aio.ToThread(sctx, func(c context.Context) (int, error) {
				close(started)
				<-c.Done()
				seen <- c.Err()
				return 0, c.Err()
			})
			return err
		})
		if _, _, err := aio.Recv(ctx, started); err != nil {
			return err
		}
		clk.Add(2 * time.Second) // the scope's deadline passes
		if _, err := w.Await(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("ToThread returned %v, want the scope's timeout", err)
		}
		return nil
	}, aio.WithClock(clk))
	if err := <-seen; err != context.DeadlineExceeded {
		t.Errorf("fn's context ended with %v, want context.DeadlineExceeded", err)
	}
}

// manualClock moves only when told to (it has no Advance method the loop
// would call, so the loop waits in real time meanwhile).
type manualClock struct{ ns atomic.Int64 }

func (c *manualClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *manualClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// A function that ignores its context keeps its worker: the caller gets
// its cancellation at once, but the slot is free only when fn returns.
func TestToThreadCancelledCallerReturnsAtOnceButTheSlotIsHeldUntilTheFunctionReturns(t *testing.T) {
	release := make(chan struct{})
	firstDone := make(chan struct{})
	var secondRan atomic.Bool
	runVirtual(t, func(ctx *aio.Context) error {
		started := make(chan struct{})
		first := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := aio.ToThread(ctx, func(context.Context) (int, error) {
				defer close(firstDone)
				close(started)
				<-release // ignores its context
				return 0, nil
			})
			return err
		})
		if _, _, err := aio.Recv(ctx, started); err != nil {
			return err
		}
		first.Cancel()
		if err := first.Err(); err != aio.ErrInvalidState {
			t.Fatalf("the task finished before the loop ran it: %v", err)
		}
		if _, err := first.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("first = %v, want its cancellation", err)
		}
		// fn still holds the only worker: the next call waits.
		second := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := aio.ToThread(ctx, func(context.Context) (int, error) {
				secondRan.Store(true)
				return 0, nil
			})
			return err
		})
		for range 10 {
			if err := aio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		if secondRan.Load() {
			t.Errorf("a second function ran while the first still held the only worker")
		}
		close(release)
		_, err := second.Await(ctx)
		return err
	}, aio.WithThreadLimit(1))
	<-firstDone
	if !secondRan.Load() {
		t.Errorf("the second function never ran")
	}
}

func TestToThreadPanicBecomesPanicErrorWithTheFunctionsStack(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		_, err := aio.ToThread(ctx, func(context.Context) (int, error) { panicInWorker(); return 0, nil })
		var pe *aio.PanicError
		if !errors.As(err, &pe) || pe.Value != "worker exploded" {
			t.Fatalf("ToThread returned %v, want a *PanicError with the value", err)
		}
		if !strings.Contains(string(pe.Stack), "panicInWorker") {
			t.Errorf("the stack does not show the panicking function:\n%s", pe.Stack)
		}
		return nil
	})
}

func panicInWorker() { panic("worker exploded") }

func TestToThreadGoexitInTheFunctionBecomesErrGoexitAndThePoolGoesOn(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		_, err := aio.ToThread(ctx, func(context.Context) (int, error) { runtime.Goexit(); return 0, nil })
		if err != aio.ErrGoexit {
			t.Errorf("ToThread returned %v, want ErrGoexit", err)
		}
		v, err := aio.ToThread(ctx, func(context.Context) (int, error) { return 7, nil })
		if v != 7 || err != nil {
			t.Errorf("after a Goexit, ToThread = %v, %v; want 7, nil", v, err)
		}
		return nil
	}, aio.WithThreadLimit(1))
}

// Like Trio's CapacityLimiter: calls beyond the limit start in the order
// they were made.
func TestToThreadWorkBeyondTheLimitWaitsFirstComeFirstServed(t *testing.T) {
	var order []int
	var mu sync.Mutex
	runVirtual(t, func(ctx *aio.Context) error {
		gate := make(chan struct{})
		var tasks []*aio.Task[int]
		for i := range 6 {
			tasks = append(tasks, aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
				return aio.ToThread(ctx, func(context.Context) (int, error) {
					<-gate
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
					return i, nil
				})
			}))
		}
		if err := aio.Sleep(ctx, 0); err != nil { // every task submits its call
			return err
		}
		close(gate)
		_, err := aio.Gather(ctx, tasks...)
		return err
	}, aio.WithThreadLimit(1))
	for i, v := range order {
		if v != i {
			t.Fatalf("functions ran in order %v, want submission order", order)
		}
	}
}

func TestToThreadRunsAtMostLimitFunctionsAtOnce(t *testing.T) {
	const limit, calls = 3, 10
	var active, peak atomic.Int32
	runVirtual(t, func(ctx *aio.Context) error {
		started := make(chan struct{}, calls)
		gate := make(chan struct{})
		var tasks []*aio.Task[int]
		for range calls {
			tasks = append(tasks, aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
				return aio.ToThread(ctx, func(context.Context) (int, error) {
					n := active.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					started <- struct{}{}
					<-gate
					active.Add(-1)
					return 0, nil
				})
			}))
		}
		for range limit { // the limit is reached...
			if _, _, err := aio.Recv(ctx, started); err != nil {
				return err
			}
		}
		close(gate) // ...then everything drains
		_, err := aio.Gather(ctx, tasks...)
		return err
	}, aio.WithThreadLimit(limit))
	if p := peak.Load(); p != limit {
		t.Errorf("at most %d functions ran at once, want exactly the limit %d", p, limit)
	}
}

func TestToThreadCancelledBeforeItStartsNeverRunsTheFunction(t *testing.T) {
	var ran []string
	var mu sync.Mutex
	record := func(s string) { mu.Lock(); ran = append(ran, s); mu.Unlock() }
	runVirtual(t, func(ctx *aio.Context) error {
		release := make(chan struct{})
		started := make(chan struct{})
		busy := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := aio.ToThread(ctx, func(context.Context) (int, error) {
				close(started)
				<-release
				record("busy")
				return 0, nil
			})
			return err
		})
		if _, _, err := aio.Recv(ctx, started); err != nil {
			return err
		}
		queued := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := aio.ToThread(ctx, func(context.Context) (int, error) { record("queued"); return 0, nil })
			return err
		})
		if err := aio.Sleep(ctx, 0); err != nil { // queued submits and waits
			return err
		}
		queued.Cancel()
		if _, err := queued.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("queued = %v, want its cancellation", err)
		}
		close(release)
		if _, err := busy.Await(ctx); err != nil {
			return err
		}
		// FIFO: had the cancelled call run, it would run before this one.
		_, err := aio.ToThread(ctx, func(context.Context) (int, error) { record("after"); return 0, nil })
		return err
	}, aio.WithThreadLimit(1))
	if strings.Join(ran, ",") != "busy,after" {
		t.Errorf("ran %v; the call cancelled while queued must never run", ran)
	}
}

func TestToThreadInACancelledScopeReturnsItsErrorWithoutRunning(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		sctx, cancel := aio.WithCancel(ctx)
		cancel()
		ran := false
		_, err := aio.ToThread(sctx, func(context.Context) (int, error) { ran = true; return 0, nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("ToThread in a cancelled scope = %v (ran: %t); want the cancellation, fn not run", err, ran)
		}
		return nil
	})
}

func TestToThreadFunctionGetsTheLoopsBaseContextValues(t *testing.T) {
	type key struct{}
	base := context.WithValue(context.Background(), key{}, "trace-42")
	runReal(t, func(ctx *aio.Context) error {
		v, err := aio.ToThread(ctx, func(c context.Context) (any, error) { return c.Value(key{}), nil })
		if v != "trace-42" {
			t.Errorf("fn saw value %v, want trace-42", v)
		}
		return err
	}, aio.WithBaseContext(base))
}

func TestToThreadContextIsReleasedWhenToThreadReturns(t *testing.T) {
	var kept context.Context
	runReal(t, func(ctx *aio.Context) error {
		_, err := aio.ToThread(ctx, func(c context.Context) (int, error) {
			kept = c
			if c.Err() != nil {
				t.Errorf("fn's context is done while fn runs: %v", c.Err())
			}
			return 0, nil
		})
		return err
	})
	select {
	case <-kept.Done():
	default:
		t.Errorf("fn's context is still live after ToThread returned")
	}
}

func TestToThreadAfterTheLoopClosedFailsWithErrLoopClosed(t *testing.T) {
	var kept *aio.Context
	runReal(t, func(ctx *aio.Context) error { kept = ctx; return nil })
	_, err := aio.ToThread(kept, func(context.Context) (int, error) {
		t.Error("fn ran on a closed loop")
		return 0, nil
	})
	if !errors.Is(err, aio.ErrLoopClosed) {
		t.Errorf("ToThread after close = %v, want ErrLoopClosed", err)
	}
	_, err = aio.RunInExecutor(kept, nil, func(context.Context) (int, error) { return 0, nil })
	if !errors.Is(err, aio.ErrLoopClosed) {
		t.Errorf("RunInExecutor after close = %v, want ErrLoopClosed", err)
	}
}

func TestToThreadWithANilFunctionOrContextPanics(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		r := recoverPanic(func() { aio.ToThread[int](ctx, nil) })
		if msg, _ := r.(string); !strings.Contains(msg, "nil function") {
			t.Errorf("ToThread(nil fn) panicked with %v, want a message about the nil function", r)
		}
		r = recoverPanic(func() {
			aio.ToThread(nil, func(context.Context) (int, error) { return 0, nil })
		})
		if msg, _ := r.(string); !strings.Contains(msg, "nil *Context") {
			t.Errorf("ToThread(nil ctx) panicked with %v, want a message about the nil Context", r)
		}
		return nil
	})
}

func TestWithThreadLimitBelowOnePanics(t *testing.T) {
	r := recoverPanic(func() { aio.WithThreadLimit(0) })
	if msg, _ := r.(string); !strings.Contains(msg, "at least 1") {
		t.Errorf("WithThreadLimit(0) panicked with %v, want a message about the limit", r)
	}
}

// The workers are gone once Run returns, although they were idle and their
// idle timeout is far away.
func TestToThreadWorkersExitWhenTheLoopCloses(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		var tasks []*aio.Task[int]
		for range 4 {
			tasks = append(tasks, aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
				return aio.ToThread(ctx, func(context.Context) (int, error) { return 1, nil })
			}))
		}
		_, err := aio.Gather(ctx, tasks...)
		return err
	})
	goleak.VerifyNone(t)
}

// Close cancels a task waiting in ToThread; a function that honours its
// context returns, and its worker exits.
func TestClosingTheLoopCancelsTheFunctionsContext(t *testing.T) {
	seen := make(chan error, 1)
	l := aio.NewLoop()
	started := make(chan struct{})
	aio.Go(l, func(ctx *aio.Context) error {
		_, err := aio.ToThread(ctx, func(c context.Context) (int, error) {
			close(started)
			<-c.Done()
			seen <- c.Err()
			return 0, nil
		})
		return err
	})
	main := aio.Go(l, func(ctx *aio.Context) error {
		_, _, err := aio.Recv(ctx, started)
		return err
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-seen; err != context.Canceled {
		t.Errorf("fn's context ended with %v, want context.Canceled", err)
	}
	goleak.VerifyNone(t)
}

// goExecutor runs every job on a new goroutine and counts them.
type goExecutor struct{ n atomic.Int32 }

func (e *goExecutor) Submit(job func()) error { e.n.Add(1); go job(); return nil }

func TestRunInExecutorRunsTheFunctionOnTheGivenExecutor(t *testing.T) {
	ex := &goExecutor{}
	runReal(t, func(ctx *aio.Context) error {
		v, err := aio.RunInExecutor(ctx, ex, func(context.Context) (int, error) { return 5, nil })
		if v != 5 || err != nil {
			t.Errorf("RunInExecutor = %v, %v; want 5, nil", v, err)
		}
		_, err = aio.RunInExecutor(ctx, ex, func(context.Context) (int, error) { panic("in executor") })
		var pe *aio.PanicError
		if !errors.As(err, &pe) {
			t.Errorf("a panic came back as %v, want *PanicError", err)
		}
		return nil
	})
	if ex.n.Load() != 2 {
		t.Errorf("the executor got %d jobs, want 2", ex.n.Load())
	}
}

// A job the executor had not started when the caller was cancelled does
// nothing when it finally runs.
func TestRunInExecutorCancelledBeforeTheExecutorStartsItSkipsTheFunction(t *testing.T) {
	var held []func()
	ex := aio.ExecutorFunc(func(job func()) error { held = append(held, job); return nil })
	ran := false
	runReal(t, func(ctx *aio.Context) error {
		w := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := aio.RunInExecutor(ctx, ex, func(context.Context) (int, error) { ran = true; return 0, nil })
			return err
		})
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		w.Cancel()
		if _, err := w.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("RunInExecutor = %v, want the cancellation", err)
		}
		return nil
	})
	if len(held) != 1 {
		t.Fatalf("the executor got %d jobs, want 1", len(held))
	}
	held[0]()
	if ran {
		t.Errorf("the function ran although its caller was cancelled before it started")
	}
}

func TestRunInExecutorReturnsTheExecutorsSubmitError(t *testing.T) {
	full := errors.New("executor shut down")
	runReal(t, func(ctx *aio.Context) error {
		_, err := aio.RunInExecutor(ctx, aio.ExecutorFunc(func(func()) error { return full }),
			func(context.Context) (int, error) { t.Error("fn ran"); return 0, nil })
		if err != full {
			t.Errorf("RunInExecutor = %v, want the Submit error", err)
		}
		return nil
	})
}

func TestRunInExecutorWithANilExecutorUsesTheLoopsPool(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		v, err := aio.RunInExecutor(ctx, nil, func(context.Context) (int, error) { return 3, nil })
		if v != 3 || err != nil {
			t.Errorf("RunInExecutor(nil) = %v, %v; want 3, nil", v, err)
		}
		return nil
	})
}
