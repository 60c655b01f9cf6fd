package aio

import "strings"

// Waitable is anything a loop can wait on: *Future[T] and *Task[T] for any
// T. It is the type-erased view used by RunUntilComplete, Wait and
// AsCompleted; only this package implements it.
type Waitable interface {
	// Done reports whether the future or task is done.
	Done() bool
	core() *futureCore
}

// Awaitable is a Waitable with a result of type T: *Future[T] and *Task[T].
// Gather, WaitFor and Shield accept any Awaitable.
type Awaitable[T any] interface {
	Waitable
	// Await suspends the calling task until the result is ready.
	Await(ctx *Context) (T, error)
	// Result returns the result of a done future.
	Result() (T, error)
}

// waiter is woken, on the loop goroutine, when a future completes.
type waiter interface{ wake(*futureCore) }

// waitNode links one waiter into one future's waiter list. A task embeds
// the node it awaits with, so awaiting does not allocate; Gather and Wait
// allocate one node per future they watch.
type waitNode struct {
	prev, next *waitNode
	fc         *futureCore // the list the node is in; nil when unlinked
	w          waiter
}

// futureCore is the type-independent state of a Future or Task. Loop
// goroutine only, except fail (see failure).
type futureCore struct {
	loop      *Loop     // immutable; nil in a zero Future
	owner     *task     // the task, for a Task's core; nil for a plain Future; immutable
	done      bool      // set once by complete
	cancelled bool      // ended by a cancellation of its own (see complete)
	retrieved bool      // someone saw the result (markRetrieved)
	fail      *failure  // set while an error is unretrieved and watched
	err       error     // the outcome; nil for success
	head      *waitNode // waiters and done callbacks, in registration order
	tail      *waitNode // the last waiter, for O(1) appends
}

// doneCallback is a done callback registered with AddDoneCallback. It waits
// in the same list as awaiting tasks, so that callbacks and awaiters are
// scheduled in the order they were registered, as in asyncio (where an
// awaiting task is itself a done callback).
type doneCallback struct {
	node waitNode
	fn   func()
}

func (cb *doneCallback) wake(fc *futureCore) { fc.loop.pushFunc(cb.fn) }

// link appends n (unlinked) to the waiter list. O(1).
func (fc *futureCore) link(n *waitNode) {
	n.fc = fc
	n.prev = fc.tail
	n.next = nil
	if fc.tail != nil {
		fc.tail.next = n
	} else {
		fc.head = n
	}
	fc.tail = n
}

// unlink removes n if it is in fc's list. O(1).
func (fc *futureCore) unlink(n *waitNode) {
	if n.fc != fc {
		return
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		fc.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		fc.tail = n.prev
	}
	n.prev, n.next, n.fc = nil, nil, nil
}

// markRetrieved records that someone saw the future's result or error.
func (fc *futureCore) markRetrieved() {
	fc.retrieved = true
	if fc.fail != nil {
		fc.fail.retrieved.Store(true)
		fc.fail = nil
	}
}

// complete marks the future done with err (nil: success) and wakes its
// waiters and schedules its done callbacks, in registration order.
// cancelled says whether it ended by a cancellation of its own: a plain
// future's Cancel, or a task ended by its own scope's cancellation
// (endsCancelled). Anything else, wrapped cancellations included, is a
// failure, reported if nobody retrieves it.
func (fc *futureCore) complete(err error, cancelled bool) {
	fc.done = true
	fc.err = err
	fc.cancelled = cancelled
	for n := fc.head; n != nil; {
		next := n.next
		n.prev, n.next, n.fc = nil, nil, nil
		n.w.wake(fc)
		n = next
	}
	fc.head, fc.tail = nil, nil
	if err != nil && !cancelled && !fc.retrieved {
		fc.loop.noteFailure(fc)
	}
}

func (fc *futureCore) addDoneCallback(op string, fn func()) func() bool {
	fc.checkLoop(op)
	if fn == nil {
		misuse(op, ErrNilFunc, "pass the callback to run")
	}
	if fc.done {
		fc.loop.pushFunc(fn)
		return func() bool { return false }
	}
	cb := &doneCallback{fn: fn}
	cb.node.w = cb
	fc.link(&cb.node)
	return func() bool {
		if cb.node.fc == nil {
			return false
		}
		fc.unlink(&cb.node)
		return true
	}
}

// checkLoop panics if fc is a zero Future or if the call comes from a
// goroutine that is not running its loop (see Loop.checkCaller).
func (fc *futureCore) checkLoop(op string) {
	if fc.loop == nil {
		misuse(op, ErrZeroValue, "create futures with aio.NewFuture")
	}
	fc.loop.checkCaller(op)
}

