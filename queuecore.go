package aio

import "github.com/asyncgo/aio/internal/waitq"

// queue is the implementation shared by the queue kinds, over their storage
// S (PS is *S). Its exported methods are promoted to Queue, LifoQueue and
// PriorityQueue.
type queue[T any, S any, PS interface {
	*S
	storage[T]
}] struct {
	items      S
	n          int // len(items), kept here: the storage's methods are not inlined
	maxsize    int
	unfinished int
	shutdown   bool
	loop       *Loop // bound by the first wait; nil until then
	getters    waitq.Queue[qwait[T]]
	putters    waitq.Queue[qwait[T]]
	joiners    waitq.Queue[qwait[T]]
}

type qwait[T any] struct {
	t    *task
	item T
	ok   bool  // the operation completed while the task was parked
	err  error // the wait was ended by Shutdown
	wq   *waitq.Queue[qwait[T]]
	n    *waitq.Node[qwait[T]]
}

func (q *queue[T, S, PS]) st() PS { return PS(&q.items) }

// The calls, for check.
const (
	opPut = iota
	opPutNowait
	opGet
	opGetNowait
	opTaskDone
	opJoin
	opShutdown
)

// check is the goroutine check of a queue bound to a loop. It is
// Loop.checkCaller, entered only when checkCaller may have something to
// check, so that the name of the call (which depends on the kind) is only
// looked up then.
func (q *queue[T, S, PS]) check(op int) {
	if l := q.loop; l != nil && l.checking() {
		l.checkCaller(q.opName(op))
	}
}

func (q *queue[T, S, PS]) opName(op int) string {
	o := q.st().ops()
	return [...]string{o.put, o.putNowait, o.get, o.getNowait, o.taskDone, o.join, o.shutdown}[op]
}

func (q *queue[T, S, PS]) push(v T) { q.st().push(v); q.n++ }
func (q *queue[T, S, PS]) pop() T   { q.n--; return q.st().pop() }

// abort withdraws a queue wait (the parker of Queue's waits): the node
// leaves its wait queue, so nothing is handed to a task that gave up.
func (w *qwait[T]) abort(error, bool) bool {
	w.wq.Remove(w.n)
	return true
}

// Maxsize returns the capacity (0: unbounded).
func (q *queue[T, S, PS]) Maxsize() int { return q.maxsize }

// Len returns the number of items in the queue.
func (q *queue[T, S, PS]) Len() int { return q.n }

// Empty reports whether the queue holds no items.
func (q *queue[T, S, PS]) Empty() bool { return q.n == 0 }

// Full reports whether the queue holds maxsize items (never, if unbounded).
func (q *queue[T, S, PS]) Full() bool { return q.maxsize > 0 && q.n >= q.maxsize }

// IsShutDown reports whether Shutdown has been called.
func (q *queue[T, S, PS]) IsShutDown() bool { return q.shutdown }

// PutNowait puts v without waiting, or returns ErrQueueFull, or
// ErrQueueShutDown after Shutdown.
func (q *queue[T, S, PS]) PutNowait(v T) error {
	q.check(opPutNowait)
	if q.shutdown {
		return ErrQueueShutDown
	}
	if q.tryPut(v) {
		return nil
	}
	return ErrQueueFull
}

func (q *queue[T, S, PS]) tryPut(v T) bool {
	if n := firstLiveQ(&q.getters); n != nil {
		// Invariant: getters wait only on an empty queue.
		n.Val.item, n.Val.ok = v, true
		q.unfinished++
		n.Val.t.wakeUp()
		return true
	}
	if q.Full() {
		return false
	}
	q.push(v)
	q.unfinished++
	return true
}

// Put puts v, waiting while the queue is full; ctx must be the Context of
// the running task. It returns without yielding when there is room. On
// cancellation of ctx it returns the cancellation error and inserts
// nothing. After Shutdown it returns ErrQueueShutDown at once, and a Put
// waiting when Shutdown is called returns it too (inserting nothing).
func (q *queue[T, S, PS]) Put(ctx *Context, v T) error {
	q.check(opPut)
	if q.shutdown {
		return ErrQueueShutDown
	}
	if q.putters.Len() == 0 && q.tryPut(v) {
		return nil
	}
	t := q.enter(opPut, ctx)
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	n := q.putters.Get(qwait[T]{t: t, item: v})
	q.putters.PushBack(n)
	return q.park(ctx, t, &q.putters, n, nil)
}

// GetNowait takes an item without waiting, or returns ErrQueueEmpty (or
// ErrQueueShutDown if the queue is empty and shut down).
func (q *queue[T, S, PS]) GetNowait() (T, error) {
	q.check(opGetNowait)
	if q.n == 0 {
		var zero T
		if q.shutdown {
			return zero, ErrQueueShutDown
		}
		return zero, ErrQueueEmpty
	}
	return q.take(), nil
}

func (q *queue[T, S, PS]) take() T {
	v := q.pop()
	if n := firstLiveQ(&q.putters); n != nil {
		// A slot is free: admit the longest-waiting putter.
		q.push(n.Val.item)
		q.unfinished++
		n.Val.ok = true
		var zero T
		n.Val.item = zero
		n.Val.t.wakeUp()
	}
	return v
}

// Get takes an item (the kind decides which), waiting while the queue is
// empty; ctx must be the Context of the running task. It returns without
// yielding when an item is there. On cancellation of ctx it returns the
// cancellation error, unless an item was already handed to it. Once the
// queue is shut down and empty it returns ErrQueueShutDown, also to the
// tasks waiting in Get when Shutdown is called.
func (q *queue[T, S, PS]) Get(ctx *Context) (T, error) {
	q.check(opGet)
	if q.n > 0 {
		return q.take(), nil
	}
	var zero T
	if q.shutdown {
		return zero, ErrQueueShutDown
	}
	t := q.enter(opGet, ctx)
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
func (q *queue[T, S, PS]) enter(op int, ctx *Context) *task {
	t := ctx.running()
	if t == nil {
		t = ctx.enter(q.opName(op)) // the name is built only on this slow path
	}
	if q.loop == nil {
		q.loop = t.loop
	} else if q.loop != t.loop {
		misuse(q.opName(op), ErrWrongLoop, "a "+q.st().ops().kind+" serves the tasks of one loop")
	}
	return t
}

// park waits until n's operation completed (n.Val.ok), Shutdown ended it
// (n.Val.err), the scope is cancelled (n leaves the queue), or the loop
// closes. out receives a handed-over item: a hand-off that happened is
// never lost to a cancellation.
func (q *queue[T, S, PS]) park(ctx *Context, t *task, wq *waitq.Queue[qwait[T]], n *waitq.Node[qwait[T]], out *T) error {
	n.Val.wq, n.Val.n = wq, n
	err := t.park(ctx, &n.Val)
	if err == nil {
		if n.Val.ok && out != nil {
			*out = n.Val.item
		}
		err = n.Val.err
	}
	wq.Remove(n)
	wq.Put(n)
	return err
}

// firstLiveQ dequeues the first waiter whose task can still take part. A
// task only dies while parked when runtime.Goexit tore through it (see the
// Goexit policy in the package documentation); its stale node is dropped
// here so that no item is handed to it, and nothing it wanted to put is
// inserted.
func firstLiveQ[T any](wq *waitq.Queue[qwait[T]]) *waitq.Node[qwait[T]] {
	for {
		n := wq.PopFront()
		if n == nil || !n.Val.t.done {
			return n
		}
	}
}
