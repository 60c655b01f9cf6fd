package aio

import "runtime"

// WaitIdle suspends the calling task until the loop is quiescent: no
// other task or callback is ready, no timer is due, nothing posted is
// waiting, and no work is in flight (Loop.AddInFlight). Every other task
// is then parked on something that has not happened yet — a future
// timer, a future, a queue — so a test can assert on the state its steps
// left. Time does not pass while it waits: on a virtual clock, timers
// that are not due stay pending. While work is in flight it yields to the
// loop in a loop (spinning, for tests). It returns the scope's
// cancellation error if ctx is cancelled. ctx must be the Context (or a
// scope) of the running task.
func WaitIdle(ctx *Context) error {
	t := ctx.enter("aio.WaitIdle")
	l := t.loop
	for {
		if err := Sleep(ctx, 0); err != nil {
			return err
		}
		busy := l.mx.inFlight.Load() > 0
		if !busy && l.ready.Len() == 0 && !l.inbox.pending.Load() && !l.timerDue() {
			return nil
		}
		if busy {
			runtime.Gosched()
		}
	}
}

// timerDue reports whether a timer has expired and not fired yet.
func (l *Loop) timerDue() bool {
	e := l.timers.Peek()
	return e != nil && e.When <= l.now()
}
