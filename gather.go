package aio

// Result is one outcome of GatherSettled: a value or an error.
type Result[T any] struct {
	Value T
	Err   error
}

// multiWait watches several futures for one task (Gather, Wait,
// AsCompleted): one waitNode per future, all in one allocation. done
// decides, for each completion, whether the task's wait is over.
type multiWait struct {
	t     *task
	nodes []multiNode
	left  int                    // watched futures not yet done
	done  func(*futureCore) bool // the wait is over after this completion
}

type multiNode struct {
	waitNode
	m *multiWait
}

func (n *multiNode) wake(fc *futureCore) {
	m := n.m
	m.left--
	if m.done(fc) {
		m.t.wakeUp()
	}
}

// watch registers m on every pending core (each once) and returns how many.
func (m *multiWait) watch(cores []*futureCore) int {
	m.nodes = make([]multiNode, len(cores))
	for i, fc := range cores {
		if fc.done || fc.isWatchedBy(m) {
			continue
		}
		n := &m.nodes[i]
		n.m = m
		n.w = n
		fc.link(&n.waitNode)
		m.left++
	}
	return m.left
}

// isWatchedBy reports whether m already watches fc (a duplicate input).
// While watch runs nothing else links to fc, so m's node would be the last.
func (fc *futureCore) isWatchedBy(m *multiWait) bool {
	if fc.tail == nil {
		return false
	}
	n, ok := fc.tail.w.(*multiNode)
	return ok && n.m == m
}

// unwatch unlinks every node still linked.
func (m *multiWait) unwatch() {
	for i := range m.nodes {
		if n := &m.nodes[i]; n.fc != nil {
			n.fc.unlink(&n.waitNode)
		}
	}
}

// gatherParker is Gather's answer to a cancellation: cancel every child that
// is not done and keep waiting for all of them (asyncio's gather).
type gatherParker struct {
	m     *multiWait
	cores []*futureCore
	cause error
}

func (g *gatherParker) abort(cause error, force bool) bool {
	if force {
		g.m.unwatch()
		return true
	}
	g.cause = cause
	g.m.done = func(*futureCore) bool { return g.m.left == 0 }
	msg := cancelMessage(cause)
	for _, fc := range g.cores {
		fc.cancel(msg)
	}
	return false
}

// gather waits until every core is done (or, with stopOnErr, one failed).
// It returns the failed core, or the awaiter's cancellation error after
// cancelling the unfinished ones and waiting for them.
func gather(op string, ctx *Context, cores []*futureCore, stopOnErr bool) (*futureCore, error) {
	var failed *futureCore
	pending := false
	for _, fc := range cores {
		if fc.done {
			if stopOnErr && fc.err != nil && failed == nil {
				failed = fc
			}
		} else {
			pending = true
		}
	}
	if failed != nil || !pending {
		return failed, nil
	}
	t := ctx.enter(op)
	for _, fc := range cores {
		if err := fc.awaitBy(op, t); err != nil {
			return nil, err
		}
	}
	if err := ctx.checkCancel(); err != nil {
		// Level-triggered: the gather fails before it starts; the children
		// are left alone.
		return nil, err
	}
	m := &multiWait{t: t}
	m.done = func(fc *futureCore) bool {
		if stopOnErr && fc.err != nil && failed == nil {
			failed = fc
		}
		return m.left == 0 || failed != nil
	}
	m.watch(cores)
	g := &gatherParker{m: m, cores: cores}
	if err := t.park(ctx, g); err != nil {
		return nil, err // the loop is unwinding the task
	}
	m.unwatch()
	if g.cause != nil {
		t.mustCancel = false
		return nil, g.cause
	}
	return failed, nil
}

func coresOf[A Waitable](aws []A) []*futureCore {
	cores := make([]*futureCore, len(aws))
	for i, a := range aws {
		cores[i] = a.core()
	}
	return cores
}

// Gather waits for all of aws and returns their values in input order
// (asyncio.gather). It returns at the first error (in completion order) and
// does not cancel the others, which keep running; a child that was
// cancelled counts as an error. If the caller's scope is cancelled while
// Gather waits, Gather cancels every child that is not done at once, waits
// for them, and returns the cancellation error; in a scope that is already
// cancelled it returns the error at once and leaves the children alone
// (level-triggered: the await fails before it starts). An awaitable passed
// twice is awaited once and its value appears twice. With nothing to
// gather it returns an empty slice at once; when everything is already
// done it does not yield.
//
// aws can be a []*Task[T] or []*Future[T] spread with ..., or a mix as
// []Awaitable[T]. Loop goroutine only, inside the task ctx belongs to.
func Gather[T any, A Awaitable[T]](ctx *Context, aws ...A) ([]T, error) {
	failed, err := gather("aio.Gather", ctx, coresOf(aws), true)
	if err != nil {
		return nil, err
	}
	if failed != nil {
		failed.markRetrieved()
		return nil, failed.err
	}
	out := make([]T, len(aws))
	for i, a := range aws {
		v, err := a.Result()
		if err != nil { // cannot happen: all succeeded
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// GatherSettled waits for all of aws and returns every outcome in input
// order, errors and cancellations included (asyncio.gather with
// return_exceptions=True). Its own error is non-nil only when the caller's
// scope is cancelled: as for Gather, a cancellation while waiting cancels
// the children that are not done, waits for them and returns the
// cancellation error. Loop goroutine only.
func GatherSettled[T any, A Awaitable[T]](ctx *Context, aws ...A) ([]Result[T], error) {
	if _, err := gather("aio.GatherSettled", ctx, coresOf(aws), false); err != nil {
		return nil, err
	}
	out := make([]Result[T], len(aws))
	for i, a := range aws {
		out[i].Value, out[i].Err = a.Result()
	}
	return out, nil
}
