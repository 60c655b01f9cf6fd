package aio

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncgo/aio/internal/timerheap"
)

// Context is a cancellation scope of one task, and a context.Context.
//
// Every task receives its root Context; WithCancel, WithTimeout, WithDeadline
// and WithoutCancel open nested scopes over the same coroutine. Cancellation
// is level-triggered: once a scope is cancelled (by Task.Cancel for the
// root, by its CancelFunc, or by its deadline), every await that is given
// that scope or a scope nested in it returns the cancellation error, at once
// and without suspending, until the coroutine stops using it. Cancelling an
// inner scope does not affect its parent, so the body around an expired
// WithTimeout carries on. The first cancellation of a scope (or of an
// enclosing one) stands. Errors satisfy errors.Is(err, context.Canceled)
// (a *CancelledError with the cancel message) or, for deadlines,
// errors.Is(err, context.DeadlineExceeded) (a *TimeoutError).
//
// As a context.Context, a *Context can be handed to any Go API, and works
// off the loop too: Deadline, Done, Err, Value, Cause and AfterFunc are safe
// from any goroutine. Done is closed when the scope is cancelled, when its
// deadline passes (on the real clock, even while the loop is held by a
// blocking call), and when the task returns (Cause is then
// ErrTaskFinished). AfterFunc lets context.AfterFunc and
// context.WithCancel/WithTimeout children of a scope work without a watcher
// goroutine. Err returns exactly context.Canceled or
// context.DeadlineExceeded; Cause returns the richer error. Under a virtual
// clock (WithClock) Deadline reports the loop's virtual time and Done closes
// when the loop's virtual time reaches the deadline; code outside the loop
// sees virtual deadlines only through Done.
//
// Awaiting with a Context is only valid on the loop goroutine, inside the
// task the Context belongs to; anything else panics with ErrNotInTask.
type Context struct {
	task     *task                        // immutable
	parent   *Context                     // enclosing scope in the same task; nil for the root; immutable
	deadline atomic.Int64                 // loop nanoseconds, the earliest of its own and its parent's (as of its creation); math.MaxInt64 = none; written on the loop goroutine (creation, Timeout.Reschedule), read anywhere
	timer    *timerheap.Entry             // the loop timer of its own deadline; loop goroutine only
	state    atomic.Pointer[cancelState]  // nil until cancelled; set once, from any goroutine
	watch    atomic.Pointer[contextWatch] // created on the first Done or AfterFunc
	released atomic.Bool                  // the CancelFunc was called
	shield   bool                         // WithoutCancel: cancellation of parent does not reach it; immutable
}

type cancelState struct {
	err      error // what awaits return (Cause)
	sentinel error // context.Canceled or context.DeadlineExceeded (Err)
}

// finishedState is the state of a task's root scope once the task returned
// without having been cancelled.
var finishedState = &cancelState{err: ErrTaskFinished, sentinel: context.Canceled}

// contextWatch holds what goroutines off the loop wait on. Created lazily,
// so scopes nobody watches cost nothing.
type contextWatch struct {
	mu    sync.Mutex         // guards the fields below
	fired bool               // the scope (or an enclosing one) is cancelled
	done  chan struct{}      // closed when fired; created by Done
	hooks map[*hook]struct{} // run once when fired
	timer *time.Timer        // the scope's real-clock deadline
	ended bool               // the task returned (root scopes only)
	final []*Context         // WithoutCancel scopes, fired when the task returns (root scopes only)
}

// hook is run when a watched scope is cancelled: a context.AfterFunc
// function (in its own goroutine) or a nested watched scope.
type hook struct {
	fn    func()
	child *Context
}

// CancelFunc cancels a scope and releases its resources. It is safe to call
// from any goroutine (the usual go func() { ...; cancel() }() works), and
// calling it again does nothing. Call it when done with the scope
// (typically with defer in the coroutine that opened it).
type CancelFunc func()

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

type contextKey struct{}

