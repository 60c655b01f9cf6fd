package aio

import "errors"

// TaskGroup runs tasks that share a lifetime (asyncio.TaskGroup, Trio's
// nursery), with errgroup's vocabulary. Create it with NewTaskGroup from a
// task, start children with Go or Spawn(tg, ...), then call Wait from the
// same task:
//
//   - Wait returns when every child is done, including children started
//     while it waits;
//   - the first child that fails (an error other than a cancellation)
//     cancels every other child and the group's Context, which the body
//     should use for its own awaits; a child cancelled on its own is not a
//     failure;
//   - Wait returns every failure joined with errors.Join, in completion
//     order; if the owning task is cancelled while waiting, the children are
//     cancelled and waited for, and the cancellation is part of the result.
//
// RunTaskGroup wraps these steps around a body function. All methods must
// be called on the loop goroutine; Wait only from the task that created the
// group. A TaskGroup is not reusable after Wait returned.
type TaskGroup struct {
	owner     *Context      // scope of the owning task; nil in a zero TaskGroup
	ctx       *Context      // the body's scope, cancelled on failure
	children  []*groupChild // started children (done ones pruned now and then)
	pending   int           // children not done
	errs      []*futureCore // failed children, in completion order
	cancelErr error         // the owner's cancellation, if it was cancelled while waiting
	waiting   *task         // the owner, while parked in Wait
	aborting  bool          // the group is cancelling its children
	finished  bool          // Wait returned
	result    error         // what Wait returned
}

// groupChild links one child's completion to its group.
type groupChild struct {
	node waitNode
	t    *task
	g    *TaskGroup
}

func (c *groupChild) wake(fc *futureCore) { c.g.childDone(fc) }

// NewTaskGroup creates a task group owned by the task of ctx; call it inside
// that task (it panics otherwise). It returns the group and a Context (a
// scope nested in ctx) that is cancelled when a child fails or the group is
// cancelled: use it for the body's awaits.
func NewTaskGroup(ctx *Context) (*TaskGroup, *Context) {
	checkParent("aio.NewTaskGroup", ctx)
	ctx.enter("aio.NewTaskGroup")
	body, _ := WithCancel(ctx)
	return &TaskGroup{owner: ctx, ctx: body}, body
}

// RunTaskGroup runs body with a new task group and waits for the group,
// the equivalent of "async with TaskGroup() as tg". An error returned by
// body cancels the children and is joined with theirs (the body's first).
// If body panics, the children are cancelled and waited for before the
// panic continues. Call it inside the task of ctx.
func RunTaskGroup(ctx *Context, body func(ctx *Context, tg *TaskGroup) error) error {
	if body == nil {
		misuse("aio.RunTaskGroup", ErrNilFunc, "pass the body to run")
	}
	tg, bctx := NewTaskGroup(ctx)
	normal := false
	defer func() {
		if normal {
			return
		}
		r := recover()
		if r == nil {
			return // runtime.Goexit: the loop is going down anyway
		}
		pe, ok := r.(*PanicError)
		if !ok {
			pe = newPanicError(r)
		}
		tg.abort()
		_ = tg.Wait()
		panic(pe)
	}()
	berr := body(bctx, tg)
	normal = true
	if berr != nil && !(isCancel(berr) && tg.aborting) {
		tg.abort()
	} else {
		berr = nil // the body only saw the group's own cancellation
	}
	werr := tg.Wait()
	if berr != nil && !errors.Is(werr, berr) {
		// (If the body only returned the owner's cancellation, Wait
		// already reports it.)
		return errors.Join(berr, werr)
	}
	return werr
}

// WithTaskGroup is the former name of RunTaskGroup.
//
// Deprecated: use RunTaskGroup; With* names derive scopes or are options.
func WithTaskGroup(ctx *Context, body func(ctx *Context, tg *TaskGroup) error) error {
	return RunTaskGroup(ctx, body)
}

// Loop returns the group's loop, making a *TaskGroup a Host for Spawn.
func (g *TaskGroup) Loop() *Loop {
	g.check("TaskGroup.Loop")
	return g.owner.task.loop
}

