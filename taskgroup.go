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
// WithTaskGroup wraps these steps around a body function. All methods must
// be called on the loop goroutine; Wait only from the task that created the
// group. A TaskGroup is not reusable after Wait returned.
type TaskGroup struct {
	owner      *Context // scope of the owning task
	ctx        *Context // the body's scope, cancelled on failure
	cancelBody CancelFunc
	children   []*task
	pending    int
	errs       []error
	cancelErr  error // the owner's cancellation, if it was cancelled
	waiting    *task
	aborting   bool
	finished   bool
	result     error
}

// NewTaskGroup creates a task group owned by the task of ctx; call it inside
// that task (it panics otherwise). It returns
// the group and a Context (a scope nested in ctx) that is cancelled when a
// child fails or the group is cancelled: use it for the body's awaits.
func NewTaskGroup(ctx *Context) (*TaskGroup, *Context) {
	ctx.checkParent("NewTaskGroup")
	ctx.enter()
	body, cancel := WithCancel(ctx)
	return &TaskGroup{owner: ctx, ctx: body, cancelBody: cancel}, body
}

// WithTaskGroup runs body with a new task group and waits for the group. An
// error returned by body cancels the children and is joined with theirs
// (the body's first). If body panics, the children are cancelled and
// waited for before the panic continues. It is the equivalent of
// "async with TaskGroup() as tg". Call it inside the task of ctx.
func WithTaskGroup(ctx *Context, body func(ctx *Context, tg *TaskGroup) error) error {
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

// Loop returns the group's loop, making a *TaskGroup a Host for Spawn.
func (g *TaskGroup) Loop() *Loop { return g.owner.task.loop }

// Go starts fn as a child task of the group and returns it. Starting a child
// in a group that is cancelling gives a task that is cancelled before it
// runs; after Wait has returned, Go panics.
func (g *TaskGroup) Go(fn func(*Context) error) *Task[struct{}] { return Go(g, fn) }

// Cancel cancels every child and the group's Context (asyncio 3.15's
// TaskGroup.cancel); Wait then returns without error unless a child failed.
// Calling it again does nothing.
func (g *TaskGroup) Cancel() {
	if !g.finished {
		g.abort()
	}
}

func (g *TaskGroup) adopt(t *task) {
	if g.finished {
		panic("aio: TaskGroup used after Wait returned; create a new TaskGroup")
	}
	g.children = append(g.children, t)
	g.pending++
	t.fc.addWaiter(g)
	if g.aborting {
		t.cancel("task group is cancelling")
	}
}

// wake implements waiter: a child finished.
func (g *TaskGroup) wake(fc *futureCore) {
	g.pending--
	if fc.err != nil && !fc.cancelled {
		fc.markRetrieved()
		g.errs = append(g.errs, fc.err)
		g.abort()
	}
	if g.pending == 0 && g.waiting != nil {
		g.waiting.schedule()
	}
	if len(g.children) > 64 && g.pending < len(g.children)/2 {
		kept := g.children[:0]
		for _, c := range g.children {
			if !c.done {
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
		c.cancel("task group is cancelling")
	}
	g.cancelBody()
}

// Wait waits for every child and returns the joined failures (nil if
// none). Calling Wait again returns the same result without waiting.
func (g *TaskGroup) Wait() error {
	if g.finished {
		return g.result
	}
	t := g.owner.enter()
	g.waiting = t
	shielded := false
	for g.pending > 0 {
		var wctx *Context
		if !shielded {
			wctx = g.owner
			if cerr := g.owner.cancelErr(); cerr != nil {
				g.cancelErr = cerr
				g.abort()
				shielded = true
				continue
			}
		}
		if !t.park(wctx) {
			g.waiting = nil
			g.finished = true
			g.result = ErrLoopClosed
			return g.result
		}
	}
	g.waiting = nil
	g.finished = true
	g.cancelBody()
	errs := g.errs
	if g.cancelErr != nil {
		errs = append([]error{g.cancelErr}, errs...)
	}
	g.result = errors.Join(errs...)
	return g.result
}
