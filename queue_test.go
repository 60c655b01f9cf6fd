package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// A queue is FIFO; PutNowait on a full queue and GetNowait on an empty one
// fail.
// CPython: QueueBasicTests.test_order, QueueGetTests.test_nonblocking_get_exception
// and QueuePutTests.test_nonblocking_put_exception in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueIsFIFOAndItsNowaitMethodsReportFullAndEmpty(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](3)
		if _, err := q.GetNowait(); err != aio.ErrQueueEmpty {
			t.Errorf("GetNowait on empty = %v, want ErrQueueEmpty", err)
		}
		for i := range 3 {
			if err := q.PutNowait(i); err != nil {
				t.Fatalf("PutNowait(%d) = %v", i, err)
			}
		}
		if !q.Full() || q.Len() != 3 || q.Maxsize() != 3 {
			t.Errorf("Full %v, Len %d, Maxsize %d", q.Full(), q.Len(), q.Maxsize())
		}
		if err := q.PutNowait(3); err != aio.ErrQueueFull {
			t.Errorf("PutNowait on full = %v, want ErrQueueFull", err)
		}
		if got := drainQueue(q); !slices.Equal(got, []int{0, 1, 2}) || !q.Empty() {
			t.Errorf("items came out as %v, want [0 1 2]", got)
		}
		return nil
	})
}

// A queue of size 0 or less is never full.
// CPython: QueueBasicTests.test_full in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueUnboundedIsNeverFull(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var zero aio.Queue[int] // the zero Queue is usable and unbounded
		for name, q := range map[string]*aio.Queue[int]{"zero": &zero, "0": aio.NewQueue[int](0), "-1": aio.NewQueue[int](-1)} {
			for i := range 1000 {
				if err := q.Put(ctx, i); err != nil || q.Full() {
					t.Fatalf("queue %s: Put #%d = %v (full: %v)", name, i, err, q.Full())
				}
			}
			if q.Maxsize() != 0 || q.Len() != 1000 {
				t.Errorf("queue %s: Maxsize %d, Len %d", name, q.Maxsize(), q.Len())
			}
			if v, err := q.Get(ctx); v != 0 || err != nil {
				t.Errorf("queue %s: Get = %v, %v; want 0", name, v, err)
			}
		}
		return nil
	})
}

// Put on a queue with room and Get on a non-empty one do not yield.
func TestQueuePutAndGetDoNotYieldWhenTheyNeedNotWait(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](2)
		yielded := yieldProbe(ctx)
		err1 := q.Put(ctx, 1)
		err2 := q.Put(ctx, 2)
		v, err3 := q.Get(ctx)
		if yielded() {
			t.Error("Put or Get yielded without having to wait")
		}
		if err1 != nil || err2 != nil || err3 != nil || v != 1 {
			t.Errorf("Put, Put, Get = %v, %v, (%v, %v)", err1, err2, v, err3)
		}
		return nil
	})
}

// Put on a full queue waits until a Get frees a slot.
// CPython: QueuePutTests.test_blocking_put_wait in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueuePutWaitsUntilASlotFrees(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		q := aio.NewQueue[string](1)
		q.PutNowait("a")
		var putAt time.Duration
		putter := aio.Go(ctx, func(ctx *aio.Context) error {
			err := q.Put(ctx, "b")
			putAt = elapsedSince(ctx, start)
			return err
		})
		aio.Sleep(ctx, time.Second)
		if putter.Done() {
			t.Fatal("Put on a full queue returned")
		}
		if v, _ := q.Get(ctx); v != "a" {
			t.Errorf("Get = %q, want a", v)
		}
		if _, err := putter.Await(ctx); err != nil || putAt != time.Second {
			t.Errorf("Put = %v at %v; want nil at 1s", err, putAt)
		}
		if got := drainQueue(q); !slices.Equal(got, []string{"b"}) {
			t.Errorf("queue holds %q, want [b]", got)
		}
		return nil
	})
}

// Join returns once TaskDone was called for every item put; one TaskDone too
// many fails.
// CPython: _QueueJoinTestMixin.test_task_done and test_task_done_underflow in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueJoinWaitsUntilEveryItemIsDone(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		q := aio.NewQueue[int](0)
		for i := range 3 {
			q.PutNowait(i)
		}
		worker := aio.Go(ctx, func(ctx *aio.Context) error {
			for {
				if _, err := q.Get(ctx); err != nil {
					return err
				}
				aio.Sleep(ctx, time.Second)
				q.TaskDone()
			}
		})
		if err := q.Join(ctx); err != nil {
			t.Errorf("Join = %v", err)
		}
		if d := elapsedSince(ctx, start); d != 3*time.Second {
			t.Errorf("Join returned after %v, want 3s", d)
		}
		if err := q.TaskDone(); err != aio.ErrTaskDoneTooMany {
			t.Errorf("extra TaskDone = %v, want ErrTaskDoneTooMany", err)
		}
		worker.Cancel("")
		worker.Await(ctx)
		return nil
	})
}

