package aio

import "github.com/asyncgo/aio/internal/waitq"

// Barrier makes a fixed number of tasks wait for each other
// (asyncio.Barrier): each calls Wait, and when the last of the parties
// arrives every one of them returns, with a distinct index in
// 0..Parties()-1. The barrier then starts its next round: it can be reused
// any number of times.
//
// Indices follow arrival order: the first task to arrive in a round gets 0,
// the last (the one that trips the barrier, and returns without yielding)
// gets Parties()-1. They are handed out when the barrier trips, among the
// tasks still waiting, so they are distinct even when a waiter was
// cancelled in between (asyncio can then hand out one index twice).
//
// A waiter cancelled before the barrier trips leaves it (NWaiting drops by
// one) and the barrier stays usable; it takes a new party to trip it, as in
// asyncio. A waiter cancelled after the barrier tripped but before it ran
// returns its index (the round completed; the cancellation shows at its
// next await; asyncio raises CancelledError instead, also without breaking
// the barrier). Cancellation never breaks the barrier.
//
// Abort breaks the barrier: the waiting tasks, and every Wait until Reset,
// return ErrBrokenBarrier. Reset returns the barrier to an empty round; the
// tasks waiting in the round it ends return ErrBrokenBarrier. asyncio
// drains a tripped round (and a reset) before admitting new arrivals; in aio
// a tripped round is complete at once, so a task that arrives just after
// the trip simply begins the next round.
//
// The zero Barrier is not usable (Wait panics with ErrZeroValue): create it
// with NewBarrier. A Barrier is bound to the loop of the first task that
// waits in it and must only be used from the tasks and callbacks of that
// loop, on the loop goroutine; waiting on it from a task of another loop
// panics with ErrWrongLoop.
type Barrier struct {
	parties int
	broken  bool
	waiters waitq.Queue[swaiter] // this round's arrivals, in order
	b       loopBinding
}

// NewBarrier returns a barrier for parties tasks. parties < 1 panics with
// a *MisuseError wrapping ErrInvalidArgument.
func NewBarrier(parties int) *Barrier {
	if parties < 1 {
		misuse("aio.NewBarrier", ErrInvalidArgument, "a Barrier needs at least one party")
	}
	return &Barrier{parties: parties}
}

// Wait waits until Parties() tasks (this one included) wait in the barrier,
// then returns this task's index in the round; ctx must be the Context (or
// a scope) of the running task. It returns ErrBrokenBarrier, at once if the
// barrier is broken, or when Abort or Reset ends the round. On cancellation
// of ctx before the barrier trips it returns the cancellation error and
// leaves the round (at once, without taking part, if ctx is already
// cancelled).
func (b *Barrier) Wait(ctx *Context) (index int, err error) {
	if b.parties == 0 {
		misuse("Barrier.Wait", ErrZeroValue, "create the Barrier with aio.NewBarrier")
	}
	t := b.b.enter("Barrier.Wait", "Barrier", ctx, true)
	if b.broken {
		return 0, ErrBrokenBarrier
	}
	if err := ctx.checkCancel(); err != nil {
		return 0, err
	}
	if b.waiters.Len()+1 == b.parties {
		// The last party: release the round, in arrival order.
		i := 0
		for n := popLive(&b.waiters); n != nil; n = popLive(&b.waiters) {
			n.Val.ok, n.Val.idx = true, i
			n.Val.t.wakeUp()
			i++
		}
		return i, nil
	}
	w, err := waitOn(ctx, t, &b.waiters)
	if err != nil {
		return 0, err
	}
	return w.idx, w.err
}

// Reset ends the current round, if any: its waiting tasks return
// ErrBrokenBarrier. The barrier is then empty and not broken (also after
// Abort). It never yields (asyncio's reset is a coroutine only because it
// takes the barrier's lock). Loop goroutine only.
func (b *Barrier) Reset() {
	b.b.check("Barrier.Reset")
	b.broken = false
	wakeAll(&b.waiters, ErrBrokenBarrier)
}

// Abort breaks the barrier: its waiting tasks, and every Wait until Reset,
// return ErrBrokenBarrier. Aborting a broken barrier does nothing. It never
// yields. Loop goroutine only.
func (b *Barrier) Abort() {
	b.b.check("Barrier.Abort")
	b.broken = true
	wakeAll(&b.waiters, ErrBrokenBarrier)
}

// Parties returns the number of tasks needed to trip the barrier.
func (b *Barrier) Parties() int { return b.parties }

// NWaiting returns the number of tasks waiting in the current round. Loop
// goroutine only.
func (b *Barrier) NWaiting() int { return b.waiters.Len() }

// Broken reports whether the barrier is broken (Abort, until Reset). Loop
// goroutine only.
func (b *Barrier) Broken() bool { return b.broken }
