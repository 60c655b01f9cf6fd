package timerheap

import (
	"sort"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// checkHeap verifies the heap invariant and the entries' back-indices.
func checkHeap(t *testing.T, h *Heap) {
	t.Helper()
	if len(h.h) > 0 && h.h[0] != nil {
		t.Fatalf("slot 0 is used: %+v", h.h[0])
	}
	for i := 1; i < len(h.h); i++ {
		e := h.h[i]
		if e == nil {
			t.Fatalf("nil entry at %d", i)
		}
		if e.index != i {
			t.Fatalf("entry at %d records index %d", i, e.index)
		}
		if !e.Queued() {
			t.Fatalf("entry at %d reports not queued", i)
		}
		if p := i / 2; p >= 1 && h.less(i, p) {
			t.Fatalf("heap order violated: child %d (When=%d seq=%d) < parent %d (When=%d seq=%d)",
				i, e.When, e.seq, p, h.h[p].When, h.h[p].seq)
		}
	}
	if h.Len() != max(len(h.h)-1, 0) {
		t.Fatalf("Len = %d with %d slots", h.Len(), len(h.h))
	}
}

func TestHeapZeroValueIsEmpty(t *testing.T) {
	var h Heap
	if h.Len() != 0 {
		t.Fatalf("Len = %d", h.Len())
	}
	if e := h.Peek(); e != nil {
		t.Fatalf("Peek on empty heap = %+v, want nil", e)
	}
	if e := h.Pop(); e != nil {
		t.Fatalf("Pop on empty heap = %+v, want nil", e)
	}
	if h.Len() != 0 {
		t.Fatalf("Len after Pop on empty = %d", h.Len())
	}
}

func TestHeapPopsInDeadlineOrder(t *testing.T) {
	var h Heap
	whens := []int64{50, -3, 7, 1 << 62, 0, 7, 42, -1 << 62, 13, 99, 1, 2}
	for _, w := range whens {
		h.Push(&Entry{When: w})
		checkHeap(t, &h)
	}
	sorted := append([]int64(nil), whens...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i, w := range sorted {
		if p := h.Peek(); p == nil || p.When != w {
			t.Fatalf("Peek #%d = %+v, want When=%d", i, p, w)
		}
		e := h.Pop()
		if e == nil || e.When != w {
			t.Fatalf("Pop #%d = %+v, want When=%d", i, e, w)
		}
		if e.Queued() {
			t.Fatalf("popped entry still reports Queued")
		}
		checkHeap(t, &h)
	}
	if h.Pop() != nil || h.Len() != 0 {
		t.Fatalf("heap not empty after popping everything")
	}
}

func TestHeapPopsEqualDeadlinesInInsertionOrder(t *testing.T) {
	var h Heap
	// Interleave two deadlines so that sift-up/sift-down reorders entries.
	var at5, at3 []*Entry
	for i := 0; i < 40; i++ {
		e := &Entry{When: 5, Owner: i}
		at5 = append(at5, e)
		h.Push(e)
		if i%3 == 0 {
			e := &Entry{When: 3, Owner: i}
			at3 = append(at3, e)
			h.Push(e)
		}
	}
	for _, want := range append(at3, at5...) {
		if got := h.Pop(); got != want {
			t.Fatalf("Pop = {When:%d Owner:%v}, want {When:%d Owner:%v}", got.When, got.Owner, want.When, want.Owner)
		}
	}
}

func TestHeapRemoveFromTheMiddleKeepsTheHeapValid(t *testing.T) {
	var h Heap
	var es []*Entry
	// Deadlines chosen so removing interior entries exercises both the
	// sift-down and the sift-up paths (the last entry is moved into the hole).
	for _, w := range []int64{1, 100, 2, 101, 102, 3, 4, 103, 104, 105, 106, 5, 6, 7, 8} {
		e := &Entry{When: w}
		es = append(es, e)
		h.Push(e)
	}
	checkHeap(t, &h)
	removed := map[*Entry]bool{}
	for _, i := range []int{1, 6, 3, 10, 0} {
		e := es[i]
		if !h.Remove(e) {
			t.Fatalf("Remove(When=%d) = false for a queued entry", e.When)
		}
		if e.Queued() {
			t.Fatalf("removed entry still reports Queued")
		}
		removed[e] = true
		checkHeap(t, &h)
	}
	var want []*Entry
	for _, e := range es {
		if !removed[e] {
			want = append(want, e)
		}
	}
	sort.SliceStable(want, func(i, j int) bool { return want[i].When < want[j].When })
	for _, w := range want {
		if got := h.Pop(); got != w {
			t.Fatalf("Pop = When %d, want When %d", got.When, w.When)
		}
	}
	if h.Len() != 0 {
		t.Fatalf("Len = %d after draining", h.Len())
	}
}

func TestHeapRemoveNeedingSiftUp(t *testing.T) {
	// Heap layout (1-based): 1:[0] 2:[10] 3:[1] 4:[11] 5:[12] 6:[2] 7:[3]
	// Removing slot 4 moves the last entry (When 3) under slot 2 (When 10):
	// it must move up.
	var h Heap
	for _, w := range []int64{0, 10, 1, 11, 12, 2, 3} {
		h.Push(&Entry{When: w})
	}
	checkHeap(t, &h)
	victim := h.h[4]
	if victim.When != 11 {
		t.Fatalf("test setup: slot 4 holds When=%d, want 11", victim.When)
	}
	if !h.Remove(victim) {
		t.Fatal("Remove returned false")
	}
	checkHeap(t, &h)
	for _, w := range []int64{0, 1, 2, 3, 10, 12} {
		if got := h.Pop(); got.When != w {
			t.Fatalf("Pop = %d, want %d", got.When, w)
		}
	}
}

func TestHeapRemoveOfAnEntryNotQueuedReturnsFalse(t *testing.T) {
	var h Heap
	stray := &Entry{When: 1}
	if h.Remove(stray) {
		t.Fatal("Remove of a never-queued entry on an empty heap returned true")
	}
	a, b := &Entry{When: 1}, &Entry{When: 2}
	h.Push(a)
	h.Push(b)
	if h.Remove(stray) {
		t.Fatal("Remove of a never-queued entry returned true")
	}
	if !h.Remove(a) {
		t.Fatal("first Remove of a queued entry returned false")
	}
	if h.Remove(a) {
		t.Fatal("second Remove of the same entry returned true")
	}
	popped := h.Pop()
	if popped != b {
		t.Fatalf("Pop = %+v, want b", popped)
	}
	if h.Remove(popped) {
		t.Fatal("Remove of a popped entry returned true")
	}
	if h.Len() != 0 {
		t.Fatalf("Len = %d, want 0", h.Len())
	}
}

func TestHeapRemoveOfAnEntryInAnotherHeapReturnsFalse(t *testing.T) {
	var h1, h2 Heap
	x1, x2 := &Entry{When: 1}, &Entry{When: 2}
	y := &Entry{When: 3}
	h1.Push(x1)
	h1.Push(x2)
	h2.Push(y) // y.index == 1, a valid slot in h1 too
	if h1.Remove(y) {
		t.Fatal("h1.Remove of an entry queued in h2 returned true")
	}
	if !y.Queued() || h2.Peek() != y {
		t.Fatal("h1.Remove disturbed an entry of h2")
	}
	checkHeap(t, &h1)
	checkHeap(t, &h2)
	if h1.Len() != 2 || h1.Pop() != x1 || h1.Pop() != x2 {
		t.Fatal("h1 lost or reordered its entries")
	}
}

func TestHeapQueuedTracksMembership(t *testing.T) {
	var h Heap
	e := &Entry{When: 10}
	if e.Queued() {
		t.Fatal("fresh entry reports Queued")
	}
	h.Push(e)
	if !e.Queued() {
		t.Fatal("pushed entry does not report Queued")
	}
	h.Pop()
	if e.Queued() {
		t.Fatal("popped entry reports Queued")
	}
	h.Push(e)
	h.Remove(e)
	if e.Queued() {
		t.Fatal("removed entry reports Queued")
	}
}

func TestHeapPushOfAQueuedEntryPanics(t *testing.T) {
	var h Heap
	e := &Entry{When: 1}
	h.Push(e)
	defer func() {
		if recover() == nil {
			t.Fatal("second Push of a queued entry did not panic")
		}
		if h.Len() != 1 {
			t.Fatalf("Len = %d after the rejected Push, want 1", h.Len())
		}
	}()
	h.Push(e)
}

func TestHeapRePushAfterPopGoesBehindEqualDeadlines(t *testing.T) {
	var h Heap
	a, b, c := &Entry{When: 5}, &Entry{When: 5}, &Entry{When: 5}
	h.Push(a)
	h.Push(b)
	h.Push(c)
	if got := h.Pop(); got != a {
		t.Fatal("first Pop is not a")
	}
	h.Push(a) // re-pushed: now the newest of the When=5 entries
	for _, want := range []*Entry{b, c, a} {
		if got := h.Pop(); got != want {
			t.Fatalf("Pop order wrong after re-Push")
		}
	}
	// Re-push with an earlier deadline goes first.
	h.Push(b)
	a.When = 1
	h.Push(a)
	if h.Pop() != a || h.Pop() != b {
		t.Fatal("re-pushed entry with earlier deadline did not come first")
	}
}

// FuzzHeap runs random Push/Pop/Remove sequences against a sorted-slice
// model keyed by (When, insertion sequence).
func FuzzHeap(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 1})
	f.Add([]byte{0, 8, 16, 24, 32, 2, 10, 1, 0, 0, 3, 3, 1, 1})
	f.Add([]byte{0, 255, 0, 128, 0, 64, 0, 32, 0, 16, 2, 6, 10, 14, 1, 1, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		type item struct {
			e   *Entry
			seq int
		}
		var h Heap
		var model []item // sorted by (When, seq)
		var pool []*Entry
		seq := 0
		insert := func(it item) {
			i := sort.Search(len(model), func(i int) bool {
				m := model[i]
				return m.e.When > it.e.When || (m.e.When == it.e.When && m.seq > it.seq)
			})
			model = append(model, item{})
			copy(model[i+1:], model[i:])
			model[i] = it
		}
		for step, op := range ops {
			arg := int(op >> 2)
			switch op & 3 {
			case 0: // Push a fresh entry; small When range to force ties
				e := &Entry{When: int64(arg%8) - 2, Owner: len(pool)}
				pool = append(pool, e)
				seq++
				h.Push(e)
				insert(item{e, seq})
			case 1: // Pop
				got := h.Pop()
				if len(model) == 0 {
					if got != nil {
						t.Fatalf("step %d: Pop on empty = %+v", step, got)
					}
					break
				}
				if got != model[0].e {
					t.Fatalf("step %d: Pop = {When:%d Owner:%v}, want {When:%d Owner:%v}",
						step, got.When, got.Owner, model[0].e.When, model[0].e.Owner)
				}
				model = model[1:]
			case 2: // Remove any known entry (queued or not)
				if len(pool) == 0 {
					break
				}
				e := pool[arg%len(pool)]
				idx := -1
				for i, m := range model {
					if m.e == e {
						idx = i
					}
				}
				if got := h.Remove(e); got != (idx >= 0) {
					t.Fatalf("step %d: Remove = %v, want %v", step, got, idx >= 0)
				}
				if idx >= 0 {
					model = append(model[:idx], model[idx+1:]...)
				}
			case 3: // Re-push a known unqueued entry, possibly with a new When
				if len(pool) == 0 {
					break
				}
				e := pool[arg%len(pool)]
				if e.Queued() {
					if p := h.Peek(); (p == nil) != (len(model) == 0) || (p != nil && p != model[0].e) {
						t.Fatalf("step %d: Peek mismatch", step)
					}
					break
				}
				e.When = int64(arg%5) - 1
				seq++
				h.Push(e)
				insert(item{e, seq})
			}
			if h.Len() != len(model) {
				t.Fatalf("step %d: Len = %d, want %d", step, h.Len(), len(model))
			}
			inModel := make(map[*Entry]bool, len(model))
			for _, m := range model {
				inModel[m.e] = true
			}
			for _, e := range pool {
				if in := inModel[e]; e.Queued() != in {
					t.Fatalf("step %d: entry %v Queued = %v, want %v", step, e.Owner, e.Queued(), in)
				}
			}
			checkHeap(t, &h)
		}
		for i, m := range model {
			if got := h.Pop(); got != m.e {
				t.Fatalf("drain %d: Pop = {When:%d Owner:%v}, want {When:%d Owner:%v}",
					i, got.When, got.Owner, m.e.When, m.e.Owner)
			}
		}
		if h.Pop() != nil {
			t.Fatal("heap not empty after draining the model")
		}
	})
}
