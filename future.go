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

// futureCore is the type-independent state of a Future or Task.
type futureCore struct {
	loop      *Loop
	owner     *task // the task, for a Task's core; nil for a plain Future
	done      bool
	cancelled bool
	retrieved bool
	fail      *failure // set while an error is unretrieved and watched
	err       error
	w0        waiter   // first waiter (inline: awaiting does not allocate)
	ws        []waiter // further waiters, in registration order
}

// doneCallback is a done callback registered with AddDoneCallback. It waits
// in the same list as awaiting tasks, so that callbacks and awaiters are
// scheduled in the order they were registered, as in asyncio (where an
// awaiting task is itself a done callback).
type doneCallback struct {
	fn      func()
	removed bool
}

func (cb *doneCallback) wake(fc *futureCore) {
	if !cb.removed {
		fc.loop.ready.Push(readyItem{fn: cb.fn})
	}
}

func (fc *futureCore) hasWaiter(w waiter) bool {
	if fc.w0 == w {
		return true
	}
	for _, x := range fc.ws {
		if x == w {
			return true
		}
	}
	return false
}

func (fc *futureCore) addWaiter(w waiter) {
	if fc.w0 == nil && len(fc.ws) == 0 {
		fc.w0 = w
		return
	}
	fc.ws = append(fc.ws, w)
}

func (fc *futureCore) removeWaiter(w waiter) {
	if fc.w0 == w {
		fc.w0 = nil
		if len(fc.ws) > 0 { // keep FIFO: promote the oldest overflow waiter
			fc.w0 = fc.ws[0]
			copy(fc.ws, fc.ws[1:])
			fc.ws[len(fc.ws)-1] = nil
			fc.ws = fc.ws[:len(fc.ws)-1]
		}
		return
	}
	for i, x := range fc.ws {
		if x == w {
			copy(fc.ws[i:], fc.ws[i+1:])
			fc.ws[len(fc.ws)-1] = nil
			fc.ws = fc.ws[:len(fc.ws)-1]
			return
		}
	}
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
// waiters; done callbacks are scheduled like CallSoon, in registration order.
func (fc *futureCore) complete(err error) {
	fc.done = true
	fc.err = err
	fc.cancelled = isCancel(err)
	if w := fc.w0; w != nil {
		fc.w0 = nil
		w.wake(fc)
	}
	for i, w := range fc.ws {
		fc.ws[i] = nil
		w.wake(fc)
	}
	fc.ws = nil
	if err != nil && !fc.cancelled && !fc.retrieved {
		fc.loop.noteFailure(fc)
	}
}

func (fc *futureCore) addDoneCallback(fn func()) func() bool {
	cb := &doneCallback{fn: fn}
	if fc.done {
		fc.loop.ready.Push(readyItem{fn: fn})
		return func() bool { return false }
	}
	fc.addWaiter(cb)
	return func() bool {
		if cb.removed || fc.done {
			return false
		}
		cb.removed = true
		fc.removeWaiter(cb)
		return true
	}
}

// await parks the task of ctx until fc (pending) is done, following
// asyncio's rules: if the awaiting scope is cancelled first, a plain future
// is cancelled and the cancellation returned; a task is cancelled and waited
// for (its cancellation runs to the end), then its value is kept if it
// suppressed the cancellation, its error returned if it failed otherwise, and
// the awaiter's cancellation returned if it ended cancelled. A cancellation
// that arrives after fc completed but before the awaiter resumed wins.
func (fc *futureCore) await(ctx *Context) error {
	t := ctx.enter()
	if fc.owner == t {
		return ErrAwaitSelf
	}
	if fc.loop != t.loop {
		panic("aio: awaiting a future or task of another loop; futures are bound to the loop that created them")
	}
	if cerr := ctx.cancelErr(); cerr != nil {
		return cerr
	}
	fc.addWaiter(t)
	for {
		ok := t.park(ctx)
		if !fc.done {
			fc.removeWaiter(t)
		}
		if !ok {
			return ErrLoopClosed
		}
		if cerr := ctx.cancelErr(); cerr != nil {
			if fc.done {
				return cerr
			}
			return fc.cancelAndWait(t, cerr)
		}
		if fc.done {
			fc.markRetrieved()
			return fc.err
		}
		fc.addWaiter(t) // spurious wake-up: wait again
	}
}

// cancelAndWait cancels fc on behalf of t, whose scope was cancelled with
// cerr, waits (shielded) until fc is done, and returns what the awaiter sees.
func (fc *futureCore) cancelAndWait(t *task, cerr error) error {
	msg := cancelMessage(cerr)
	if fc.owner == nil {
		fc.cancel(msg)
		return cerr
	}
	fc.owner.cancel(msg)
	if !fc.done {
		fc.addWaiter(t)
		for !fc.done {
			if !t.park(nil) {
				fc.removeWaiter(t)
				return ErrLoopClosed
			}
		}
	}
	fc.markRetrieved()
	switch {
	case fc.err == nil:
		return nil // the task suppressed the cancellation; its value stands
	case isCancel(fc.err):
		return cerr
	default:
		return fc.err
	}
}

func (fc *futureCore) cancel(msg string) bool {
	if fc.done {
		return false
	}
	if fc.owner != nil {
		return fc.owner.cancel(msg)
	}
	fc.complete(&CancelledError{Message: msg})
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
// Await. A Future belongs to one loop, and all its methods must be called on
// that loop's goroutine (a task or callback); from other goroutines, post the
// call with Loop.CallSoonThreadsafe.
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
	if f.c.done {
		return ErrInvalidState
	}
	f.val = v
	f.c.complete(nil)
	return nil
}

// SetError completes the future with err; a nil err panics (use
// SetResult). It returns
// ErrInvalidState if the future is already done. An error nobody retrieves
// is reported to the exception handler when the loop closes.
func (f *Future[T]) SetError(err error) error {
	if err == nil {
		panic("aio: Future.SetError(nil); use SetResult for success")
	}
	if f.c.done {
		return ErrInvalidState
	}
	f.c.complete(err)
	watchFuture(f)
	return nil
}

// Cancel cancels a pending future: it completes with a *CancelledError
// carrying the message (optional, like asyncio's cancel(msg); several
// strings are joined with spaces), and its awaiters receive that error. It
// returns false (and changes nothing) if the future is already done.
func (f *Future[T]) Cancel(msg ...string) bool { return f.c.cancel(joinMsg(msg)) }

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
// already cancelled returns its error without waiting. ctx must be the
// Context of the running task.
func (f *Future[T]) Await(ctx *Context) (T, error) { return awaitOf(&f.c, &f.val, ctx) }

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
func awaitOf[T any](fc *futureCore, val *T, ctx *Context) (T, error) {
	if !fc.done {
		if err := fc.await(ctx); err != nil {
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
	return f.c.addDoneCallback(fn)
}