// check panics on a zero or finished group.
func (g *TaskGroup) check(op string) {
	if g.owner == nil {
		misuse(op, ErrZeroValue, "create task groups with aio.NewTaskGroup or aio.RunTaskGroup")
	}
}

// Go starts fn as a child task of the group and returns it. Starting a child
// in a group that is cancelling gives a task that is cancelled before it
// runs; after Wait has returned, Go panics.
func (g *TaskGroup) Go(fn func(*Context) error) *Task[struct{}] { return Go(g, fn) }

// Cancel cancels every child and the group's Context (asyncio 3.15's
// TaskGroup.cancel); Wait then returns without error unless a child failed.
// It reports whether it started the cancellation: false if the group was
// already cancelling or finished.
func (g *TaskGroup) Cancel() bool {
	g.check("TaskGroup.Cancel")
	g.owner.task.loop.checkCaller("TaskGroup.Cancel")
	if g.finished || g.aborting {
		return false
	}
	g.abort()
	return true
}

func (g *TaskGroup) adopt(t *task) {
	if g.finished {
		misuse("TaskGroup.Go", ErrInvalidState, "the group's Wait has returned; create a new TaskGroup")
	}
	c := &groupChild{t: t, g: g}
	c.node.w = c
	g.children = append(g.children, c)
	g.pending++
	t.core.link(&c.node)
	if g.aborting {
		t.cancel("task group is cancelling")
	}
}

// childDone runs when a child finished. Its failure is recorded (and
// marked retrieved only when Wait returns it, so a group whose Wait is
// never called still has its failures reported).
func (g *TaskGroup) childDone(fc *futureCore) {
	g.pending--
	if fc.err != nil && !fc.cancelled {
		g.errs = append(g.errs, fc)
		g.abort()
	}
	if g.pending == 0 && g.waiting != nil {
		g.waiting.wakeUp()
	}
	if len(g.children) > 64 && g.pending < len(g.children)/2 {
		kept := g.children[:0]
		for _, c := range g.children {
			if !c.t.done {
				kept = append(kept, c)
			}
		}
		clear(g.children[len(kept):])
		g.children = kept
	}
}

func (g *TaskGroup) abort() {
	if g.aborting {
		return
	}
	g.aborting = true
	for _, c := range g.children {
		c.t.cancel("task group is cancelling")
	}
	g.ctx.cancel(&CancelledError{Message: "task group is cancelling"})
}

// groupParker is Wait's answer to the owner's cancellation: cancel the
// children and keep waiting for them.
type groupParker TaskGroup

func (p *groupParker) abort(cause error, force bool) bool {
	g := (*TaskGroup)(p)
	if force {
		return true
	}
	if g.cancelErr == nil {
		g.cancelErr = cause
	}
	g.abort()
	return g.pending == 0
}

// Wait waits for every child and returns the joined failures (nil if
// none). Calling Wait again returns the same result without waiting. Only
// the task that created the group may call it.
func (g *TaskGroup) Wait() error {
	g.check("TaskGroup.Wait")
	if g.finished {
		return g.result
	}
	t := g.owner.enter("TaskGroup.Wait")
	for g.pending > 0 {
		g.waiting = t
		err := t.park(g.owner, (*groupParker)(g))
		g.waiting = nil
		if err == ErrLoopClosed {
			g.finished = true
			g.result = ErrLoopClosed
			return g.result
		}
	}
	if g.cancelErr == nil {
		if cerr := g.owner.cancelErr(); cerr != nil && g.aborting {
			g.cancelErr = cerr
		}
	}
	g.finished = true
	g.ctx.cancel(&CancelledError{Message: "task group finished"})
	errs := make([]error, 0, len(g.errs)+1)
	if g.cancelErr != nil {
		t.mustCancel = false
		errs = append(errs, g.cancelErr)
	}
	for _, fc := range g.errs {
		fc.markRetrieved()
		errs = append(errs, fc.err)
	}
	g.result = errors.Join(errs...)
	return g.result
}
