package aio

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Executor runs functions on goroutines of its own: a user-supplied worker
// pool for RunInExecutor (asyncio's concurrent.futures.Executor).
//
// Submit is called on the loop goroutine and must not block for long: it
// should hand job to a goroutine and return. It must run job exactly once,
// on some goroutine, unless it returns an error (then job never runs and
// RunInExecutor returns that error). job never panics (RunInExecutor
// catches the function's panics) and returns when the function returns.
type Executor interface {
	Submit(job func()) error
}

// ExecutorFunc adapts a function to Executor; for example
// aio.ExecutorFunc(func(job func()) error { go job(); return nil }) runs
// every job on a new goroutine.
type ExecutorFunc func(job func()) error

// Submit calls f(job).
func (f ExecutorFunc) Submit(job func()) error { return f(job) }

// ToThread runs the blocking function fn on the loop's worker pool and
// suspends the calling task until fn returns (asyncio.to_thread). The loop
// keeps running other tasks and callbacks meanwhile. fn's value and error
// are ToThread's (with an error the value is the zero value, as for a
// task); a panic in fn becomes a *PanicError with fn's stack, and
// runtime.Goexit in fn becomes ErrGoexit.
//
// The pool runs at most min(32, GOMAXPROCS+4) functions at once (Python's
// default executor size; change it per loop with WithThreadLimit); further
// calls wait, first come first served, for a worker. Workers are goroutines
// reused from call to call; a worker idle for a while exits, and all exit
// once the loop is closed (a busy one when its function returns).
//
// fn receives a context.Context that is cancelled when the calling task's
// scope ctx is cancelled (Task.Cancel, a CancelFunc, an expired
// WithTimeout: then its Err is context.DeadlineExceeded), and in any case
// once ToThread returns. It carries ctx's values (WithBaseContext) but no
// deadline. asyncio cannot do this: its threads never learn that the task
// awaiting them was cancelled.
//
// Cancellation does not wait for fn: ToThread returns the scope's
// cancellation error at once, and if fn ignores its context it keeps its
// worker (counting against the limit) until it returns; its result is then
// dropped. If ctx is cancelled before fn started, fn never runs; if it is
// cancelled already, ToThread returns its error at once. On a closed loop
// ToThread returns ErrLoopClosed. A nil fn panics.
//
// ctx must be the Context (or a scope) of the running task; ToThread is an
// await, for the loop goroutine only. fn runs on another goroutine: it must
// not touch the loop's tasks, futures or queues (post to the loop with
// Loop.CallSoonThreadsafe instead).
func ToThread[T any](ctx *Context, fn func(context.Context) (T, error)) (T, error) {
	return runThreaded(ctx, nil, fn, "ToThread")
}

// RunInExecutor is ToThread on a user-supplied Executor
// (loop.run_in_executor): fn runs on whatever goroutine ex gives it, with
// ToThread's result, panic and cancellation semantics. If ctx is
// cancelled before ex started fn, fn never runs. A nil ex means the loop's
// own worker pool, as run_in_executor(None, ...) does. If ex.Submit
// returns an error, RunInExecutor returns it and fn does not run. Loop
// goroutine only, like ToThread.
func RunInExecutor[T any](ctx *Context, ex Executor, fn func(context.Context) (T, error)) (T, error) {
	return runThreaded(ctx, ex, fn, "RunInExecutor")
}

func runThreaded[T any](ctx *Context, ex Executor, fn func(context.Context) (T, error), what string) (T, error) {
	var zero T
	if ctx == nil {
		panic("aio: " + what + " with a nil *Context; pass the Context your coroutine received")
	}
	if fn == nil {
		panic("aio: " + what + " with a nil function")
	}
	l := ctx.Loop()
	if l.IsClosed() {
		return zero, ErrLoopClosed
	}
	if err := ctx.Cause(); err != nil {
		return zero, err
	}
	c := &threadCall[T]{fn: fn, parent: ctx, loop: l, fut: NewFuture[T](ctx)}
	if ex == nil {
		p := threadPoolOf(l)
		if p == nil {
			return zero, ErrLoopClosed
		}
		if err := p.submit(c.work); err != nil {
			return zero, err
		}
	} else if err := ex.Submit(c.run); err != nil {
		return zero, err
	}
	v, err := c.fut.Await(ctx)
	cause := ctx.Cause() // the scope's cancellation or timeout, if that ended the wait
	if cause == nil {
		cause = context.Canceled // fn returned (or the loop is closing): release its context
	}
	c.state.CompareAndSwap(callQueued, callAbandoned) // not started: never start
	c.cancel(cause)
	return v, err
}

const (
	callQueued int32 = iota
	callRunning
	callAbandoned
)

// threadCall is one ToThread or RunInExecutor call. It is also the
// context.Context fn receives.
type threadCall[T any] struct {
	fn     func(context.Context) (T, error)
	parent *Context
	loop   *Loop
	fut    *Future[T]
	state  atomic.Int32
	v      T
	e      error

	mu   sync.Mutex
	done chan struct{}
	err  error
}

// run is the job given to an Executor; it runs on the executor's goroutine.
func (c *threadCall[T]) run() {
	if post := c.work(); post != nil {
		post()
	}
}

// work is the job given to the loop's pool: it runs fn and returns what
// posts the result to the loop (nil if fn did not run), which the worker
// calls once it is free again.
func (c *threadCall[T]) work() (post func()) {
	if !c.state.CompareAndSwap(callQueued, callRunning) {
		return nil // the caller stopped waiting before fn started
	}
	normal := false
	defer func() {
		if !normal { // runtime.Goexit in fn: this goroutine is ending
			var zero T
			c.v, c.e = zero, ErrGoexit
			c.post()
		}
	}()
	c.v, c.e = c.call()
	normal = true
	return c.post
}

// post sends the result to the loop; a closed loop drops it.
func (c *threadCall[T]) post() { _ = c.loop.CallSoonThreadsafe(c.deliver) }

func (c *threadCall[T]) call() (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return c.fn(c)
}

// deliver completes the future on the loop goroutine; a caller that was
// cancelled has cancelled it already, and then the result is dropped.
func (c *threadCall[T]) deliver() {
	if c.e != nil {
		_ = c.fut.SetError(c.e)
		return
	}
	_ = c.fut.SetResult(c.v)
}

// cancel ends fn's context with cause (a cancellation or timeout).
func (c *threadCall[T]) cancel(cause error) {
	err := context.Canceled
	if errors.Is(cause, context.DeadlineExceeded) {
		err = context.DeadlineExceeded
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	if c.done == nil {
		c.done = closedChan
	} else {
		close(c.done)
	}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Deadline reports no deadline: the task's deadline is enforced by the loop,
// which cancels the context when it expires. Any goroutine.
func (c *threadCall[T]) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done is closed when the calling task is cancelled or ToThread returns.
func (c *threadCall[T]) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
	}
	return c.done
}

// Err returns nil, context.Canceled or context.DeadlineExceeded.
func (c *threadCall[T]) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns the calling task's context values.
func (c *threadCall[T]) Value(key any) any { return c.parent.Value(key) }

func (c *threadCall[T]) String() string { return "aio.ToThread context" }