// ContextOf returns the task Context behind ctx: ctx itself if it is a
// *Context, or the innermost *Context that ctx was derived from
// (context.WithValue by middleware, tracing, context.WithCancel...), so a
// helper that receives a context.Context can still await. Awaiting uses the
// aio scope found: a deadline or cancellation added by the Go layers above
// it is not seen by aio awaits. It reports false if there is none.
func ContextOf(ctx context.Context) (*Context, bool) {
	if c, ok := ctx.(*Context); ok {
		return c, true
	}
	if ctx == nil {
		return nil, false
	}
	c, ok := ctx.Value(contextKey{}).(*Context)
	return c, ok
}

// Loop returns the loop the Context's task runs on. Any goroutine.
func (c *Context) Loop() *Loop { return c.task.loop }

// Task returns the task this Context belongs to. Any goroutine (the task's
// own methods are for the loop goroutine).
func (c *Context) Task() AnyTask { return c.task.job }

// Deadline returns the scope's deadline (the earliest of its own and its
// enclosing scopes'), on the loop's clock. Any goroutine.
func (c *Context) Deadline() (time.Time, bool) {
	d := c.deadline.Load()
	if d == math.MaxInt64 {
		return time.Time{}, false
	}
	return c.task.loop.toTime(d), true
}

// Done returns a channel closed when the scope is cancelled, its deadline
// passes (real clock) or its task returns. Any goroutine; repeated calls
// return the same channel.
func (c *Context) Done() <-chan struct{} {
	w := c.watched()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done == nil {
		if w.fired {
			w.done = closedCh
		} else {
			w.done = make(chan struct{})
		}
	}
	return w.done
}

// Err returns nil while the scope is not cancelled, then context.Canceled or
// context.DeadlineExceeded. With the real clock it reports
// context.DeadlineExceeded as soon as the deadline has passed, even if the
// loop has not yet run its timers. Any goroutine.
func (c *Context) Err() error {
	if st := c.cancelState(); st != nil {
		return st.sentinel
	}
	if d := c.deadline.Load(); d != math.MaxInt64 && c.task.loop.realTime && c.task.loop.now() >= d {
		return context.DeadlineExceeded
	}
	return nil
}

// Cause returns the error awaits in this scope return: nil, a
// *CancelledError (with the cancel message), a *TimeoutError, or
// ErrTaskFinished once the task returned. Any goroutine.
func (c *Context) Cause() error {
	if st := c.cancelState(); st != nil {
		return st.err
	}
	return nil
}

// Value returns c itself for the key ContextOf uses, and otherwise the
// value for key from the loop's base context (see WithBaseContext); aio
// scopes carry no other values. Any goroutine.
func (c *Context) Value(key any) any {
	if key == (contextKey{}) {
		return c
	}
	if base := c.task.loop.cfg.base; base != nil {
		return base.Value(key)
	}
	return nil
}

// AfterFunc arranges for f to run in its own goroutine once the scope is
// done (see Done), and returns stop, which unregisters f and reports
// whether it did so before f was started. If the scope is already done, f
// starts at once. It is what context.AfterFunc, and the children made by
// context.WithCancel and context.WithTimeout, use, so they start no watcher
// goroutine. Any goroutine.
func (c *Context) AfterFunc(f func()) (stop func() bool) {
	if f == nil {
		misuse("Context.AfterFunc", ErrNilFunc, "pass the function to run")
	}
	h := &hook{fn: f}
	w := c.watched()
	if !w.add(h) {
		go f()
		return func() bool { return false }
	}
	return func() bool { return w.remove(h) }
}

// cancelState returns the state of the first cancelled scope from c
// outwards (stopping at a shield), or nil.
func (c *Context) cancelState() *cancelState {
	for s := c; s != nil; s = s.parent {
		if st := s.state.Load(); st != nil {
			return st
		}
		if s.shield {
			return nil
		}
	}
	return nil
}

// cancelErr returns the error awaits in c return now, or nil.
func (c *Context) cancelErr() error {
	if st := c.cancelState(); st != nil {
		return st.err
	}
	return nil
}

