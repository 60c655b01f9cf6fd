package aio

import (
	"github.com/asyncgo/aio/internal/ring"
	"github.com/asyncgo/aio/internal/waitq"
)

// Queue is a FIFO queue for tasks of one loop (asyncio.Queue): Put waits
// while the queue is full, Get waits while it is empty, and TaskDone/Join
// track how many items were processed.
//
// Waiters are served first come, first served: an item put while tasks wait
// in Get is handed directly to the longest-waiting getter, and a slot freed
// while tasks wait in Put goes to the longest-waiting putter, so no task can
// overtake one that is already waiting (asyncio lets a newcomer take an item
// that was put for a woken getter; aio does not). A cancelled Get never loses
// an item: if the item was handed over before the getter resumed, Get
// returns it (the cancellation shows at the next await). A Put that returns
// an error inserted nothing.
//
// The zero Queue is an unbounded, empty queue. A Queue must only be used
// from the tasks and callbacks of one loop, on the loop goroutine; it is not
// safe for other goroutines.
type Queue[T any] struct {
	items      ring.Ring[T]
	maxsize    int
	unfinished int
	loop       *Loop // bound by the first wait; nil until then
	getters    waitq.Queue[qwait[T]]
	putters    waitq.Queue[qwait[T]]
	joiners    waitq.Queue[qwait[T]]
}

type qwait[T any] struct {
	t    *task
	item T
	ok   bool // the operation completed while the task was parked
	wq   *waitq.Queue[qwait[T]]
	n    *waitq.Node[qwait[T]]
}

// check is the goroutine check of a queue bound to a loop.
func (q *Queue[T]) check(op string) {
	if q.loop != nil {
		q.loop.checkCaller(op)
	}
}

// abort withdraws a queue wait (the parker of Queue's waits): the node
// leaves its wait queue, so nothing is handed to a task that gave up.
func (w *qwait[T]) abort(error, bool) bool {
	w.wq.Remove(w.n)
	return true
}

// NewQueue returns a queue holding at most maxsize items; maxsize ≤ 0 means
// unbounded.
func NewQueue[T any](maxsize int) *Queue[T] {
	if maxsize < 0 {
		maxsize = 0
	}
	return &Queue[T]{maxsize: maxsize}
}

// Maxsize returns the capacity (0: unbounded).
func (q *Queue[T]) Maxsize() int { return q.maxsize }

// Len returns the number of items in the queue.
func (q *Queue[T]) Len() int { return q.items.Len() }

// Empty reports whether the queue holds no items.
func (q *Queue[T]) Empty() bool { return q.items.Len() == 0 }

// Full reports whether the queue holds maxsize items (never, if unbounded).
func (q *Queue[T]) Full() bool { return q.maxsize > 0 && q.items.Len() >= q.maxsize }

// PutNowait puts v without waiting, or returns ErrQueueFull.
func (q *Queue[T]) PutNowait(v T) error {
	q.check("Queue.PutNowait")
	if q.tryPut(v) {
		return nil
	}
	return ErrQueueFull
}

func (q *Queue[T]) tryPut(v T) bool {
	if n := q.firstLive(&q.getters); n != nil {
		// Invariant: getters wait only on an empty queue.
		n.Val.item, n.Val.ok = v, true
		q.unfinished++
		n.Val.t.wakeUp()
		return true
	}
	if q.Full() {
		return false
	}
	q.items.Push(v)
	q.unfinished++
	return true
}

// Put puts v, waiting while the queue is full; ctx must be the Context of
// the running task. It returns without yielding
// when there is room. On cancellation of ctx it returns the cancellation
// error and inserts nothing.
func (q *Queue[T]) Put(ctx *Context, v T) error {
	q.check("Queue.Put")
	if q.putters.Len() == 0 && q.tryPut(v) {
		return nil
	}
	t := q.enter("Queue.Put", ctx)
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	n := q.putters.Get(qwait[T]{t: t, item: v})
	q.putters.PushBack(n)
	return q.park(ctx, t, &q.putters, n, nil)
}

