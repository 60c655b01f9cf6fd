package aio

import "cmp"

// PriorityQueue is a queue for tasks of one loop that Get empties smallest
// first (asyncio.PriorityQueue): by cmp.Less with NewPriorityQueue, or by
// the less function given to NewPriorityQueueFunc. Items that compare
// equal come out in the order they were put (asyncio's heapq does not
// promise that). Everything else — waiting, first-come first-served
// hand-off, cancellation, TaskDone and Join, Shutdown — is Queue's (they
// share one implementation). Put and Get cost O(log n).
//
// An item handed directly to a waiting getter is not compared with
// anything: a getter waits only while the queue is empty, so it takes the
// first item put, whatever its priority.
//
// The zero PriorityQueue has no ordering and is not usable (putting an
// item in it panics with ErrZeroValue): create it with NewPriorityQueue or
// NewPriorityQueueFunc. A PriorityQueue must only be used from the tasks
// and callbacks of one loop, on the loop goroutine.
type PriorityQueue[T any] struct {
	queue[T, heap[T], *heap[T]]
}

// NewPriorityQueue returns a priority queue of ordered values, smallest
// first (cmp.Less: NaNs first), holding at most maxsize items;
// maxsize ≤ 0 means unbounded.
func NewPriorityQueue[T cmp.Ordered](maxsize int) *PriorityQueue[T] {
	return NewPriorityQueueFunc(maxsize, cmp.Less[T])
}

// NewPriorityQueueFunc returns a priority queue that Get empties in the
// order of less (less(a, b): a comes out before b), holding at most
// maxsize items; maxsize ≤ 0 means unbounded. less must be a strict weak
// ordering; a nil less panics with ErrNilFunc.
func NewPriorityQueueFunc[T any](maxsize int, less func(a, b T) bool) *PriorityQueue[T] {
	if less == nil {
		misuse("aio.NewPriorityQueueFunc", ErrNilFunc, "pass the ordering function")
	}
	q := &PriorityQueue[T]{}
	q.maxsize = max(maxsize, 0)
	q.items.less = less
	return q
}

// heap is PriorityQueue's storage: a binary min-heap under less, ties
// broken by insertion order.
type heap[T any] struct {
	less func(a, b T) bool
	a    []heapItem[T]
	seq  uint64
}

type heapItem[T any] struct {
	v   T
	seq uint64
}

var priorityOps = newQueueOps("PriorityQueue")

func (h *heap[T]) ops() *queueOps { return priorityOps }

func (h *heap[T]) before(i, j int) bool {
	a, b := &h.a[i], &h.a[j]
	if h.less(a.v, b.v) {
		return true
	}
	return !h.less(b.v, a.v) && a.seq < b.seq
}

func (h *heap[T]) push(v T) {
	if h.less == nil {
		misuse("PriorityQueue.Put", ErrZeroValue, "create the PriorityQueue with NewPriorityQueue or NewPriorityQueueFunc")
	}
	h.a = append(h.a, heapItem[T]{v, h.seq})
	h.seq++
	for i := len(h.a) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.before(i, p) {
			break
		}
		h.a[i], h.a[p] = h.a[p], h.a[i]
		i = p
	}
}

func (h *heap[T]) pop() T {
	v := h.a[0].v
	last := len(h.a) - 1
	h.a[0] = h.a[last]
	h.a[last] = heapItem[T]{} // drop the reference for the GC
	h.a = h.a[:last]
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < last && h.before(l, m) {
			m = l
		}
		if r < last && h.before(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h.a[i], h.a[m] = h.a[m], h.a[i]
		i = m
	}
	return v
}
