package ring

import (
	"runtime"
	"slices"
	"testing"
	"weak"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// contents returns the ring's elements front to back, read through At.
func contents[T any](r *Ring[T]) []T {
	out := make([]T, r.Len())
	for i := range out {
		out[i] = r.At(i)
	}
	return out
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

func TestRingZeroValueIsEmpty(t *testing.T) {
	var r Ring[int]
	if r.Len() != 0 {
		t.Fatalf("Len of zero ring = %d, want 0", r.Len())
	}
}

func TestRingKeepsFIFOOrderAcrossGrowth(t *testing.T) {
	var r Ring[int]
	const n = 1000 // several doublings from the initial 16
	for i := 0; i < n; i++ {
		r.Push(i)
		if r.Len() != i+1 {
			t.Fatalf("Len after %d pushes = %d", i+1, r.Len())
		}
	}
	for i := 0; i < n; i++ {
		if got := r.Peek(); got != i {
			t.Fatalf("Peek = %d, want %d", got, i)
		}
		if got := r.Pop(); got != i {
			t.Fatalf("Pop = %d, want %d", got, i)
		}
	}
	if r.Len() != 0 {
		t.Fatalf("Len after draining = %d", r.Len())
	}
}

func TestRingKeepsFIFOOrderWhenGrowingWhileWrapped(t *testing.T) {
	var r Ring[int]
	next, want := 0, 0
	// Advance head so that the live region wraps around the buffer end,
	// then fill it up so the next Push grows a wrapped buffer.
	for i := 0; i < 10; i++ {
		r.Push(next)
		next++
	}
	for i := 0; i < 7; i++ {
		if got := r.Pop(); got != want {
			t.Fatalf("Pop = %d, want %d", got, want)
		}
		want++
	}
	for r.Len() < 16 {
		r.Push(next)
		next++
	}
	if r.head == 0 {
		t.Fatalf("test setup: the live region is not wrapped (head = 0)")
	}
	for i := 0; i < 40; i++ { // grows 16 -> 32 -> 64 from a wrapped state
		r.Push(next)
		next++
	}
	for r.Len() > 0 {
		if got := r.Pop(); got != want {
			t.Fatalf("Pop = %d, want %d", got, want)
		}
		want++
	}
	if want != next {
		t.Fatalf("popped %d elements, pushed %d", want, next)
	}
}

func TestRingWrapsAroundWithoutGrowing(t *testing.T) {
	var r Ring[int]
	r.Push(-1)
	r.Pop()
	capBefore := len(r.buf)
	// Keep at most 5 elements live while cycling through the buffer many times.
	next, want := 0, 0
	for round := 0; round < 100; round++ {
		for r.Len() < 5 {
			r.Push(next)
			next++
		}
		for r.Len() > 2 {
			if got := r.Pop(); got != want {
				t.Fatalf("Pop = %d, want %d", got, want)
			}
			want++
		}
	}
	if len(r.buf) != capBefore {
		t.Fatalf("buffer grew from %d to %d although at most 5 elements were live", capBefore, len(r.buf))
	}
}

func TestRingPushFrontPutsElementsBeforeTheFront(t *testing.T) {
	var r Ring[int]
	r.PushFront(2) // on the zero value: must grow first
	r.Push(3)
	r.PushFront(1)
	r.PushFront(0)
	r.Push(4)
	if got, want := contents(&r), []int{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("contents = %v, want %v", got, want)
	}
	if got := r.Peek(); got != 0 {
		t.Fatalf("Peek = %d, want 0", got)
	}
}

func TestRingPushFrontGrowsAndKeepsOrder(t *testing.T) {
	var r Ring[int]
	const n = 100
	for i := 0; i < n; i++ {
		r.PushFront(i)
	}
	for i := n - 1; i >= 0; i-- {
		if got := r.Pop(); got != i {
			t.Fatalf("Pop = %d, want %d", got, i)
		}
	}
}

func TestRingPopBackReturnsTheLastElement(t *testing.T) {
	var r Ring[int]
	for i := 0; i < 40; i++ {
		r.Push(i)
	}
	r.Pop()
	r.Pop()
	for i := 39; i >= 2; i-- {
		if got := r.PopBack(); got != i {
			t.Fatalf("PopBack = %d, want %d", got, i)
		}
		if r.Len() != i-2 {
			t.Fatalf("Len = %d, want %d", r.Len(), i-2)
		}
	}
	// PopBack across the wrap point: the back lives at the buffer's end.
	r.Push(100)
	r.Pop()
	r.PushFront(1)
	r.PushFront(0)
	r.Push(2)
	for _, want := range []int{2, 1, 0} {
		if got := r.PopBack(); got != want {
			t.Fatalf("PopBack = %d, want %d", got, want)
		}
	}
}

func TestRingAtIndexesFromTheFront(t *testing.T) {
	var r Ring[string]
	for _, s := range []string{"x", "a", "b", "c"} {
		r.Push(s)
	}
	r.Pop()
	r.PushFront("z")
	want := []string{"z", "a", "b", "c"}
	for i, w := range want {
		if got := r.At(i); got != w {
			t.Fatalf("At(%d) = %q, want %q", i, got, w)
		}
	}
	mustPanic(t, "At(-1)", func() { r.At(-1) })
	mustPanic(t, "At(Len)", func() { r.At(r.Len()) })
}

func TestRingClearEmptiesAndKeepsTheBuffer(t *testing.T) {
	var r Ring[int]
	for i := 0; i < 50; i++ {
		r.Push(i)
	}
	for i := 0; i < 20; i++ {
		r.Pop()
	}
	bufLen := len(r.buf)
	r.Clear()
	if r.Len() != 0 {
		t.Fatalf("Len after Clear = %d", r.Len())
	}
	if len(r.buf) != bufLen {
		t.Fatalf("Clear changed the buffer size from %d to %d", bufLen, len(r.buf))
	}
	for i, v := range r.buf {
		if v != 0 {
			t.Fatalf("buf[%d] = %d after Clear, want zero", i, v)
		}
	}
	mustPanic(t, "Pop after Clear", func() { r.Pop() })
	r.Push(7)
	r.PushFront(6)
	if got, want := contents(&r), []int{6, 7}; !slices.Equal(got, want) {
		t.Fatalf("contents after reuse = %v, want %v", got, want)
	}
}

func TestRingPanicsOnEmptyPopPopBackAndPeek(t *testing.T) {
	var r Ring[int]
	mustPanic(t, "Pop on zero ring", func() { r.Pop() })
	mustPanic(t, "PopBack on zero ring", func() { r.PopBack() })
	mustPanic(t, "Peek on zero ring", func() { r.Peek() })
	mustPanic(t, "At(0) on zero ring", func() { r.At(0) })
	r.Push(1)
	r.Pop()
	mustPanic(t, "Pop on drained ring", func() { r.Pop() })
	mustPanic(t, "PopBack on drained ring", func() { r.PopBack() })
	mustPanic(t, "Peek on drained ring", func() { r.Peek() })
	if r.Len() != 0 {
		t.Fatalf("a panicking Pop changed Len to %d", r.Len())
	}
}

// payload is large enough to stay out of the tiny allocator, so that a weak
// pointer to it is cleared as soon as it is unreachable.
type payload struct{ _ [64]byte }

func TestRingDoesNotRetainRemovedElements(t *testing.T) {
	var r Ring[*payload]
	var weaks []weak.Pointer[payload]
	for i := 0; i < 6; i++ {
		p := &payload{}
		weaks = append(weaks, weak.Make(p))
		r.Push(p)
	}
	keep := &payload{}
	r.Push(keep) // stays in the ring
	r.PushFront(nil)
	r.Pop()     // the nil
	r.Pop()     // weaks[0]
	r.PopBack() // keep
	r.PopBack() // weaks[5]
	r.Push(keep)
	// weaks[1..4] are still queued; drop them with Clear after checking the
	// popped ones are collectable.
	runtime.GC()
	for _, i := range []int{0, 5} {
		if weaks[i].Value() != nil {
			t.Fatalf("element %d is still reachable after Pop/PopBack: the ring retains it", i)
		}
	}
	for _, i := range []int{1, 2, 3, 4} {
		if weaks[i].Value() == nil {
			t.Fatalf("element %d was collected while still queued", i)
		}
	}
	r.Clear()
	runtime.GC()
	for i, w := range weaks {
		if w.Value() != nil {
			t.Fatalf("element %d is still reachable after Clear: the ring retains it", i)
		}
	}
	runtime.KeepAlive(keep)
}

// FuzzRing drives a Ring and a slice with the same operations and compares
// them after every step.
func FuzzRing(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 1, 1, 1, 3, 3, 3})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 6, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var r Ring[int]
		var model []int
		next := 1 // 0 is the zero value: keep it out so stale slots show
		for step, op := range ops {
			switch op % 8 {
			case 0, 7: // Push, weighted up so the ring grows
				r.Push(next)
				model = append(model, next)
				next++
			case 1:
				r.PushFront(next)
				model = append([]int{next}, model...)
				next++
			case 2:
				if len(model) == 0 {
					mustPanic(t, "Pop on empty", func() { r.Pop() })
					break
				}
				if got := r.Pop(); got != model[0] {
					t.Fatalf("step %d: Pop = %d, want %d", step, got, model[0])
				}
				model = model[1:]
			case 3:
				if len(model) == 0 {
					mustPanic(t, "PopBack on empty", func() { r.PopBack() })
					break
				}
				if got := r.PopBack(); got != model[len(model)-1] {
					t.Fatalf("step %d: PopBack = %d, want %d", step, got, model[len(model)-1])
				}
				model = model[:len(model)-1]
			case 4:
				if len(model) == 0 {
					mustPanic(t, "Peek on empty", func() { r.Peek() })
					break
				}
				if got := r.Peek(); got != model[0] {
					t.Fatalf("step %d: Peek = %d, want %d", step, got, model[0])
				}
			case 5:
				i := int(op>>3) % (len(model) + 1)
				if i == len(model) {
					mustPanic(t, "At(Len)", func() { r.At(i) })
					break
				}
				if got := r.At(i); got != model[i] {
					t.Fatalf("step %d: At(%d) = %d, want %d", step, i, got, model[i])
				}
			case 6:
				if op>>3 == 0 { // Clear only rarely
					r.Clear()
					model = model[:0]
				}
			}
			if r.Len() != len(model) {
				t.Fatalf("step %d: Len = %d, want %d", step, r.Len(), len(model))
			}
			if len(r.buf)&(len(r.buf)-1) != 0 {
				t.Fatalf("step %d: buffer size %d is not a power of two", step, len(r.buf))
			}
		}
		if got := contents(&r); !slices.Equal(got, model) {
			t.Fatalf("final contents = %v, want %v", got, model)
		}
		// Slots outside the live region must be zero (nothing retained).
		live := make(map[int]bool)
		for i := 0; i < r.n; i++ {
			live[(r.head+i)&(len(r.buf)-1)] = true
		}
		for i, v := range r.buf {
			if !live[i] && v != 0 {
				t.Fatalf("buf[%d] = %d outside the live region", i, v)
			}
		}
	})
}

func TestSwapExchangesElementsAcrossTheWrap(t *testing.T) {
	var r Ring[int]
	for i := 0; i < 6; i++ {
		r.Push(i)
	}
	r.Pop()
	r.Pop()
	r.Push(6)
	r.Push(7)
	r.Push(8) // wraps around the 8-slot buffer
	r.Swap(0, r.Len()-1)
	if r.At(0) != 8 || r.At(r.Len()-1) != 2 {
		t.Fatalf("after Swap: front %d back %d, want 8 and 2", r.At(0), r.At(r.Len()-1))
	}
}
