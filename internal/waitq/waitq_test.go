package waitq

import (
	"slices"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// checkList verifies the links both ways, the length and each node's owner,
// and returns the values front to back.
func checkList[T any](t *testing.T, q *Queue[T]) []T {
	t.Helper()
	var vals []T
	var prev *Node[T]
	n := 0
	for x := q.head; x != nil; x = x.next {
		if x.prev != prev {
			t.Fatalf("node %d: prev link broken", n)
		}
		if x.q != q || !x.Queued() {
			t.Fatalf("node %d: does not belong to the queue", n)
		}
		vals = append(vals, x.Val)
		prev = x
		n++
		if n > q.n+1 {
			t.Fatalf("list longer than Len (%d): cycle?", q.n)
		}
	}
	if q.tail != prev {
		t.Fatal("tail is not the last node")
	}
	if n != q.Len() {
		t.Fatalf("Len = %d, list has %d nodes", q.Len(), n)
	}
	if q.Front() != q.head {
		t.Fatal("Front is not the head")
	}
	return vals
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s did not panic", what)
		}
	}()
	f()
}

func TestWaitqZeroValueIsEmpty(t *testing.T) {
	var q Queue[int]
	if q.Len() != 0 || q.Front() != nil || q.PopFront() != nil {
		t.Fatal("zero queue is not empty")
	}
}

func TestWaitqPopsInFIFOOrder(t *testing.T) {
	var q Queue[int]
	for i := 0; i < 10; i++ {
		n := q.Get(i)
		if n.Queued() {
			t.Fatal("Get returned a queued node")
		}
		q.PushBack(n)
		if !n.Queued() {
			t.Fatal("pushed node does not report Queued")
		}
	}
	if got := checkList(t, &q); !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("contents = %v", got)
	}
	for i := 0; i < 10; i++ {
		if f := q.Front(); f == nil || f.Val != i {
			t.Fatalf("Front = %v, want %d", f, i)
		}
		n := q.PopFront()
		if n == nil || n.Val != i {
			t.Fatalf("PopFront = %v, want %d", n, i)
		}
		if n.Queued() {
			t.Fatal("popped node still reports Queued")
		}
		checkList(t, &q)
	}
	if q.PopFront() != nil || q.Len() != 0 {
		t.Fatal("queue not empty after draining")
	}
}

func TestWaitqRemoveFromHeadMiddleAndTail(t *testing.T) {
	var q Queue[int]
	nodes := make([]*Node[int], 7)
	for i := range nodes {
		nodes[i] = q.Get(i)
		q.PushBack(nodes[i])
	}
	steps := []struct {
		remove int
		want   []int
	}{
		{3, []int{0, 1, 2, 4, 5, 6}}, // middle
		{0, []int{1, 2, 4, 5, 6}},    // head
		{6, []int{1, 2, 4, 5}},       // tail
		{4, []int{1, 2, 5}},          // middle again
		{5, []int{1, 2}},             // tail
		{1, []int{2}},                // head
		{2, nil},                     // only node
	}
	for _, s := range steps {
		n := nodes[s.remove]
		if !q.Remove(n) {
			t.Fatalf("Remove(%d) = false", s.remove)
		}
		if n.Queued() {
			t.Fatalf("removed node %d still reports Queued", s.remove)
		}
		if got := checkList(t, &q); !slices.Equal(got, s.want) {
			t.Fatalf("after Remove(%d): contents = %v, want %v", s.remove, got, s.want)
		}
		if q.Remove(n) {
			t.Fatalf("second Remove(%d) = true", s.remove)
		}
	}
	if q.head != nil || q.tail != nil {
		t.Fatal("empty queue still has head/tail")
	}
	// The queue still works after being emptied by Remove.
	q.PushBack(nodes[0])
	if got := checkList(t, &q); !slices.Equal(got, []int{0}) {
		t.Fatalf("contents = %v", got)
	}
}

