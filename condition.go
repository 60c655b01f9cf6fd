package aio

import "github.com/asyncgo/aio/internal/waitq"

// Condition is a condition variable for the tasks of one loop
// (asyncio.Condition): a task holding the condition's Lock calls Wait,
// which releases the lock, waits for a Notify and re-acquires the lock
// before returning.
//
//	if err := cond.Acquire(ctx); err != nil {
//		return err
//	}
//	defer cond.Release()
//	if err := cond.WaitFor(ctx, func() bool { return len(items) > 0 }); err != nil {
//		return err
//	}
//
// Wait always returns with the lock held, also when it returns a
// cancellation: the re-acquire cannot be cancelled (it is shielded), and
// the cancellation is returned once the lock is back. A notification that
// reaches a waiter whose Wait then returns a cancellation (it was cancelled
// after the Notify, before it ran or while it re-acquired the lock) is
// passed on to the next waiter, as in Python 3.13, so no Notify is lost.
// Notified waiters are woken first come, first served.
//
// The zero Condition is a condition over its own unlocked Lock, like
// NewCondition(nil). A Condition is bound to the loop of the first task
// that waits in it (its lock as well) and must only be used from the tasks
// and callbacks of that loop, on the loop goroutine; waiting on it from a
// task of another loop panics with ErrWrongLoop. Do not copy a Condition
// after first use.
type Condition struct {
	lock    *Lock // nil: own
	own     Lock
	waiters waitq.Queue[swaiter]
	b       loopBinding
}

// NewCondition returns a condition over l, or over a new Lock of its own if
// l is nil. Several conditions may share one lock.
func NewCondition(l *Lock) *Condition { return &Condition{lock: l} }

// Lock returns the condition's lock.
func (c *Condition) Lock() *Lock {
	if c.lock == nil {
		return &c.own
	}
	return c.lock
}

// Acquire acquires the condition's lock: see Lock.Acquire.
func (c *Condition) Acquire(ctx *Context) error { return c.Lock().Acquire(ctx) }

// Release releases the condition's lock: see Lock.Release.
func (c *Condition) Release() error { return c.Lock().Release() }

// Locked reports whether the condition's lock is locked. Loop goroutine
// only.
func (c *Condition) Locked() bool { return c.Lock().Locked() }

// Wait releases the lock, waits until a Notify wakes the task, and
// re-acquires the lock; ctx must be the Context (or a scope) of the running
// task, which must hold the lock (else Wait returns ErrNotLocked at once).
// It returns nil when notified, or the cancellation error if ctx is
// cancelled at any point before Wait returns — without waiting and without
// releasing the lock if ctx is already cancelled. In every case but
// ErrNotLocked and ErrLoopClosed the lock is held again when it returns.
func (c *Condition) Wait(ctx *Context) error {
	t := c.b.enter("Condition.Wait", "Condition", ctx, true)
	l := c.Lock()
	if !l.locked {
		return ErrNotLocked
	}
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	_ = l.Release()
	w, err := waitOn(ctx, t, &c.waiters)
	if err == ErrLoopClosed {
		return err
	}
	if aerr := l.acquireShielded(t); aerr != nil {
		return aerr // the loop is unwinding the task
	}
	if err == nil {
		// Notified; a cancellation that came since still wins.
		if err = ctx.checkCancel(); err != nil && w.ok {
			c.notify(1) // pass the notification on
		}
	}
	return err
}

// WaitFor waits (with Wait) until pred returns true; pred is called with
// the lock held, first before any wait. ctx and the lock are as for Wait.
// It returns nil once pred is true, or Wait's error (the lock held again
// unless the error is ErrNotLocked or ErrLoopClosed).
func (c *Condition) WaitFor(ctx *Context, pred func() bool) error {
	if pred == nil {
		misuse("Condition.WaitFor", ErrNilFunc, "pass the predicate to wait for")
	}
	for !pred() {
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Notify wakes up to n of the tasks waiting in Wait, longest waiting
// first; each re-acquires the lock once the caller releases it. The lock
// must be held (else it returns ErrNotLocked). n ≤ 0 wakes none. It never
// yields. Loop goroutine only.
func (c *Condition) Notify(n int) error {
	c.b.check("Condition.Notify")
	if !c.Lock().locked {
		return ErrNotLocked
	}
	c.notify(n)
	return nil
}

// NotifyAll wakes every task waiting in Wait; see Notify.
func (c *Condition) NotifyAll() error {
	c.b.check("Condition.NotifyAll")
	if !c.Lock().locked {
		return ErrNotLocked
	}
	c.notify(c.waiters.Len())
	return nil
}

func (c *Condition) notify(n int) {
	for ; n > 0 && wakeFirst(&c.waiters); n-- {
	}
}
