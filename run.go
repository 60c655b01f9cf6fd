package aio

import (
	"github.com/asyncgo/aio/internal/coro"
	"github.com/asyncgo/aio/internal/goid"
)

// Run is the entry point of an aio program (asyncio.run): it creates a
// loop with opts, runs main as a task until it returns, then cancels every
// task still pending and runs the loop until they have finished (their
// defers run), reports errors that nobody retrieved (and errors other than
// cancellation that the cancelled tasks returned) to the exception
// handler, closes the loop and returns main's error.
//
// Run must not be called from a running loop's task or callback
// (ErrNestedRun): call the coroutine, or Spawn it, instead. If main (or a
// task) calls runtime.Goexit, the loop is shut down the same way and the
// Goexit continues in the goroutine that called Run (see the package
// documentation).
func Run(main func(ctx *Context) error, opts ...Option) error {
	if runningLoopOf(goid.Get()) != nil || coro.InCoroutine() {
		return ErrNestedRun
	}
	l := NewLoop(opts...)
	finished := false
	defer func() {
		if !finished {
			// Goexit (or a panic escaping the loop): unwind everything.
			l.shutdown()
		}
	}()
	mt := Go(l, main)
	mt.SetName("main")
	err := l.RunUntilComplete(mt)
	if !mt.Done() {
		// The loop could not run main to completion (it cannot happen with
		// a fresh loop, but do not hide it).
		l.shutdown()
		finished = true
		if err == nil {
			err = ErrStoppedBeforeComplete
		}
		return err
	}
	l.shutdown()
	finished = true
	return err
}

// shutdown cancels all pending tasks, runs the loop until they are done,
// reports what they returned other than a cancellation, and closes the loop.
func (l *Loop) shutdown() {
	if l.closed {
		return
	}
	l.stepping = nil
	l.current = nil
	var pending []AnyTask
	for t := l.tasks.head; t != nil; t = t.next {
		pending = append(pending, t.job)
	}
	if len(pending) > 0 {
		l.cancelAll("loop shutting down")
		w := Go(l, func(ctx *Context) error {
			shielded := WithoutCancel(ctx)
			for _, t := range pending {
				if !t.Done() {
					_ = t.core().await(shielded)
				}
			}
			return nil
		})
		_ = l.RunUntilComplete(w)
		for _, t := range pending {
			if err := t.Err(); err != nil && !isCancel(err) {
				l.report(ExceptionContext{
					Message: "unhandled error during Run() shutdown",
					Err:     err,
					Task:    t,
				})
			}
		}
	}
	l.Close()
}