func TestWaitqRemoveOfANodeOfAnotherQueueReturnsFalse(t *testing.T) {
	var q1, q2 Queue[string]
	a, b := q1.Get("a"), q1.Get("b")
	q1.PushBack(a)
	q1.PushBack(b)
	x := q2.Get("x")
	q2.PushBack(x)
	if q1.Remove(x) {
		t.Fatal("q1.Remove of q2's node returned true")
	}
	if q2.Remove(a) {
		t.Fatal("q2.Remove of q1's node returned true")
	}
	if got := checkList(t, &q1); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("q1 = %v, want [a b]", got)
	}
	if got := checkList(t, &q2); len(got) != 1 || got[0] != "x" {
		t.Fatalf("q2 = %v, want [x]", got)
	}
	if q1.Remove(q1.Get("never queued")) {
		t.Fatal("Remove of a never-queued node returned true")
	}
}

func TestWaitqPutRecyclesNodesThroughGet(t *testing.T) {
	var q Queue[*int]
	v1, v2, v3 := new(int), new(int), new(int)
	a, b := q.Get(v1), q.Get(v2)
	if a == b {
		t.Fatal("two Gets without Put returned the same node")
	}
	q.PushBack(a)
	q.PushBack(b)
	q.PopFront()
	q.Remove(b)
	q.Put(a)
	if a.Val != nil {
		t.Fatal("Put did not zero Val (the node would retain the waiter)")
	}
	q.Put(b)
	if b.Val != nil {
		t.Fatal("Put did not zero Val")
	}
	// The free list is LIFO: b first, then a, then a fresh node.
	c := q.Get(v3)
	if c != b {
		t.Fatal("Get did not reuse the most recently Put node")
	}
	if c.Val != v3 {
		t.Fatal("reused node does not hold the new value")
	}
	if c.Queued() || c.next != nil || c.prev != nil {
		t.Fatal("reused node carries stale links")
	}
	d := q.Get(v1)
	if d != a {
		t.Fatal("Get did not reuse the other Put node")
	}
	if d.next != nil {
		t.Fatal("reused node still links into the free list")
	}
	e := q.Get(v2)
	if e == a || e == b {
		t.Fatal("Get handed out a node that is already in use")
	}
	// Reused nodes queue correctly.
	q.PushBack(d)
	q.PushBack(c)
	q.PushBack(e)
	got := checkList(t, &q)
	if len(got) != 3 || got[0] != v1 || got[1] != v3 || got[2] != v2 {
		t.Fatal("reused nodes were queued in the wrong order")
	}
}

func TestWaitqGetAfterPutDoesNotAllocate(t *testing.T) {
	var q Queue[int]
	q.Put(q.Get(0))
	allocs := testing.AllocsPerRun(100, func() {
		n := q.Get(1)
		q.PushBack(n)
		q.Remove(n)
		q.Put(n)
	})
	if allocs != 0 {
		t.Fatalf("steady-state park/unpark allocates %.1f times", allocs)
	}
}

func TestWaitqPushBackOfAQueuedNodePanics(t *testing.T) {
	var q, other Queue[int]
	n := q.Get(1)
	q.PushBack(n)
	mustPanic(t, "second PushBack on the same queue", func() { q.PushBack(n) })
	mustPanic(t, "PushBack onto another queue", func() { other.PushBack(n) })
	if got := checkList(t, &q); !slices.Equal(got, []int{1}) {
		t.Fatalf("q = %v after rejected PushBacks", got)
	}
	if other.Len() != 0 {
		t.Fatal("other queue changed")
	}
}

func TestWaitqPutOfAQueuedNodePanics(t *testing.T) {
	var q Queue[int]
	n := q.Get(5)
	q.PushBack(n)
	mustPanic(t, "Put of a queued node", func() { q.Put(n) })
	if n.Val != 5 || !n.Queued() {
		t.Fatal("rejected Put modified the node")
	}
	if got := checkList(t, &q); !slices.Equal(got, []int{5}) {
		t.Fatalf("q = %v", got)
	}
	if q.free != nil {
		t.Fatal("rejected Put added the node to the free list")
	}
}

