package aio

import (
	"math"
	"time"

	"github.com/asyncgo/aio/internal/timerheap"
)

// Timeout is a cancellation scope with a deadline that can be moved while
// the scope is in use (asyncio.timeout's Timeout object, with when(),
// reschedule() and expired()). Awaits in Context() fail with a
// *TimeoutError once the deadline passes, exactly as in a WithTimeout
// scope; the enclosing body is not affected. All methods are for the loop
// goroutine, except Context's context.Context methods.
type Timeout struct {
	ctx    *Context
	cancel CancelFunc
}

// NewTimeout opens a Timeout scope nested in parent that expires d from now
// (d ≤ 0: already expired). Call Cancel when done with it, as with the
// CancelFunc of WithTimeout.
func NewTimeout(parent *Context, d time.Duration) *Timeout {
	c, cancel := WithTimeout(parent, d)
	return &Timeout{ctx: c, cancel: cancel}
}

// NewTimeoutAt opens a Timeout scope nested in parent that expires at when
// on the loop's clock (see Loop.Time); the zero time.Time means no deadline
// (asyncio.timeout(None)), to be set later with Reschedule.
func NewTimeoutAt(parent *Context, when time.Time) *Timeout {
	if when.IsZero() {
		c, cancel := WithCancel(parent)
		return &Timeout{ctx: c, cancel: cancel}
	}
	c, cancel := WithDeadline(parent, when)
	return &Timeout{ctx: c, cancel: cancel}
}

// Context returns the scope to await in.
func (t *Timeout) Context() *Context { return t.ctx }

// When returns the scope's deadline on the loop's clock (the earliest of
// its own and its enclosing scopes'), or false if it has none.
func (t *Timeout) When() (time.Time, bool) { return t.ctx.Deadline() }

// Expired reports whether the scope ended because its deadline passed
// (asyncio's expired()).
func (t *Timeout) Expired() bool {
	st := t.ctx.state.Load()
	if st == nil {
		return false
	}
	_, ok := st.err.(*TimeoutError)
	return ok
}

// Reschedule moves the deadline to when (the zero time.Time: no deadline
// of its own). A deadline already past expires the scope in the next loop
// iteration. It returns ErrInvalidState, changing nothing, if the scope has
// already expired or been cancelled (asyncio raises RuntimeError).
func (t *Timeout) Reschedule(when time.Time) error {
	c := t.ctx
	l := c.task.loop
	l.checkCaller("Timeout.Reschedule")
	if c.cancelState() != nil {
		return ErrInvalidState
	}
	c.stopTimer()
	limit := int64(math.MaxInt64)
	if c.parent != nil {
		limit = c.parent.deadline.Load()
	}
	own := int64(math.MaxInt64)
	if !when.IsZero() {
		own = l.fromTime(when)
	}
	c.deadline.Store(min(own, limit))
	if own < limit {
		if c.timer == nil {
			c.timer = &timerheap.Entry{Owner: c}
		}
		c.timer.When = own
		l.timers.Push(c.timer)
	}
	if w := c.watch.Load(); w != nil && l.realTime {
		w.mu.Lock()
		if !w.fired {
			if w.timer != nil {
				w.timer.Stop()
				w.timer = nil
			}
			if own < limit {
				w.timer = time.AfterFunc(time.Duration(own-l.now()), c.expireOffLoop)
			}
		}
		w.mu.Unlock()
	}
	return nil
}

// Cancel ends the scope and releases its timers, like the CancelFunc of
// WithTimeout; safe from any goroutine, and calling it again does nothing.
func (t *Timeout) Cancel() { t.cancel() }