// Join on a fresh queue returns at once.
// CPython: _QueueJoinTestMixin.test_join_empty_queue in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueJoinOnAFreshQueueReturnsAtOnce(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](1)
		yielded := yieldProbe(ctx)
		if err := q.Join(ctx); err != nil || yielded() {
			t.Errorf("Join on a fresh queue = %v (yielded: %v)", err, yielded())
		}
		if err := q.TaskDone(); err != aio.ErrTaskDoneTooMany {
			t.Errorf("TaskDone on a fresh queue = %v, want ErrTaskDoneTooMany", err)
		}
		return nil
	})
}

// A getter cancelled while waiting loses no item: it goes to the next getter.
// CPython: QueueGetTests.test_get_cancelled_race in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueCancelledGetterPassesTheNextItemToTheNextGetter(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](0)
		var got1, got2 int
		var err1, err2 error
		g1 := aio.Go(ctx, func(ctx *aio.Context) error { got1, err1 = q.Get(ctx); return nil })
		g2 := aio.Go(ctx, func(ctx *aio.Context) error { got2, err2 = q.Get(ctx); return nil })
		aio.Sleep(ctx, 0)
		g1.Cancel("")
		aio.Sleep(ctx, 0) // g1 leaves Get
		q.PutNowait(7)
		aio.Gather(ctx, g1, g2)
		if !errors.Is(err1, context.Canceled) || got2 != 7 || err2 != nil {
			t.Errorf("cancelled getter = %v, %v; next getter = %v, %v; want cancellation, then 7", got1, err1, got2, err2)
		}
		return nil
	})
}

// A getter cancelled after an item was handed to it still gets the item.
// CPython: QueueGetTests.test_get_cancelled_race in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueGetterCancelledAfterAnItemWasHandedToItKeepsTheItem(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](0)
		var got int
		var getErr, nextErr error
		getter := aio.Go(ctx, func(ctx *aio.Context) error {
			got, getErr = q.Get(ctx)
			nextErr = aio.Sleep(ctx, 0)
			return nil
		})
		aio.Sleep(ctx, 0)
		q.PutNowait(7)    // handed to the waiting getter
		getter.Cancel("") // before it resumes
		getter.Await(ctx)
		if got != 7 || getErr != nil {
			t.Errorf("Get = %v, %v; want the item handed over, 7", got, getErr)
		}
		if !errors.Is(nextErr, context.Canceled) {
			t.Errorf("next await = %v, want the cancellation", nextErr)
		}
		if !q.Empty() {
			t.Errorf("item left in the queue as well: %v", drainQueue(q))
		}
		return nil
	})
}

// A putter cancelled while waiting inserts nothing.
// CPython: QueuePutTests.test_put_cancelled_race in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_queues.py
func TestQueueCancelledPutInsertsNothing(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[string](1)
		q.PutNowait("a")
		cancelled := aio.Go(ctx, func(ctx *aio.Context) error { return q.Put(ctx, "cancelled") })
		aio.Sleep(ctx, 0)
		cancelled.Cancel("")
		if _, err := cancelled.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Put = %v", err)
		}
		next := aio.Go(ctx, func(ctx *aio.Context) error { return q.Put(ctx, "next") })
		aio.Sleep(ctx, 0)
		q.GetNowait() // frees the slot for the putter still waiting
		if _, err := next.Await(ctx); err != nil {
			t.Errorf("Put = %v", err)
		}
		if got := drainQueue(q); !slices.Equal(got, []string{"next"}) {
			t.Errorf("queue holds %q, want [next]", got)
		}
		return nil
	})
}

func TestQueueServesWaitingGettersFirstComeFirstServed(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](0)
		got := make([]int, 3)
		var getters []*aio.Task[struct{}]
		for i := range got {
			getters = append(getters, aio.Go(ctx, func(ctx *aio.Context) error {
				v, err := q.Get(ctx)
				got[i] = v
				return err
			}))
		}
		aio.Sleep(ctx, 0)
		for i := range 3 {
			q.PutNowait(10 + i)
		}
		if _, err := q.GetNowait(); err != aio.ErrQueueEmpty {
			t.Errorf("a newcomer took an item put for a waiting getter: %v", err)
		}
		if _, err := aio.Gather(ctx, getters...); err != nil {
			return err
		}
		if !slices.Equal(got, []int{10, 11, 12}) {
			t.Errorf("getters received %v, want [10 11 12]", got)
		}
		return nil
	})
}

func TestQueueServesWaitingPuttersFirstComeFirstServed(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](1)
		q.PutNowait(0)
		var putters []*aio.Task[struct{}]
		for i := 1; i <= 3; i++ {
			putters = append(putters, aio.Go(ctx, func(ctx *aio.Context) error { return q.Put(ctx, i) }))
		}
		aio.Sleep(ctx, 0)
		late := aio.Go(ctx, func(ctx *aio.Context) error { return q.Put(ctx, 4) })
		aio.Sleep(ctx, 0) // late queues behind the others
		var got []int
		for range 5 {
			v, err := q.Get(ctx)
			if err != nil {
				return err
			}
			got = append(got, v)
			// The freed slot already belongs to the longest-waiting putter.
			if err := q.PutNowait(99); len(got) < 5 && err != aio.ErrQueueFull {
				t.Errorf("newcomer PutNowait after a Get = %v, want ErrQueueFull", err)
			}
		}
		if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Errorf("items came out as %v, want [0 1 2 3 4]", got)
		}
		_, err := aio.Gather(ctx, append(putters, late)...)
		return err
	})
}
