// Package timerheap is the loop's timer queue: a binary min-heap ordered by
// deadline, then by insertion sequence, so timers with equal deadlines fire
// in FIFO order. Entries know their index, which makes Remove O(log n).
// It is not safe for concurrent use.
package timerheap

// Entry is one timer. The owner embeds it (no allocation per timer) and puts
// whatever it needs to dispatch the timer in Owner.
type Entry struct {
	When  int64 // deadline, in the loop clock's nanoseconds
	Owner any   // what to do when the timer fires (interpreted by the loop)
	seq   uint64
	index int // position in the heap; 0 when not queued
}

// Queued reports whether e is in a heap.
func (e *Entry) Queued() bool { return e.index > 0 }

// Heap is a min-heap of *Entry. The zero value is an empty heap.
type Heap struct {
	h   []*Entry // h[0] is unused so that index 0 means "not queued"
	seq uint64
}

// Len reports the number of queued entries.
func (h *Heap) Len() int {
	if len(h.h) == 0 {
		return 0
	}
	return len(h.h) - 1
}

// Push queues e. e must not be queued already.
func (h *Heap) Push(e *Entry) {
	if e.index > 0 {
		panic("timerheap: entry already queued")
	}
	if len(h.h) == 0 {
		h.h = append(h.h, nil)
	}
	h.seq++
	e.seq = h.seq
	e.index = len(h.h)
	h.h = append(h.h, e)
	h.up(e.index)
}

// Peek returns the earliest entry, or nil.
func (h *Heap) Peek() *Entry {
	if len(h.h) <= 1 {
		return nil
	}
	return h.h[1]
}

// Pop removes and returns the earliest entry, or nil.
func (h *Heap) Pop() *Entry {
	if len(h.h) <= 1 {
		return nil
	}
	e := h.h[1]
	h.Remove(e)
	return e
}

// Remove unqueues e; it reports whether e was queued.
func (h *Heap) Remove(e *Entry) bool {
	i := e.index
	if i <= 0 || i >= len(h.h) || h.h[i] != e {
		return false
	}
	last := len(h.h) - 1
	if i != last {
		h.swap(i, last)
	}
	h.h[last] = nil
	h.h = h.h[:last]
	e.index = 0
	if i != last {
		if !h.down(i) {
			h.up(i)
		}
	}
	return true
}

func (h *Heap) less(i, j int) bool {
	a, b := h.h[i], h.h[j]
	if a.When != b.When {
		return a.When < b.When
	}
	return a.seq < b.seq
}

func (h *Heap) swap(i, j int) {
	h.h[i], h.h[j] = h.h[j], h.h[i]
	h.h[i].index = i
	h.h[j].index = j
}

func (h *Heap) up(j int) {
	for j > 1 {
		i := j / 2
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h *Heap) down(i0 int) bool {
	i := i0
	n := len(h.h)
	for {
		l := 2 * i
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h.less(r, l) {
			j = r
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
