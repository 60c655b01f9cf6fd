package aio_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// anyQueue is the method set the three queue kinds share.
type anyQueue[T any] interface {
	Put(*aio.Context, T) error
	PutNowait(T) error
	Get(*aio.Context) (T, error)
	GetNowait() (T, error)
	TaskDone() error
	Join(*aio.Context) error
	Shutdown(immediate bool)
	IsShutDown() bool
	Len() int
	Empty() bool
	Full() bool
	Maxsize() int
}

// queueKinds returns one fresh queue of each kind with capacity maxsize.
func queueKinds(maxsize int) map[string]anyQueue[int] {
	return map[string]anyQueue[int]{
		"Queue":         aio.NewQueue[int](maxsize),
		"LifoQueue":     aio.NewLifoQueue[int](maxsize),
		"PriorityQueue": aio.NewPriorityQueue[int](maxsize),
	}
}

func drainAny[T any](q anyQueue[T]) []T {
	var out []T
	for {
		v, err := q.GetNowait()
		if err != nil {
			return out
		}
		out = append(out, v)
	}
}

func TestLifoQueueGetTakesTheMostRecentItem(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var zero aio.LifoQueue[int] // the zero LifoQueue is usable and unbounded
		for _, q := range []anyQueue[int]{&zero, aio.NewLifoQueue[int](3)} {
			for i := range 3 {
				q.Put(ctx, i)
			}
			if v, _ := q.Get(ctx); v != 2 {
				t.Errorf("Get = %d, want 2", v)
			}
			q.Put(ctx, 3)
			if got := drainAny(q); !slices.Equal(got, []int{3, 1, 0}) {
				t.Errorf("LIFO order %v, want [3 1 0]", got)
			}
		}
		return nil
	})
}

func TestLifoQueueAdmitsAWaitingPutterWhenASlotFrees(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewLifoQueue[int](2)
		q.PutNowait(1)
		q.PutNowait(2)
		p := aio.Go(ctx, func(ctx *aio.Context) error { return q.Put(ctx, 3) })
		aio.Sleep(ctx, 0)
		if v, _ := q.Get(ctx); v != 2 {
			t.Errorf("Get = %d, want 2", v)
		}
		if _, err := p.Await(ctx); err != nil {
			return err
		}
		if got := drainAny[int](q); !slices.Equal(got, []int{3, 1}) {
			t.Errorf("then %v, want [3 1] (the admitted item is the newest)", got)
		}
		return nil
	})
}

func TestPriorityQueueGetTakesTheSmallestItemAndEqualItemsInPutOrder(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewPriorityQueue[float64](0)
		for _, v := range []float64{5, 1, 4, math.Inf(-1), 2, 8, 1, 3} {
			q.PutNowait(v)
		}
		want := []float64{math.Inf(-1), 1, 1, 2, 3, 4, 5, 8}
		if got := drainAny[float64](q); !slices.Equal(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
		type job struct {
			prio int
			name string
		}
		jq := aio.NewPriorityQueueFunc(0, func(a, b job) bool { return a.prio < b.prio })
		for _, j := range []job{{2, "c"}, {1, "a"}, {2, "d"}, {1, "b"}, {0, "first"}, {2, "e"}} {
			jq.PutNowait(j)
		}
		var names []string
		for _, j := range drainAny[job](jq) {
			names = append(names, j.name)
		}
		if got := strings.Join(names, " "); got != "first a b c d e" {
			t.Errorf("order %q, want equal priorities in put order", got)
		}
		return nil
	})
}

func TestPriorityQueueOrdersManyRandomItems(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewPriorityQueue[int](0)
		var in []int
		x := uint32(12345)
		for range 2000 {
			x = x*1664525 + 1013904223
			v := int(x >> 20)
			in = append(in, v)
			q.PutNowait(v)
			if len(in)%7 == 0 { // interleave gets
				v, _ := q.GetNowait()
				i := slices.Index(in, slices.Min(in))
				if v != in[i] {
					t.Fatalf("Get = %d, want the minimum %d", v, in[i])
				}
				in = slices.Delete(in, i, i+1)
			}
		}
		slices.Sort(in)
		if got := drainAny[int](q); !slices.Equal(got, in) {
			t.Error("drained items are not sorted")
		}
		return nil
	})
}

func TestPriorityQueueZeroValuePanicsWithErrZeroValue(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var q aio.PriorityQueue[int]
		expectMisuse(t, recoverPanic(func() { q.PutNowait(1) }), aio.ErrZeroValue, "PriorityQueue", "NewPriorityQueue")
		expectMisuse(t, recoverPanic(func() { q.Put(ctx, 1) }), aio.ErrZeroValue, "PriorityQueue.Put")
		expectMisuse(t, recoverPanic(func() { aio.NewPriorityQueueFunc[int](0, nil) }), aio.ErrNilFunc, "aio.NewPriorityQueueFunc")
		return nil
	})
}

func TestQueueKindsPutAndGetWaitFirstComeFirstServedAndSurviveCancellation(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		for kind, q := range queueKinds(1) {
			// Getters wait; one is cancelled; items go to the others in order.
			got := make([]int, 3)
			var gs []*aio.Task[struct{}]
			for i := range 3 {
				gs = append(gs, aio.Go(ctx, func(ctx *aio.Context) error {
					v, err := q.Get(ctx)
					got[i] = v
					return err
				}))
			}
			aio.Sleep(ctx, 0)
			gs[1].Cancel("")
			q.PutNowait(10)
			q.PutNowait(20)
			if _, err := gs[1].Await(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("%s: cancelled Get = %v", kind, err)
			}
			if _, err := aio.Gather(ctx, gs[0], gs[2]); err != nil {
				return err
			}
			if got[0] != 10 || got[2] != 20 || !q.Empty() {
				t.Errorf("%s: getters received %v, want 10 and 20", kind, got)
			}
			// A full queue: Put waits and times out without inserting.
			q.PutNowait(1)
			tctx, cancel := aio.WithTimeout(ctx, time.Second)
			if err := q.Put(tctx, 2); !errors.Is(err, context.DeadlineExceeded) || q.Len() != 1 {
				t.Errorf("%s: Put on a full queue = %v, Len %d", kind, err, q.Len())
			}
			cancel()
			drainAny(q)
		}
		return nil
	})
}
