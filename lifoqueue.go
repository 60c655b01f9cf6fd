package aio

import "github.com/asyncgo/aio/internal/ring"

// LifoQueue is a last in, first out queue for tasks of one loop
// (asyncio.LifoQueue): Get takes the most recently put item. Everything
// else — waiting, first-come first-served hand-off, cancellation, TaskDone
// and Join, Shutdown — is Queue's (the two share one implementation).
//
// The zero LifoQueue is an unbounded, empty queue. A LifoQueue must only be
// used from the tasks and callbacks of one loop, on the loop goroutine.
type LifoQueue[T any] struct {
	queue[T, lifo[T], *lifo[T]]
}

// NewLifoQueue returns a LIFO queue holding at most maxsize items;
// maxsize ≤ 0 means unbounded.
func NewLifoQueue[T any](maxsize int) *LifoQueue[T] {
	q := &LifoQueue[T]{}
	q.maxsize = max(maxsize, 0)
	return q
}

// lifo is LifoQueue's storage.
type lifo[T any] struct{ r ring.Ring[T] }

var lifoOps = newQueueOps("LifoQueue")

func (s *lifo[T]) push(v T)       { s.r.Push(v) }
func (s *lifo[T]) pop() T         { return s.r.PopBack() }
func (s *lifo[T]) ops() *queueOps { return lifoOps }