// awaitBy checks that task t may wait for fc.
func (fc *futureCore) awaitBy(op string, t *task) error {
	if fc.loop == nil {
		misuse(op, ErrZeroValue, "create futures with aio.NewFuture")
	}
	if fc.loop != t.loop {
		misuse(op, ErrWrongLoop, "futures and tasks are bound to the loop that created them; pass results between loops with CallSoonThreadsafe")
	}
	if fc.owner == t {
		return ErrAwaitSelf
	}
	return nil
}

// awaitParker is the parker of a task awaiting a future or another task
// (the one its node is linked into). Cancelling the awaiter cancels a plain future and withdraws
// at once; it cancels an awaited task and keeps waiting, shielded, until
// that task has finished (asyncio: awaiting a task that is being cancelled
// waits for its cancellation to complete).
type awaitParker task

func (p *awaitParker) abort(cause error, force bool) bool {
	t := (*task)(p)
	fc := t.node.fc // linked while the wait is pending
	if fc == nil {
		return true
	}
	if force || fc.owner == nil {
		fc.unlink(&t.node)
		if !force {
			fc.cancel(cancelMessage(cause))
		}
		return true
	}
	fc.owner.cancel(cancelMessage(cause))
	return false
}

// await parks the task of ctx until fc (pending) is done and returns fc's
// error (nil on success), following asyncio's rules: if the awaiting scope
// is cancelled first, a plain future is cancelled and the cancellation
// returned; a task is cancelled and waited for, then its value is kept if it
// suppressed the cancellation, its error returned if it failed otherwise,
// and the awaiter's cancellation returned if it ended cancelled.
func (fc *futureCore) await(op string, ctx *Context) error {
	t := ctx.enter(op)
	if err := fc.awaitBy(op, t); err != nil {
		return err
	}
	if cerr := ctx.checkCancel(); cerr != nil {
		// Level-triggered: the scope is already cancelled, so the await
		// fails before it starts and the awaited task is left alone.
		return cerr
	}
	t.node.w = t
	fc.link(&t.node)
	err := t.park(ctx, (*awaitParker)(t))
	if err != nil {
		return err
	}
	if fc.owner == nil {
		// A plain future only reports a completion (its value stays
		// readable with Result), so a cancellation that reached the task
		// after the future completed but before the task resumed wins, as
		// in asyncio.
		if cerr := ctx.checkCancel(); cerr != nil {
			return cerr
		}
	}
	// A task's result belongs to its awaiter: once the task is done it is
	// returned, even if a cancellation arrived meanwhile (it shows at the
	// next await), so that no value is lost to a timeout.
	fc.markRetrieved()
	if fc.cancelled {
		if cerr := ctx.checkCancel(); cerr != nil {
			return cerr // the awaited task ended by our cancellation
		}
	}
	return fc.err
}

func (fc *futureCore) cancel(msg string) bool {
	if fc.done {
		return false
	}
	if fc.owner != nil {
		return fc.owner.cancel(msg)
	}
	fc.complete(&CancelledError{Message: msg}, true)
	return true
}

func joinMsg(msg []string) string {
	switch len(msg) {
	case 0:
		return ""
	case 1:
		return msg[0]
	}
	return strings.Join(msg, " ")
}

func cancelMessage(err error) string {
	if ce, ok := err.(*CancelledError); ok {
		return ce.Message
	}
	return ""
}

// Future is a placeholder for a result that some code will provide later
// with SetResult, SetError or Cancel (asyncio.Future). Tasks await it with
// Await.
//
// A Future belongs to one loop, and its methods must be called on that
// loop's goroutine (a task or callback); a call from another goroutine while
// the loop waits for events panics with ErrWrongGoroutine. Other goroutines
// complete a future with SetResultThreadsafe or SetErrorThreadsafe. The zero
// Future is not usable: its methods panic with ErrZeroValue; create futures
// with NewFuture.
type Future[T any] struct {
	c   futureCore
	val T
}

// NewFuture returns a pending future on the loop of h (a *Loop or a task's
// *Context). It may be called from any goroutine; the future's methods are
// for the loop goroutine.
func NewFuture[T any](h Host) *Future[T] {
	f := &Future[T]{}
	f.c.loop = h.Loop()
	return f
}

func (f *Future[T]) core() *futureCore { return &f.c }

// SetResult completes the future with v, waking its awaiters and scheduling
// its done callbacks. It returns ErrInvalidState if the future is already
// done (resolved or cancelled); the first resolution stands.
func (f *Future[T]) SetResult(v T) error {
	f.c.checkLoop("Future.SetResult")
	if f.c.done {
		return ErrInvalidState
	}
	f.val = v
	f.c.complete(nil, false)
	return nil
}

