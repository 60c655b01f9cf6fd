package aio

// Result is one outcome of GatherSettled: a value or an error.
type Result[T any] struct {
	Value T
	Err   error
}

// gatherWaiter wakes the gathering task when all futures are done, or at
// the first error when stopOnErr is set.
type gatherWaiter struct {
	t         *task
	remaining int
	stopOnErr bool
	failed    *futureCore
}

func (g *gatherWaiter) wake(fc *futureCore) {
	g.remaining--
	if g.stopOnErr && fc.err != nil && g.failed == nil {
		g.failed = fc
	}
	if g.remaining == 0 || g.failed != nil {
		g.t.schedule()
	}
}

// gather waits until every core is done (or, with stopOnErr, one failed).
// It returns the failed core, or the awaiter's cancellation error after
// cancelling the unfinished ones and waiting for them.
func gather(ctx *Context, cores []*futureCore, stopOnErr bool) (*futureCore, error) {
	g := gatherWaiter{stopOnErr: stopOnErr}
	for _, fc := range cores {
		if fc.done {
			if stopOnErr && fc.err != nil {
				return fc, nil
			}
		}
	}
	var t *task
	for _, fc := range cores {
		if fc.done || fc.hasWaiter(&g) {
			continue
		}
		if t == nil {
			t = ctx.enter()
			if err := ctx.cancelErr(); err != nil {
				return nil, err
			}
			g.t = t
		}
		fc.addWaiter(&g)
		g.remaining++
	}
	if g.remaining == 0 {
		return nil, nil
	}
	unregister := func() {
		for _, fc := range cores {
			if !fc.done {
				fc.removeWaiter(&g)
			}
		}
	}
	for {
		ok := t.park(ctx)
		if !ok {
			unregister()
			return nil, ErrLoopClosed
		}
		if cerr := ctx.cancelErr(); cerr != nil {
			unregister()
			// Cancelling the gather cancels the children that are not done
			// and waits for them, as asyncio's gather does.
			msg := cancelMessage(cerr)
			for _, fc := range cores {
				fc.cancel(msg)
			}
			shielded := WithoutCancel(ctx)
			for _, fc := range cores {
				if !fc.done {
					if err := fc.await(shielded); err == ErrLoopClosed {
						return nil, err
					}
				}
			}
			return nil, cerr
		}
		if g.failed != nil || g.remaining == 0 {
			break
		}
	}
	unregister()
	return g.failed, nil
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
// Gather waits, Gather cancels every child that is not done, waits for
// them, and returns the cancellation error; in a scope that is already
// cancelled it returns the error at once and leaves the children alone
// (level-triggered: the await fails before it starts). An awaitable passed twice is awaited once and its
// value appears twice. With nothing to gather it returns an empty slice at
// once; when everything is already done it does not yield.
//
// aws can be a []*Task[T] or []*Future[T] spread with ..., or a mix as
// []Awaitable[T]. Loop goroutine only, inside the task ctx belongs to.
func Gather[T any, A Awaitable[T]](ctx *Context, aws ...A) ([]T, error) {
	failed, err := gather(ctx, coresOf(aws), true)
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
	if _, err := gather(ctx, coresOf(aws), false); err != nil {
		return nil, err
	}
	out := make([]Result[T], len(aws))
	for i, a := range aws {
		out[i].Value, out[i].Err = a.Result()
	}
	return out, nil
}
