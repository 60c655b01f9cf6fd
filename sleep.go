package aio

import "time"

// Sleep suspends the calling task for d. Sleep with d ≤ 0 (negative is
// treated as 0, as in asyncio) yields to the loop exactly once: every
// callback that was ready runs before the task resumes, and no timer is
// created. Sleep returns nil when the time has passed, or the scope's
// cancellation error if ctx is (or becomes) cancelled — at once, without
// suspending, when it already is. A sleep has no result to lose, so a
// cancellation that arrives after the time has passed but before the task
// resumed still wins (as in asyncio). Sleep does not allocate. ctx must be
// the Context (or a scope) of the running task.
func Sleep(ctx *Context, d time.Duration) error {
	t := ctx.enter("aio.Sleep")
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	if d <= 0 {
		if err := t.yield(); err != nil {
			return err
		}
		return ctx.checkCancel()
	}
	l := t.loop
	t.sleep.When = l.deadline(d)
	t.sleep.Owner = t
	l.timers.Push(&t.sleep)
	if err := t.park(ctx, (*sleepParker)(t)); err != nil {
		return err
	}
	return ctx.checkCancel()
}

// sleepParker withdraws a sleep: its timer is stopped.
type sleepParker task

func (p *sleepParker) abort(error, bool) bool {
	t := (*task)(p)
	if t.sleep.Queued() {
		t.loop.timers.Remove(&t.sleep)
	}
	return true
}