// checkCancel is cancelErr at the start of an await: a cancellation it
// returns counts as delivered to the task (see task.mustCancel).
func (c *Context) checkCancel() error {
	err := c.cancelErr()
	if err != nil {
		c.task.mustCancel = false
	}
	return err
}

// enter validates that c may be used to await now and returns its task.
// The common case (the Context's own task is running, debug mode off) is
// one comparison; everything else is enterSlow.
func (c *Context) enter(op string) *task {
	if t := c.running(); t != nil {
		return t
	}
	return c.enterSlow(op)
}

// running returns c's task if it is the running task and debug mode is
// off, else nil. (A loop that Close is unwinding still has the task as
// current: its awaits return ErrLoopClosed from park.)
func (c *Context) running() *task {
	if c != nil {
		if t := c.task; t.loop.current == t && !t.loop.cfg.debug {
			return t
		}
	}
	return nil
}

func (c *Context) enterSlow(op string) *task {
	if c == nil {
		misuse(op, ErrNotInTask, "pass the *aio.Context your coroutine received, not nil")
	}
	t := c.task
	l := t.loop
	if l.state.Load() == stateClosed {
		misuse(op, ErrLoopClosed, "a Context of task "+t.Name()+" is only valid inside its running task, and its loop is closed")
	}
	if l.current != t {
		if l.polling.Load() {
			misuse(op, ErrWrongGoroutine, "await only inside the coroutine the Context was given to; other goroutines use Loop.CallSoonThreadsafe")
		}
		if l.current == nil {
			misuse(op, ErrNotInTask, "await only inside the coroutine the Context was given to (not in a callback, another goroutine, or after the task ended)")
		}
		misuse(op, ErrNotInTask, "this is the Context of task "+t.Name()+" but task "+l.current.Name()+
			" is running; pass the Context your own coroutine received")
	}
	if l.cfg.debug {
		l.checkCaller(op)
	}
	return t
}

// setCancelled records the cancellation of c unless c or an enclosing scope
// is already cancelled (the first cancellation stands), and fires the
// watchers. It reports whether it did. Any goroutine.
func (c *Context) setCancelled(err error) bool {
	if c.cancelState() != nil {
		return false
	}
	st := &cancelState{err: err, sentinel: context.Canceled}
	if errors.Is(err, context.DeadlineExceeded) {
		st.sentinel = context.DeadlineExceeded
	}
	return c.publish(st)
}

// publish sets the scope's cancellation state st, unless it has one, and
// fires the watchers; it reports whether st was set.
func (c *Context) publish(st *cancelState) bool {
	if !c.state.CompareAndSwap(nil, st) {
		return false
	}
	if w := c.watch.Load(); w != nil {
		w.fire()
	}
	return true
}

// cancel cancels the scope on the loop goroutine: its own deadline timer is
// stopped and, if the task is parked in a scope the cancellation reaches,
// its wait is aborted at once (see park).
func (c *Context) cancel(err error) {
	if !c.setCancelled(err) {
		return
	}
	c.stopTimer()
	c.task.checkAbort()
}

func (c *Context) stopTimer() {
	if c.timer != nil && c.timer.Queued() {
		c.task.loop.timers.Remove(c.timer)
	}
}

// expire is the scope's deadline timer firing on the loop.
func (c *Context) expire() { c.cancel(&TimeoutError{}) }

// deadlineFired is the scope's timer firing (the timer's Owner is the
// scope): the expiry rides the ready queue behind what is ready now, so a
// result that arrived first wins (Loop.fire). Loop goroutine.
func (c *Context) deadlineFired() {
	c.task.loop.ready.Push(readyItem{h: scopeDeadline, fn: c.expire})
}

// expireOffLoop is the scope's real-clock deadline firing on a timer
// goroutine, for scopes that goroutines off the loop watch: they see it at
// once; the loop aborts the parked task in its next iteration.
func (c *Context) expireOffLoop() {
	if c.setCancelled(&TimeoutError{}) {
		_ = c.task.loop.inbox.post(c.release)
	}
}

