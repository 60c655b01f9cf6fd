package aio

import (
	"time"

	"github.com/asyncgo/aio/internal/timerheap"
)

// Handle is a scheduled callback, returned by CallSoon, CallLater and CallAt.
// Its methods must be called on the loop goroutine (from a task or callback).
type Handle struct {
	fn        func()
	loop      *Loop
	timer     timerheap.Entry
	cancelled bool
	ran       bool
}

// Cancel prevents the callback from running and reports whether it did:
// cancelling a handle that already ran, or cancelling twice, does nothing
// and returns false (as time.Timer.Stop). Loop goroutine only.
func (h *Handle) Cancel() bool {
	h.loop.checkCaller("Handle.Cancel")
	if h.cancelled || h.ran {
		return false
	}
	h.cancelled = true
	if h.timer.Queued() {
		h.loop.timers.Remove(&h.timer)
	}
	h.fn = nil
	return true
}

// Cancelled reports whether Cancel was called before the callback ran.
func (h *Handle) Cancelled() bool { return h.cancelled }

// When returns the loop time a timer handle is due at (zero for CallSoon).
func (h *Handle) When() time.Time {
	if h.timer.Owner == nil {
		return time.Time{}
	}
	return h.loop.toTime(h.timer.When)
}

// CallSoon schedules fn to run on the loop in the next iteration. Callbacks
// run in FIFO order of their CallSoon calls. It must be called on the loop
// goroutine (a task or callback); from other goroutines use
// CallSoonThreadsafe. On a closed loop it panics with a *MisuseError
// wrapping ErrLoopClosed.
func (l *Loop) CallSoon(fn func()) *Handle {
	l.checkSchedule("Loop.CallSoon", fn)
	h := &Handle{fn: fn, loop: l}
	l.ready.Push(readyItem{h: h})
	return h
}

// CallLater schedules fn to run after delay d (d ≤ 0 means in the next
// iteration's timer pass). Timers fire in deadline order, and timers with
// equal deadlines fire in the order they were scheduled: stricter than
// asyncio, which leaves that order undefined. A delay too large to represent
// never fires. Same goroutine rules as CallSoon.
func (l *Loop) CallLater(d time.Duration, fn func()) *Handle {
	l.checkSchedule("Loop.CallLater", fn)
	return l.callAtNanos(l.deadline(d), fn)
}

// CallAt schedules fn to run at loop time when (see Time). Same rules as
// CallLater.
func (l *Loop) CallAt(when time.Time, fn func()) *Handle {
	l.checkSchedule("Loop.CallAt", fn)
	return l.callAtNanos(l.fromTime(when), fn)
}

// checkSchedule is the misuse check of the scheduling calls.
func (l *Loop) checkSchedule(op string, fn func()) {
	if fn == nil {
		misuse(op, ErrNilFunc, "pass the callback to run")
	}
	l.checkCaller(op)
	if l.state.Load() == stateClosed {
		misuse(op, ErrLoopClosed, "schedule callbacks before closing the loop, or create a new loop")
	}
}

func (l *Loop) callAtNanos(when int64, fn func()) *Handle {
	h := &Handle{fn: fn, loop: l}
	h.timer.When = when
	h.timer.Owner = h
	l.timers.Push(&h.timer)
	return h
}

// CallSoonThreadsafe schedules fn to run on the loop in a coming iteration,
// waking the loop if it is blocked. It is safe to call from any goroutine;
// calls from one goroutine run in order. It returns ErrLoopClosed if the
// loop is closed (fn will not run), and panics with ErrNilFunc if fn is nil.
func (l *Loop) CallSoonThreadsafe(fn func()) error {
	return l.inbox.post(fn)
}
