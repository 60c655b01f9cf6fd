package aio

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncgo/aio/internal/goid"
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
// WithTimeout carries on. Errors satisfy errors.Is(err, context.Canceled)
// (a *CancelledError with the cancel message) or, for deadlines,
// errors.Is(err, context.DeadlineExceeded) (a *TimeoutError).
//
// As a context.Context, a *Context can be handed to any Go API: Deadline,
// Done, Err and Value are safe from any goroutine, and Done is closed when
// the scope is cancelled. Err returns exactly context.Canceled or
// context.DeadlineExceeded; Cause returns the richer error.
//
// Awaiting with a Context is only valid on the loop goroutine, inside the
// task the Context belongs to; anything else panics with an explanation.
type Context struct {
	task     *task
	parent   *Context // enclosing scope in the same task; nil for the root
	state    atomic.Pointer[cancelState]
	children []*Context
	idx      int
	deadline int64            // loop nanoseconds; math.MaxInt64 = none
	timer    *timerheap.Entry // the deadline timer, for WithTimeout/WithDeadline scopes
	shield   bool

	mu     sync.Mutex
	doneCh chan struct{}
}

type cancelState struct {
	err      error // what awaits return
	sentinel error // context.Canceled or context.DeadlineExceeded
}

// CancelFunc cancels a scope and releases its resources. Calling it more
// than once does nothing. Call it on the loop goroutine (typically with
// defer in the coroutine that opened the scope).
type CancelFunc func()

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Loop returns the loop the Context's task runs on. Any goroutine.
func (c *Context) Loop() *Loop { return c.task.loop }

// Task returns the task this Context belongs to. Any goroutine (the task's
// own methods are for the loop goroutine).
func (c *Context) Task() AnyTask { return c.task.job }

// Deadline returns the scope's deadline (the earliest of its own and its
// enclosing scopes'), on the loop's clock. Any goroutine.
func (c *Context) Deadline() (time.Time, bool) {
	if c.deadline == math.MaxInt64 {
		return time.Time{}, false
	}
	return c.task.loop.toTime(c.deadline), true
}

// Done returns a channel closed when the scope is cancelled. Any goroutine.
func (c *Context) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.doneCh == nil {
		if c.state.Load() != nil {
			c.doneCh = closedCh
		} else {
			c.doneCh = make(chan struct{})
		}
	}
	return c.doneCh
}

// Err returns nil while the scope is not cancelled, then context.Canceled or
// context.DeadlineExceeded. Any goroutine.
func (c *Context) Err() error {
	if st := c.state.Load(); st != nil {
		return st.sentinel
	}
	return nil
}

// Cause returns the error awaits in this scope return: nil, a
// *CancelledError (with the cancel message) or a *TimeoutError. Any
// goroutine.
func (c *Context) Cause() error {
	if st := c.state.Load(); st != nil {
		return st.err
	}
	return nil
}

// Value returns the value for key from the loop's base context (see
// WithBaseContext); aio scopes carry no values of their own, so Value is nil
// without a base context. Any goroutine.
func (c *Context) Value(key any) any {
	if base := c.task.loop.cfg.base; base != nil {
		return base.Value(key)
	}
	return nil
}

func (c *Context) cancelErr() error {
	if st := c.state.Load(); st != nil {
		return st.err
	}
	return nil
}

// enter validates that c may be used to await now and returns its task.
func (c *Context) enter() *task {
	if c == nil {
		panic("aio: await with a nil *Context; pass the Context your coroutine received")
	}
	t := c.task
	if t.loop.closed {
		panic(fmt.Errorf("%w: await with the Context of task %s after its loop closed; a Context is only valid inside its running task",
			ErrLoopClosed, t.Name()))
	}
	if t.loop.current != t {
		if t.loop.current == nil {
			panic("aio: await outside a running task (in a callback, another goroutine, or after the task ended); " +
				"await only inside the coroutine the Context was given to, or use Loop.CallSoonThreadsafe from other goroutines")
		}
		panic("aio: await with the Context of task " + t.Name() + " while task " + t.loop.current.Name() +
			" is running; pass the Context your own coroutine received")
	}
	if t.loop.cfg.debug && t.coro != nil && t.coro.Data != 0 {
		if g := goid.Get(); g != t.coro.Data {
			panic("aio: await from goroutine " + strconv.FormatUint(g, 10) + ", which is not the coroutine of task " +
				t.Name() + "; other goroutines must use Loop.CallSoonThreadsafe")
		}
	}
	return t
}

