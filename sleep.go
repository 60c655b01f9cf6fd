package aio

import "time"

// Sleep suspends the calling task for d. Sleep with d ≤ 0 (negative is
// treated as 0, as in asyncio) yields to the loop exactly once: every
// callback that was ready runs before the task resumes, and no timer is
// created. Sleep returns nil when the time has passed, or the scope's
// cancellation error if ctx is (or becomes) cancelled — at once, without
// suspending, when it already is. Sleep does not allocate. ctx must be the
// Context (or a scope) of the running task.
func Sleep(ctx *Context, d time.Duration) error {
	t := ctx.enter()
	if err := ctx.cancelErr(); err != nil {
		return err
	}
	if d <= 0 {
		t.schedule()
		if !t.park(ctx) {
			return ErrLoopClosed
		}
		return ctx.cancelErr()
	}
	l := t.loop
	t.sleep.When = l.deadline(d)
	t.sleep.Owner = t
	l.timers.Push(&t.sleep)
	for {
		ok := t.park(ctx)
		if t.sleep.Queued() {
			if !ok {
				l.timers.Remove(&t.sleep)
				return ErrLoopClosed
			}
			if err := ctx.cancelErr(); err != nil {
				l.timers.Remove(&t.sleep)
				return err
			}
			continue // spurious wake-up
		}
		if !ok {
			return ErrLoopClosed
		}
		return ctx.cancelErr()
	}
}
