package aio

import "github.com/asyncgo/aio/internal/waitq"

// The synchronization primitives (Lock, Event, Condition, Semaphore,
// Barrier) share this small layer over task.park and internal/waitq:
//
//   - A task that must wait enqueues a waiter node at the back of the
//     primitive's FIFO wait queue and parks with the node as its parker.
//   - Whoever completes the wait pops the node from the front (waking the
//     longest waiter first), records the outcome in it (ok, err, idx) and
//     calls wakeUp. What was handed over is never taken back: park returns
//     nil and the task keeps it (result-first), even if its scope is
//     cancelled before it runs.
//   - A cancellation before the wake removes the node (abort), so nothing
//     is ever handed to a task that gave up, and nothing is lost.

// swaiter is one task parked in a primitive's wait queue.
type swaiter struct {
	t   *task
	ok  bool  // the wait completed: the lock, permit, notification or event was handed over
	err error // the wait completed with an error (ErrBrokenBarrier)
	idx int   // Barrier's index
	wq  *waitq.Queue[swaiter]
	n   *waitq.Node[swaiter]
}

// abort withdraws the wait: the node leaves its queue.
func (w *swaiter) abort(error, bool) bool {
	w.wq.Remove(w.n)
	return true
}

// waitOn parks t at the back of wq until a waker hands it something (nil,
// with the outcome in the returned waiter), the scope ctx is cancelled (the
// cancellation) or the loop unwinds the task (ErrLoopClosed). A nil ctx
// waits shielded. It does not allocate once wq has recycled a node.
func waitOn(ctx *Context, t *task, wq *waitq.Queue[swaiter]) (swaiter, error) {
	n := wq.Get(swaiter{t: t})
	n.Val.wq, n.Val.n = wq, n
	wq.PushBack(n)
	err := t.park(ctx, &n.Val)
	w := n.Val
	wq.Remove(n)
	wq.Put(n)
	return w, err
}

// popLive dequeues the longest waiter whose task can still take part. A
// task only dies while parked when runtime.Goexit tore through it (see the
// Goexit policy in the package documentation); its stale node is dropped so
// that nothing is handed to it.
func popLive(wq *waitq.Queue[swaiter]) *waitq.Node[swaiter] {
	for {
		n := wq.PopFront()
		if n == nil || !n.Val.t.done {
			return n
		}
	}
}

// wakeFirst hands the wait to the longest live waiter of wq and reports
// whether there was one.
func wakeFirst(wq *waitq.Queue[swaiter]) bool {
	n := popLive(wq)
	if n == nil {
		return false
	}
	n.Val.ok = true
	n.Val.t.wakeUp()
	return true
}

// wakeAll completes every wait in wq with err (nil: success), in FIFO
// order, and returns how many tasks it woke.
func wakeAll(wq *waitq.Queue[swaiter], err error) int {
	woke := 0
	for n := popLive(wq); n != nil; n = popLive(wq) {
		n.Val.ok = err == nil
		n.Val.err = err
		n.Val.t.wakeUp()
		woke++
	}
	return woke
}

// loopBinding is the loop a primitive serves: unset until the first task
// waits in it (asyncio's _LoopBoundMixin), then fixed.
type loopBinding struct{ loop *Loop }

// check is the goroutine check of a bound primitive (nothing until bound).
func (b *loopBinding) check(op string) {
	if b.loop != nil {
		b.loop.checkCaller(op)
	}
}

// enter validates an await on the primitive with ctx and returns the
// running task: ctx must be the running task's Context, and the task must
// belong to the loop the primitive is bound to. With bind, an unbound
// primitive is bound to the task's loop (the task is about to wait).
func (b *loopBinding) enter(op, what string, ctx *Context, bind bool) *task {
	t := ctx.enter(op)
	switch {
	case b.loop == t.loop:
	case b.loop == nil:
		if bind {
			b.loop = t.loop
		}
	default:
		misuse(op, ErrWrongLoop, "a "+what+" serves the tasks of the loop its first waiter ran on; create one per loop")
	}
	return t
}