// cancel cancels the scope and its nested (non-shielded) scopes, and wakes
// the task if it is parked in one of them.
func (c *Context) cancel(err error) {
	if !c.propagate(err) {
		return
	}
	t := c.task
	if t.parked && t.waitCtx != nil && t.waitCtx.state.Load() != nil {
		t.schedule()
	}
}

func (c *Context) propagate(err error) bool {
	if c.state.Load() != nil {
		return false
	}
	st := &cancelState{err: err, sentinel: context.Canceled}
	if errors.Is(err, context.DeadlineExceeded) {
		st.sentinel = context.DeadlineExceeded
	}
	c.state.Store(st)
	c.mu.Lock()
	if c.doneCh != nil {
		close(c.doneCh)
	}
	c.mu.Unlock()
	if c.timer != nil && c.timer.Queued() {
		c.task.loop.timers.Remove(c.timer)
	}
	for _, ch := range c.children {
		ch.propagate(err)
	}
	c.children = nil
	return true
}

// expire is the scope's deadline timer firing.
func (c *Context) expire() { c.cancel(&TimeoutError{}) }

func (c *Context) child(shield bool) *Context {
	n := &Context{task: c.task, parent: c, shield: shield, deadline: math.MaxInt64}
	if shield {
		return n
	}
	n.deadline = c.deadline
	if st := c.state.Load(); st != nil {
		n.state.Store(st)
		return n
	}
	n.idx = len(c.children)
	c.children = append(c.children, n)
	return n
}

// detach removes the scope from its parent's children and stops its timer.
func (c *Context) detach() {
	if c.timer != nil && c.timer.Queued() {
		c.task.loop.timers.Remove(c.timer)
	}
	p := c.parent
	if p == nil || c.shield {
		return
	}
	if c.idx < len(p.children) && p.children[c.idx] == c {
		last := len(p.children) - 1
		p.children[c.idx] = p.children[last]
		p.children[c.idx].idx = c.idx
		p.children[last] = nil
		p.children = p.children[:last]
	}
}

func (c *Context) checkParent(fn string) {
	if c == nil {
		panic("aio: " + fn + "(nil); pass the Context your coroutine received")
	}
}

// WithCancel opens a scope nested in parent. The returned CancelFunc cancels
// it (awaits in it then return a *CancelledError); cancelling parent
// cancels it too. Loop goroutine only; call the CancelFunc when done with
// the scope.
func WithCancel(parent *Context) (*Context, CancelFunc) {
	parent.checkParent("WithCancel")
	c := parent.child(false)
	return c, func() {
		c.cancel(&CancelledError{})
		c.detach()
	}
}

// WithTimeout opens a scope nested in parent whose deadline is d from now.
// When it passes, awaits in the scope return a *TimeoutError
// (errors.Is(err, context.DeadlineExceeded)); the enclosing body is not
// affected. d ≤ 0 gives a scope that is already expired; a d too large to
// represent means no deadline. Loop goroutine only.
func WithTimeout(parent *Context, d time.Duration) (*Context, CancelFunc) {
	parent.checkParent("WithTimeout")
	return withDeadline(parent, parent.task.loop.deadline(d), d <= 0)
}

// WithDeadline is WithTimeout with an absolute deadline on the loop's clock
// (see Loop.Time). A deadline in the past gives an expired scope. Loop
// goroutine only.
func WithDeadline(parent *Context, deadline time.Time) (*Context, CancelFunc) {
	parent.checkParent("WithDeadline")
	l := parent.task.loop
	when := l.fromTime(deadline)
	return withDeadline(parent, when, when <= l.now())
}

func withDeadline(parent *Context, when int64, expired bool) (*Context, CancelFunc) {
	c := parent.child(false)
	cancel := func() {
		c.cancel(&CancelledError{})
		c.detach()
	}
	if c.state.Load() != nil {
		return c, cancel
	}
	if expired {
		c.deadline = when
		c.cancel(&TimeoutError{})
		return c, cancel
	}
	if when < c.deadline && when != math.MaxInt64 {
		c.deadline = when
		c.timer = &timerheap.Entry{When: when, Owner: c}
		parent.task.loop.timers.Push(c.timer)
	}
	return c, cancel
}

// WithoutCancel opens a shielded scope nested in parent: cancellation of
// parent (or of the task) does not reach awaits in it, so cleanup code can
// still wait, as in Trio's shielded cancel scopes. Its own nested scopes
// (WithTimeout inside it, say) work as usual. It has no deadline. Loop
// goroutine only.
func WithoutCancel(parent *Context) *Context {
	parent.checkParent("WithoutCancel")
	return parent.child(true)
}