// GetNowait takes the first item without waiting, or returns ErrQueueEmpty.
func (q *Queue[T]) GetNowait() (T, error) {
	q.check("Queue.GetNowait")
	if q.items.Len() == 0 {
		var zero T
		return zero, ErrQueueEmpty
	}
	return q.take(), nil
}

func (q *Queue[T]) take() T {
	v := q.items.Pop()
	if n := q.firstLive(&q.putters); n != nil {
		// A slot is free: admit the longest-waiting putter.
		q.items.Push(n.Val.item)
		q.unfinished++
		n.Val.ok = true
		var zero T
		n.Val.item = zero
		n.Val.t.wakeUp()
	}
	return v
}

// Get takes the first item, waiting while the queue is empty; ctx must be
// the Context of the running task. It returns
// without yielding when an item is there. On cancellation of ctx it returns
// the cancellation error, unless an item was already handed to it.
func (q *Queue[T]) Get(ctx *Context) (T, error) {
	q.check("Queue.Get")
	if q.items.Len() > 0 {
		return q.take(), nil
	}
	t := q.enter("Queue.Get", ctx)
	var zero T
	if err := ctx.checkCancel(); err != nil {
		return zero, err
	}
	n := q.getters.Get(qwait[T]{t: t})
	q.getters.PushBack(n)
	var v T
	err := q.park(ctx, t, &q.getters, n, &v)
	return v, err
}

// enter binds the queue to the loop of ctx's task on first use and
// validates the await.
func (q *Queue[T]) enter(op string, ctx *Context) *task {
	t := ctx.enter(op)
	if q.loop == nil {
		q.loop = t.loop
	} else if q.loop != t.loop {
		misuse(op, ErrWrongLoop, "a Queue serves the tasks of one loop")
	}
	return t
}

// park waits until n's operation completed (n.Val.ok), the scope is
// cancelled (n leaves the queue), or the loop closes. out receives a
// handed-over item: a hand-off that happened is never lost to a
// cancellation.
func (q *Queue[T]) park(ctx *Context, t *task, wq *waitq.Queue[qwait[T]], n *waitq.Node[qwait[T]], out *T) error {
	n.Val.wq, n.Val.n = wq, n
	err := t.park(ctx, &n.Val)
	if err == nil && n.Val.ok && out != nil {
		*out = n.Val.item
	}
	wq.Remove(n)
	wq.Put(n)
	return err
}

// firstLive dequeues the first waiter whose task can still take part. A
// task only dies while parked when runtime.Goexit tore through it (see the
// Goexit policy in the package documentation); its stale node is dropped
// here so that no item is handed to it, and nothing it wanted to put is
// inserted.
func (q *Queue[T]) firstLive(wq *waitq.Queue[qwait[T]]) *waitq.Node[qwait[T]] {
	for {
		n := wq.PopFront()
		if n == nil || !n.Val.t.done {
			return n
		}
	}
}

// TaskDone records that one item obtained with Get has been processed. When
// every item put so far has been processed, Join returns. Calling TaskDone
// more often than items were put returns ErrTaskDoneTooMany.
func (q *Queue[T]) TaskDone() error {
	q.check("Queue.TaskDone")
	if q.unfinished <= 0 {
		return ErrTaskDoneTooMany
	}
	q.unfinished--
	if q.unfinished == 0 {
		for n := q.joiners.PopFront(); n != nil; n = q.joiners.PopFront() {
			n.Val.ok = true
			n.Val.t.wakeUp()
		}
	}
	return nil
}

// Join waits until every item put has been processed (TaskDone); ctx must
// be the Context of the running task. On a
// queue with nothing unfinished it returns at once without yielding.
func (q *Queue[T]) Join(ctx *Context) error {
	q.check("Queue.Join")
	if q.unfinished == 0 {
		return nil
	}
	t := q.enter("Queue.Join", ctx)
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	n := q.joiners.Get(qwait[T]{t: t})
	q.joiners.PushBack(n)
	return q.park(ctx, t, &q.joiners, n, nil)
}
