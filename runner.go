package aio

import (
	"context"
	"errors"
)

// Runner runs several coroutines, one after another, on the same loop
// (asyncio.Runner): Run starts a task and runs the loop until it is done;
// tasks it leaves behind stay pending and go on running during later Run
// calls; Close shuts the loop down as Run (the function) does at its end.
//
// The loop is created by the first Run (or Loop) call, with the Runner's
// options. A Runner is not safe for concurrent use: call its methods from
// one goroutine at a time, never from inside its own loop.
type Runner struct {
	opts   []Option
	loop   *Loop
	closed bool
}

// NewRunner returns a Runner whose loop will be created with opts.
func NewRunner(opts ...Option) *Runner { return &Runner{opts: opts} }

// Loop returns the Runner's loop, creating it if needed (nil after
// Close). Use it to Spawn tasks or post callbacks between Run calls.
func (r *Runner) Loop() *Loop {
	if r.closed {
		return nil
	}
	if r.loop == nil {
		r.loop = NewLoop(r.opts...)
	}
	return r.loop
}

// Run runs fn as a task on the Runner's loop until it returns, and returns
// its error (asyncio.Runner.run). Other tasks of the loop run meanwhile;
// those still pending when fn returns are left pending for the next Run or
// for Close. Run returns ErrLoopClosed after Close and ErrLoopRunning when
// called from inside the loop (await the coroutine instead). If Stop
// ends the loop before fn is done, Run returns ErrStoppedBeforeComplete and
// fn's task stays pending. A nil fn panics.
func (r *Runner) Run(fn func(*Context) error) error {
	if fn == nil {
		panic("aio: Runner.Run with a nil function")
	}
	l := r.Loop()
	if l == nil {
		return ErrLoopClosed
	}
	if l.IsRunning() {
		return ErrLoopRunning
	}
	t := Go(l, fn)
	return l.RunUntilComplete(t)
}

// Close shuts the loop down as Run does at its end: it cancels every
// pending task, runs the loop until they have finished (their defers run),
// reports to the exception handler the errors other than cancellation that
// they returned, and closes the loop (which also stops the ToThread worker
// pool and removes signal handlers). Close on a Runner that never ran does
// nothing; a second Close does nothing. It returns ErrLoopRunning if
// called from inside the loop.
func (r *Runner) Close() error {
	if r.closed {
		return nil
	}
	l := r.loop
	if l == nil {
		r.closed = true
		return nil
	}
	if l.IsRunning() {
		return ErrLoopRunning
	}
	r.closed = true
	pending := AllTasks(l)
	for _, t := range pending {
		t.Cancel("runner closing")
	}
	for _, t := range pending {
		if t.Done() {
			continue
		}
		// Run the loop until t is done; other tasks progress meanwhile.
		if err := l.RunUntilComplete(t); errors.Is(err, ErrStoppedBeforeComplete) {
			break // a task stopped the loop: Close unwinds the rest
		}
	}
	for _, t := range pending {
		if !t.Done() {
			continue
		}
		if err := t.Err(); err != nil && !errors.Is(err, context.Canceled) {
			l.CallExceptionHandler(ExceptionContext{
				Message: "unhandled error during Runner.Close()",
				Err:     err,
				Task:    t,
			})
		}
	}
	return l.Close()
}
