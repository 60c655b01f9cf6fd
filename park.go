package aio

// Everything in aio that suspends a task goes through task.park: awaiting a
// future or a task, Sleep, Queue.Get/Put/Join, Gather, Wait, AsCompleted,
// Shield, TaskGroup.Wait (and the locks, semaphores and I/O waits built on
// them). It is aio's version of Trio's wait_task_rescheduled, and its
// contract is stated once, here:
//
//   - The caller first registers the task with whatever will end the wait
//     (a future's waiter list, a wait queue, a timer), then calls park with
//     the Context it waits in and a parker that knows how to undo that
//     registration.
//   - Whoever completes the wait calls task.wakeUp, on the loop goroutine.
//     wakeUp only schedules the task: park returns nil at the task's next
//     step. A wake that has happened is never taken back: if the scope is
//     cancelled after the wake but before the task runs, park still returns
//     nil and the caller returns its result (a completed result is never
//     thrown away; the cancellation shows at the next await, level-
//     triggered).
//   - If the scope (or an enclosing one, up to a WithoutCancel) is
//     cancelled while the task is parked and not yet woken, the loop calls
//     parker.abort(cause, false) synchronously, inside the call that
//     cancelled (Task.Cancel reaches what the task awaits at once, as
//     asyncio's Task.cancel cancels _fut_waiter). abort returns true if it
//     withdrew the wait: park then returns cause. It returns false if the
//     wait must go on shielded, for example while an awaited task finishes
//     its cancellation: only wake ends it then, and the caller inspects the
//     outcome.
//   - A scope that is already cancelled when park is called is handled the
//     same way, without suspending.
//   - When the loop unwinds the task (Close), park calls
//     parker.abort(ErrLoopClosed, true), which must withdraw, and returns
//     ErrLoopClosed.
//
// Cost: park and wake allocate nothing; a suspension is one coroutine
// switch out and one back (none when the hand-off resumes the task itself,
// see Loop.runAhead).

// parker undoes a wait. See park.
type parker interface {
	abort(cause error, force bool) bool
}

// parkState is where a task stands in its current wait. Loop goroutine only.
type parkState uint8

const (
	notParked      parkState = iota // running, or ready to run
	parked                          // suspended; a cancellation of waitCtx aborts the wait
	parkedShielded                  // suspended; only wake ends the wait
	woken                           // the wait completed; the task is scheduled
	aborted                         // the wait was withdrawn by a cancellation; the task is scheduled
)

// park suspends t (the running task) until the wait completes (nil), the
// scope ctx is cancelled and p withdraws the wait (the cancellation), or the
// loop unwinds the task (ErrLoopClosed). A nil ctx waits shielded.
func (t *task) park(ctx *Context, p parker) error {
	t.parker = p
	t.waitCtx = ctx
	t.pstate = parked
	if ctx == nil {
		t.pstate = parkedShielded
	} else if cerr := ctx.cancelErr(); cerr != nil {
		withdrawn := p.abort(cerr, false)
		if t.pstate == parked { // (else the abort completed the wait: consume the wake-up below)
			if withdrawn {
				t.endPark()
				t.mustCancel = false // delivered
				return cerr
			}
			t.pstate = parkedShielded
		}
	}
	for {
		ok := t.suspend()
		switch t.pstate {
		case woken:
			t.endPark()
			return nil
		case aborted:
			// The scope's cancellation withdrew the wait; cancellation is
			// permanent, so the scope still reports the same error.
			err := t.waitCtx.cancelErr()
			t.endPark()
			t.mustCancel = false // delivered
			return err
		}
		if !ok {
			p.abort(ErrLoopClosed, true)
			t.endPark()
			return ErrLoopClosed
		}
		// Resumed without a wake: cannot happen with the loop's own
		// scheduling (every schedule of a parked task goes through wakeUp
		// or abortWait); wait again.
	}
}

func (t *task) endPark() {
	t.pstate = notParked
	t.parker = nil
	t.waitCtx = nil
}

// wakeUp completes t's wait: t runs at a coming step and park returns nil.
// It does nothing unless t is parked (a second wake, or a wake after an
// abort, is ignored). Loop goroutine only.
func (t *task) wakeUp() {
	if t.pstate == parked || t.pstate == parkedShielded {
		t.pstate = woken
		t.schedule()
	}
}

// checkAbort aborts t's wait if t is parked in a scope that is now
// cancelled. Called after any cancellation that may concern t. Loop
// goroutine only.
func (t *task) checkAbort() {
	if t.pstate != parked {
		return
	}
	if cerr := t.waitCtx.cancelErr(); cerr != nil {
		t.abortWait(cerr)
	}
}

func (t *task) abortWait(cause error) {
	withdrawn := t.parker.abort(cause, false)
	if t.pstate != parked {
		return // the abort itself completed the wait (woken)
	}
	if withdrawn {
		t.pstate = aborted
		t.schedule()
		return
	}
	t.pstate = parkedShielded
}

// yield suspends t for exactly one loop iteration: every callback that was
// ready runs before t resumes. It cannot be aborted (t is already
// scheduled); the caller checks the scope afterwards.
func (t *task) yield() error {
	t.schedule()
	t.pstate = woken
	ok := t.suspend()
	t.endPark()
	if !ok {
		return ErrLoopClosed
	}
	return nil
}

// suspend switches from t's coroutine back to the loop (or, through the
// direct hand-off, runs the loop's next steps itself). It returns false if
// the loop is unwinding the coroutine.
func (t *task) suspend() bool {
	l := t.loop
	if !l.cfg.debug && l.state.Load() == stateRunning && l.current == t && l.runAhead(t) {
		return true
	}
	return t.coro.Suspend()
}

// withdraw is the parker of waits that are simply given up on cancellation
// (Shield, Wait, AsCompleted): the registration is undone by the caller.
type withdraw struct{}

func (withdraw) abort(error, bool) bool { return true }
