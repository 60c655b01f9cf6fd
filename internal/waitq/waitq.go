// Package waitq is a fair FIFO wait queue (Trio's parking lot): an intrusive
// doubly-linked list of waiters with O(1) enqueue, dequeue and removal of a
// cancelled waiter. Every aio primitive that parks tasks (Queue, and later
// Lock, Semaphore, Condition, Event) keeps its waiters here, which is what
// makes them first-come first-served. Not safe for concurrent use.
package waitq

// Node is one waiter. The owner keeps whatever it needs in Val.
type Node[T any] struct {
	Val        T
	prev, next *Node[T]
	q          *Queue[T]
}

// Queued reports whether n is in a queue.
func (n *Node[T]) Queued() bool { return n.q != nil }

// Queue is a FIFO of nodes. The zero value is an empty queue. It keeps a
// free list of nodes so that steady-state parking does not allocate.
type Queue[T any] struct {
	head, tail *Node[T]
	n          int
	free       *Node[T]
}

// Len reports the number of queued nodes.
func (q *Queue[T]) Len() int { return q.n }

// Front returns the first node, or nil.
func (q *Queue[T]) Front() *Node[T] { return q.head }

// Get returns an unqueued node holding v, from the free list if possible.
func (q *Queue[T]) Get(v T) *Node[T] {
	n := q.free
	if n != nil {
		q.free = n.next
		n.next = nil
	} else {
		n = &Node[T]{}
	}
	n.Val = v
	return n
}

// Put returns an unqueued node to the free list.
func (q *Queue[T]) Put(n *Node[T]) {
	if n.q != nil {
		panic("waitq: Put of a queued node")
	}
	var zero T
	n.Val = zero
	n.prev = nil
	n.next = q.free
	q.free = n
}

// PushBack appends n.
func (q *Queue[T]) PushBack(n *Node[T]) {
	if n.q != nil {
		panic("waitq: node already queued")
	}
	n.q = q
	n.prev = q.tail
	n.next = nil
	if q.tail != nil {
		q.tail.next = n
	} else {
		q.head = n
	}
	q.tail = n
	q.n++
}

// PopFront removes and returns the first node, or nil.
func (q *Queue[T]) PopFront() *Node[T] {
	n := q.head
	if n != nil {
		q.Remove(n)
	}
	return n
}

// Remove unlinks n; it reports whether n was in q.
func (q *Queue[T]) Remove(n *Node[T]) bool {
	if n.q != q {
		return false
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		q.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		q.tail = n.prev
	}
	n.prev, n.next, n.q = nil, nil, nil
	q.n--
	return true
}
