package aio

import "github.com/asyncgo/aio/internal/waitq"

// Event is a flag that tasks can wait for (asyncio.Event): Set sets it and
// wakes every task waiting in Wait, Clear resets it, and Wait returns at
// once while it is set.
//
// Set wakes every task that was waiting when it was called, even if Clear
// follows at once: their waits have completed, and Wait returns nil for each
// of them (also for one cancelled after Set but before it ran). Tasks that
// start waiting after the Clear wait for the next Set.
//
// The zero Event is a cleared event. An Event is bound to the loop of the
// first task that waits in it and must only be used from the tasks and
// callbacks of that loop, on the loop goroutine; waiting on it from a task
// of another loop panics with ErrWrongLoop.
type Event struct {
	set     bool
	waiters waitq.Queue[swaiter]
	b       loopBinding
}

// IsSet reports whether the event is set. Loop goroutine only.
func (e *Event) IsSet() bool { return e.set }

// Set sets the event and wakes every waiting task, in the order they began
// waiting. Setting a set event does nothing. It never yields. Loop goroutine
// only.
func (e *Event) Set() {
	e.b.check("Event.Set")
	if e.set {
		return
	}
	e.set = true
	wakeAll(&e.waiters, nil)
}

// Clear resets the event; tasks that wait from now on wait for the next
// Set. Clearing a cleared event does nothing. Loop goroutine only.
func (e *Event) Clear() {
	e.b.check("Event.Clear")
	e.set = false
}

// Wait waits until the event is set; ctx must be the Context (or a scope)
// of the running task. It returns nil at once, without yielding, while the
// event is set. On cancellation of ctx it returns the cancellation error,
// unless a Set already woke the task.
func (e *Event) Wait(ctx *Context) error {
	t := e.b.enter("Event.Wait", "Event", ctx, !e.set)
	if e.set {
		return nil
	}
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	_, err := waitOn(ctx, t, &e.waiters)
	return err
}