// release is the loop's side of a CancelFunc or an off-loop expiry: stop
// the timer and abort the task's wait if the cancellation reaches it.
func (c *Context) release() {
	c.stopTimer()
	c.task.checkAbort()
}

// finish marks the root scope of a task that has returned: its watchers see
// it done with ErrTaskFinished, unless it was cancelled before, and so do
// the watchers of its WithoutCancel scopes.
func (c *Context) finish() {
	c.state.CompareAndSwap(nil, finishedState)
	w := c.watch.Load()
	if w == nil {
		return
	}
	w.fire()
	w.mu.Lock()
	w.ended = true
	final := w.final
	w.final = nil
	w.mu.Unlock()
	for _, s := range final {
		if sw := s.watch.Load(); sw != nil {
			sw.fire()
		}
	}
}

// addFinal registers a WithoutCancel scope to be fired when the task
// returns; it reports false if the task has returned already.
func (w *contextWatch) addFinal(c *Context) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ended {
		return false
	}
	w.final = append(w.final, c)
	return true
}

// watched returns the scope's watch, creating it (and the watches of the
// enclosing scopes it depends on, and the real-clock deadline timer) on
// first use. Any goroutine.
func (c *Context) watched() *contextWatch {
	if w := c.watch.Load(); w != nil {
		return w
	}
	w := &contextWatch{}
	if !c.watch.CompareAndSwap(nil, w) {
		return c.watch.Load()
	}
	switch {
	case c.shield:
		// Cancellation does not reach it, but the end of the task does.
		root := c
		for root.parent != nil {
			root = root.parent
		}
		if !root.watched().addFinal(c) {
			w.fire()
		}
	case c.parent != nil:
		if !c.parent.watched().add(&hook{child: c}) {
			w.fire()
		}
	}
	if c.state.Load() != nil {
		w.fire()
	}
	if dl := c.deadline.Load(); dl != math.MaxInt64 && c.task.loop.realTime {
		d := time.Duration(dl - c.task.loop.now())
		w.mu.Lock()
		if !w.fired {
			w.timer = time.AfterFunc(d, c.expireOffLoop)
		}
		w.mu.Unlock()
	}
	return w
}

// add registers h; it reports false (and does not register) if the watch
// has fired already.
func (w *contextWatch) add(h *hook) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired {
		return false
	}
	if w.hooks == nil {
		w.hooks = make(map[*hook]struct{})
	}
	w.hooks[h] = struct{}{}
	return true
}

func (w *contextWatch) remove(h *hook) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.hooks[h]; !ok {
		return false
	}
	delete(w.hooks, h)
	return true
}