// FuzzWaitq drives a queue and a slice model with the same operations.
func FuzzWaitq(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 2, 3, 4})
	f.Add([]byte{0, 0, 0, 0, 10, 14, 6, 3, 3, 0, 0, 1, 1, 1})
	f.Add([]byte{0, 0, 0, 0, 0, 2, 6, 10, 14, 18, 4, 4, 4, 0, 0, 0, 5})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var q, other Queue[int]
		var model []*Node[int] // queued nodes, front to back
		var loose []*Node[int] // unqueued nodes we own
		var freed []*Node[int] // nodes on q's free list, most recent last
		vals := map[*Node[int]]int{}
		next := 1
		for step, op := range ops {
			arg := int(op >> 3)
			switch op & 7 {
			case 0: // Get + PushBack
				n := q.Get(next)
				if len(freed) > 0 {
					want := freed[len(freed)-1]
					freed = freed[:len(freed)-1]
					if n != want {
						t.Fatalf("step %d: Get did not reuse the last Put node", step)
					}
				}
				if n.Val != next || n.Queued() {
					t.Fatalf("step %d: Get returned a bad node", step)
				}
				vals[n] = next
				next++
				q.PushBack(n)
				model = append(model, n)
			case 1: // PopFront
				n := q.PopFront()
				if len(model) == 0 {
					if n != nil {
						t.Fatalf("step %d: PopFront on empty returned a node", step)
					}
					break
				}
				if n != model[0] {
					t.Fatalf("step %d: PopFront = %d, want %d", step, n.Val, model[0].Val)
				}
				model = model[1:]
				loose = append(loose, n)
			case 2: // Remove a queued node
				if len(model) == 0 {
					break
				}
				i := arg % len(model)
				n := model[i]
				if !q.Remove(n) {
					t.Fatalf("step %d: Remove of queued node returned false", step)
				}
				model = append(model[:i:i], model[i+1:]...)
				loose = append(loose, n)
			case 3: // Remove an unqueued node: false, no change
				if len(loose) == 0 {
					break
				}
				if q.Remove(loose[arg%len(loose)]) {
					t.Fatalf("step %d: Remove of an unqueued node returned true", step)
				}
			case 4: // Put a loose node
				if len(loose) == 0 {
					break
				}
				i := arg % len(loose)
				n := loose[i]
				loose = append(loose[:i:i], loose[i+1:]...)
				q.Put(n)
				if n.Val != 0 {
					t.Fatalf("step %d: Put did not zero Val", step)
				}
				delete(vals, n)
				freed = append(freed, n)
			case 5: // Re-push a loose node (without going through Put)
				if len(loose) == 0 {
					break
				}
				i := arg % len(loose)
				n := loose[i]
				loose = append(loose[:i:i], loose[i+1:]...)
				q.PushBack(n)
				model = append(model, n)
			case 6: // Misuse: PushBack / Put of a queued node must panic
				if len(model) == 0 {
					break
				}
				n := model[arg%len(model)]
				if arg&1 == 0 {
					mustPanic(t, "PushBack of queued node", func() { q.PushBack(n) })
				} else {
					mustPanic(t, "Put of queued node", func() { q.Put(n) })
				}
			case 7: // Remove via another queue: false, no change
				if len(model) == 0 {
					break
				}
				if other.Remove(model[arg%len(model)]) {
					t.Fatalf("step %d: another queue removed our node", step)
				}
			}
			got := checkList(t, &q)
			if len(got) != len(model) {
				t.Fatalf("step %d: Len = %d, want %d", step, len(got), len(model))
			}
			for i, m := range model {
				if got[i] != vals[m] {
					t.Fatalf("step %d: position %d holds %d, want %d", step, i, got[i], vals[m])
				}
			}
			for _, n := range loose {
				if n.Queued() {
					t.Fatalf("step %d: loose node reports Queued", step)
				}
			}
			if other.Len() != 0 || other.head != nil {
				t.Fatalf("step %d: the other queue changed", step)
			}
		}
	})
}
