package aio

import "github.com/asyncgo/aio/internal/ring"

// Queue is a FIFO queue for tasks of one loop (asyncio.Queue): Put waits
// while the queue is full, Get waits while it is empty, and TaskDone/Join
// track how many items were processed. LifoQueue and PriorityQueue share
// its implementation and differ only in which item Get takes.
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
// Shutdown (Python 3.13) closes the queue: puts fail with ErrQueueShutDown
// from then on, and gets once the queue is empty.
//
// The zero Queue is an unbounded, empty queue. A Queue must only be used
// from the tasks and callbacks of one loop, on the loop goroutine; it is not
// safe for other goroutines.
type Queue[T any] struct {
	queue[T, fifo[T], *fifo[T]]
}

// NewQueue returns a queue holding at most maxsize items; maxsize ≤ 0 means
// unbounded.
func NewQueue[T any](maxsize int) *Queue[T] {
	q := &Queue[T]{}
	q.maxsize = max(maxsize, 0)
	return q
}

// storage is how a queue kind keeps its items: the order in which pop
// returns them is the kind's only difference.
type storage[T any] interface {
	push(v T)
	pop() T
	ops() *queueOps // the names of the kind's calls, for misuse panics
}

// queueOps names a queue kind's calls.
type queueOps struct {
	kind, put, putNowait, get, getNowait, taskDone, join, shutdown string
}

func newQueueOps(kind string) *queueOps {
	return &queueOps{kind: kind, put: kind + ".Put", putNowait: kind + ".PutNowait", get: kind + ".Get",
		getNowait: kind + ".GetNowait", taskDone: kind + ".TaskDone", join: kind + ".Join", shutdown: kind + ".Shutdown"}
}

// fifo is Queue's storage.
type fifo[T any] struct{ r ring.Ring[T] }

var fifoOps = newQueueOps("Queue")

func (f *fifo[T]) push(v T)       { f.r.Push(v) }
func (f *fifo[T]) pop() T         { return f.r.Pop() }
func (f *fifo[T]) ops() *queueOps { return fifoOps }