// fire closes Done, stops the deadline timer and runs the hooks, once.
func (w *contextWatch) fire() {
	w.mu.Lock()
	if w.fired {
		w.mu.Unlock()
		return
	}
	w.fired = true
	if w.done != nil {
		close(w.done)
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	hooks := w.hooks
	w.hooks = nil
	w.mu.Unlock()
	for h := range hooks {
		if h.child != nil {
			if cw := h.child.watch.Load(); cw != nil {
				cw.fire()
			}
		} else {
			go h.fn()
		}
	}
}

// shieldedChild is WithoutCancel's scope: no deadline of its own, and
// none inherited. (Scopes with a CancelFunc are cancelScope.init's.)
func (c *Context) shieldedChild() *Context {
	n := &Context{task: c.task, parent: c, shield: true}
	n.deadline.Store(math.MaxInt64)
	return n
}

func checkParent(op string, c *Context) {
	if c == nil {
		misuse(op, ErrNotInTask, "pass the *aio.Context your coroutine received, not nil")
	}
	c.task.loop.checkCaller(op)
}

// WithCancel opens a scope nested in parent. The returned CancelFunc cancels
// it (awaits in it then return a *CancelledError); cancelling parent
// cancels it too. Call it on the loop goroutine; the CancelFunc is safe
// from any goroutine.
func WithCancel(parent *Context) (*Context, CancelFunc) {
	checkParent("aio.WithCancel", parent)
	s := &cancelScope{}
	s.init(parent)
	return &s.Context, s.cancelFunc()
}

// cancelScope is a scope opened with a CancelFunc, allocated in one piece
// with the state its CancelFunc publishes; deadlineScope adds the timer of
// WithTimeout and WithDeadline. A scope costs one allocation besides its
// CancelFunc, where a Context, its state, its error and its timer were
// four.
type cancelScope struct {
	Context
	byFunc cancelState    // what the CancelFunc publishes; set by init, then immutable
	err    CancelledError // byFunc.err
}

type deadlineScope struct {
	cancelScope
	timer timerheap.Entry // Context.timer, when the scope has a deadline of its own
}

// init makes s a scope nested in parent, before it is shared.
func (s *cancelScope) init(parent *Context) {
	s.task, s.parent = parent.task, parent
	s.deadline.Store(parent.deadline.Load())
	s.byFunc = cancelState{err: &s.err, sentinel: context.Canceled}
}

// cancelFunc returns the scope's CancelFunc: the cancellation itself takes
// effect at once (awaits in the scope fail from now on, from any
// goroutine's point of view); the loop's side (stopping the deadline
// timer, aborting a parked wait) is posted to the loop, so the function is
// safe from any goroutine, also from several at once (the state is
// published with a compare-and-swap and never written).
func (s *cancelScope) cancelFunc() CancelFunc {
	return func() {
		c := &s.Context
		if c.cancelState() == nil {
			c.publish(&s.byFunc)
		}
		if !c.released.Swap(true) {
			_ = c.task.loop.inbox.postRelease(c)
		}
	}
}

// WithTimeout opens a scope nested in parent whose deadline is d from now.
// When it passes, awaits in the scope return a *TimeoutError
// (errors.Is(err, context.DeadlineExceeded)); the enclosing body is not
// affected. d ≤ 0 gives a scope that is already expired; a d too large to
// represent means no deadline. Call it on the loop goroutine; the
// CancelFunc is safe from any goroutine.
func WithTimeout(parent *Context, d time.Duration) (*Context, CancelFunc) {
	checkParent("aio.WithTimeout", parent)
	return withDeadline(parent, parent.task.loop.deadline(d), d <= 0)
}

// WithDeadline is WithTimeout with an absolute deadline on the loop's clock
// (see Loop.Time). A deadline in the past gives an expired scope.
func WithDeadline(parent *Context, deadline time.Time) (*Context, CancelFunc) {
	checkParent("aio.WithDeadline", parent)
	l := parent.task.loop
	when := l.fromTime(deadline)
	return withDeadline(parent, when, when <= l.now())
}

func withDeadline(parent *Context, when int64, expired bool) (*Context, CancelFunc) {
	s := &deadlineScope{}
	s.init(parent)
	c := &s.Context
	if expired {
		c.deadline.Store(when)
		c.setCancelled(&TimeoutError{})
		return c, s.cancelFunc()
	}
	if when < c.deadline.Load() && when != math.MaxInt64 {
		c.deadline.Store(when)
		if c.cancelState() == nil {
			s.timer = timerheap.Entry{When: when, Owner: c}
			c.timer = &s.timer
			parent.task.loop.timers.Push(c.timer)
		}
	}
	return c, s.cancelFunc()
}

// WithoutCancel opens a shielded scope nested in parent: cancellation of
// parent (or of the task) does not reach awaits in it, so cleanup code can
// still wait, as in Trio's shielded cancel scopes. Its own nested scopes
// (WithTimeout inside it, say) work as usual. It has no deadline. Loop
// goroutine only.
func WithoutCancel(parent *Context) *Context {
	checkParent("aio.WithoutCancel", parent)
	return parent.shieldedChild()
}