// SetError completes the future with err; a nil err panics (use
// SetResult). It returns ErrInvalidState if the future is already done. An
// error nobody retrieves is reported to the exception handler.
func (f *Future[T]) SetError(err error) error {
	f.c.checkLoop("Future.SetError")
	if err == nil {
		misuse("Future.SetError", ErrNilFunc, "SetError needs a non-nil error; use SetResult for success")
	}
	if f.c.done {
		return ErrInvalidState
	}
	f.c.complete(err, isCancel(err))
	watchFuture(f)
	return nil
}

// SetResultThreadsafe completes the future with v from any goroutine: the
// completion is posted to the loop (Loop.CallSoonThreadsafe) and happens in
// a coming iteration; if the future is done by then, v is dropped, as
// SetResult would refuse it. It returns ErrLoopClosed if the loop is closed.
func (f *Future[T]) SetResultThreadsafe(v T) error {
	if f.c.loop == nil {
		misuse("Future.SetResultThreadsafe", ErrZeroValue, "create futures with aio.NewFuture")
	}
	return f.c.loop.inbox.post(func() {
		if !f.c.done {
			f.val = v
			f.c.complete(nil, false)
		}
	})
}

// SetErrorThreadsafe is SetError from any goroutine, posted like
// SetResultThreadsafe.
func (f *Future[T]) SetErrorThreadsafe(err error) error {
	if f.c.loop == nil {
		misuse("Future.SetErrorThreadsafe", ErrZeroValue, "create futures with aio.NewFuture")
	}
	if err == nil {
		misuse("Future.SetErrorThreadsafe", ErrNilFunc, "SetErrorThreadsafe needs a non-nil error")
	}
	return f.c.loop.inbox.post(func() {
		if !f.c.done {
			f.c.complete(err, isCancel(err))
			watchFuture(f)
		}
	})
}

// Cancel cancels a pending future: it completes with a *CancelledError
// carrying the message (optional, like asyncio's cancel(msg); several
// strings are joined with spaces), and its awaiters receive that error. It
// reports whether it cancelled the future: false (and nothing changes) if
// the future is already done.
func (f *Future[T]) Cancel(msg ...string) bool {
	f.c.checkLoop("Future.Cancel")
	return f.c.cancel(joinMsg(msg))
}

// Done reports whether the future is resolved or cancelled.
func (f *Future[T]) Done() bool { return f.c.done }

// Cancelled reports whether the future was cancelled.
func (f *Future[T]) Cancelled() bool { return f.c.cancelled }

// Result returns the value and error of a done future; a cancelled future
// returns its *CancelledError. On a pending future it returns
// ErrInvalidState. Calling it marks the error as retrieved.
func (f *Future[T]) Result() (T, error) { return resultOf(&f.c, &f.val) }

// Await suspends the calling task until the future is done and returns its
// result. A done future returns at once without yielding to the loop. If
// the task's scope (ctx) is cancelled while waiting, the future is
// cancelled and Await returns the scope's cancellation error; a scope
// already cancelled returns its error without waiting. As in asyncio, a
// cancellation that reaches the task after the future completed but
// before the task resumed also wins (the value stays in the future). ctx
// must be the Context of the running task.
func (f *Future[T]) Await(ctx *Context) (T, error) { return awaitOf("Future.Await", &f.c, &f.val, ctx) }

// resultOf is Result for a future or task: the value and error once done
// (marking the error retrieved), ErrInvalidState before.
func resultOf[T any](fc *futureCore, val *T) (T, error) {
	if !fc.done {
		var zero T
		return zero, ErrInvalidState
	}
	fc.markRetrieved()
	return *val, fc.err
}

// awaitOf is Await for a future or task: no yield when it is done already.
func awaitOf[T any](op string, fc *futureCore, val *T, ctx *Context) (T, error) {
	if !fc.done {
		if err := fc.await(op, ctx); err != nil {
			var zero T
			return zero, err
		}
	}
	return resultOf(fc, val) // await returns nil only once fc is done
}

// AddDoneCallback arranges for fn to run on the loop (scheduled like
// CallSoon, never synchronously) when the future is done; on a done future
// it is scheduled at once. Callbacks are scheduled in registration order.
// The returned function unregisters fn and reports whether it did so before
// fn was scheduled. (Go funcs are not comparable, so this replaces asyncio's
// remove_done_callback.)
func (f *Future[T]) AddDoneCallback(fn func()) (remove func() bool) {
	return f.c.addDoneCallback("Future.AddDoneCallback", fn)
}
