package aio

import "github.com/asyncgo/aio/internal/waitq"

// Lock is a mutual exclusion lock for the tasks of one loop (asyncio.Lock).
// It is not owned: any task or callback of the loop may release it.
//
//	if err := mu.Acquire(ctx); err != nil {
//		return err
//	}
//	defer mu.Release()
//
// Waiters are served first come, first served: Release with tasks waiting
// hands the lock directly to the longest-waiting one (the lock stays locked
// in between), so no task can barge past a waiter, and TryAcquire fails
// while anyone waits. A task that was handed the lock keeps it even if it
// is cancelled before it runs: Acquire returns nil and the task must
// release the lock as usual (the cancellation shows at its next await). A
// wait cancelled before the hand-off leaves the queue and takes nothing, so
// the lock is never lost between a Release and a cancellation. (asyncio
// instead raises CancelledError from such an acquire and passes the lock
// on; aio keeps a completed wait's result, as everywhere else.)
//
// An uncontended Acquire does not yield and does not allocate.
//
// The zero Lock is an unlocked lock. A Lock is bound to the loop of the
// first task that waits in it and must only be used from the tasks and
// callbacks of that loop, on the loop goroutine; awaiting it from a task of
// another loop panics with ErrWrongLoop. Do not copy a Lock after first use.
type Lock struct {
	locked  bool
	waiters waitq.Queue[swaiter]
	b       loopBinding
}

// Acquire locks l, waiting while it is locked; ctx must be the Context (or
// a scope) of the running task. It returns at once, without yielding, when
// l is unlocked and nobody waits. On cancellation of ctx it returns the
// cancellation error without the lock, unless the lock was already handed
// to the task (then it returns nil: see Lock). A second Acquire by the
// holder waits for a Release, like any other (the lock is not reentrant).
func (l *Lock) Acquire(ctx *Context) error {
	t := l.b.enter("Lock.Acquire", "Lock", ctx, l.locked) // binds when it waits
	if !l.locked {
		// Invariant: tasks wait only while the lock is locked.
		l.locked = true
		return nil
	}
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	_, err := waitOn(ctx, t, &l.waiters)
	return err
}

// acquireShielded is Acquire that no cancellation interrupts (Condition's
// re-acquire); it fails only when the loop unwinds the task.
func (l *Lock) acquireShielded(t *task) error {
	if !l.locked {
		l.locked = true
		return nil
	}
	if l.b.loop == nil {
		l.b.loop = t.loop
	}
	_, err := waitOn(nil, t, &l.waiters)
	return err
}

// TryAcquire locks l if it is unlocked and reports whether it did; it never
// waits, and fails while tasks wait for the lock (they come first). Loop
// goroutine only.
func (l *Lock) TryAcquire() bool {
	l.b.check("Lock.TryAcquire")
	if l.locked {
		return false
	}
	l.locked = true
	return true
}

// Release unlocks l, or hands it to the longest-waiting task if any (l then
// stays locked, for that task). Releasing an unlocked lock returns
// ErrNotLocked and changes nothing. It never yields. Loop goroutine only.
func (l *Lock) Release() error {
	l.b.check("Lock.Release")
	if !l.locked {
		return ErrNotLocked
	}
	if !wakeFirst(&l.waiters) {
		l.locked = false
	}
	return nil
}

// Locked reports whether l is locked. Loop goroutine only.
func (l *Lock) Locked() bool { return l.locked }
