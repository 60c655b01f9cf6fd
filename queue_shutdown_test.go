package aio_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestQueueShutdownMakesPutsFailAtOnceAndWakesWaitingPuttersWithTheError(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		for kind, q := range queueKinds(1) {
			q.PutNowait(1)
			putter := aio.Go(ctx, func(ctx *aio.Context) error { return q.Put(ctx, 2) })
			aio.Sleep(ctx, 0)
			if q.IsShutDown() {
				t.Fatalf("%s: IsShutDown before Shutdown", kind)
			}
			q.Shutdown(false)
			if !q.IsShutDown() {
				t.Errorf("%s: IsShutDown = false after Shutdown", kind)
			}
			if _, err := putter.Await(ctx); !errors.Is(err, aio.ErrQueueShutDown) {
				t.Errorf("%s: waiting Put = %v, want ErrQueueShutDown", kind, err)
			}
			if err := q.Put(ctx, 3); !errors.Is(err, aio.ErrQueueShutDown) {
				t.Errorf("%s: Put after Shutdown = %v", kind, err)
			}
			if err := q.PutNowait(3); !errors.Is(err, aio.ErrQueueShutDown) {
				t.Errorf("%s: PutNowait after Shutdown = %v", kind, err)
			}
			if got := drainAny(q); !slices.Equal(got, []int{1}) {
				t.Errorf("%s: queue holds %v, want [1]: the failed puts inserted nothing", kind, got)
			}
		}
		return nil
	})
}

func TestQueueShutdownLetsGetsDrainWhatIsLeftThenFail(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		for kind, q := range queueKinds(0) {
			q.PutNowait(1)
			q.PutNowait(2)
			q.Shutdown(false)
			var got []int
			for range 2 {
				v, err := q.Get(ctx)
				if err != nil {
					t.Fatalf("%s: Get after Shutdown with items left = %v", kind, err)
				}
				got = append(got, v)
			}
			slices.Sort(got)
			if !slices.Equal(got, []int{1, 2}) {
				t.Errorf("%s: drained %v", kind, got)
			}
			if _, err := q.Get(ctx); !errors.Is(err, aio.ErrQueueShutDown) {
				t.Errorf("%s: Get on an empty shut-down queue = %v", kind, err)
			}
			if _, err := q.GetNowait(); !errors.Is(err, aio.ErrQueueShutDown) {
				t.Errorf("%s: GetNowait on an empty shut-down queue = %v", kind, err)
			}
			// Join still counts: two items are unfinished.
			q.TaskDone()
			q.TaskDone()
			if err := q.Join(ctx); err != nil {
				t.Errorf("%s: Join = %v", kind, err)
			}
		}
		return nil
	})
}

func TestQueueShutdownWakesWaitingGettersWithTheError(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		for kind, q := range queueKinds(0) {
			var getters []*aio.Task[int]
			for range 3 {
				getters = append(getters, aio.Spawn(ctx, q.Get))
			}
			aio.Sleep(ctx, time.Second)
			q.Shutdown(false)
			for i, g := range getters {
				if _, err := g.Await(ctx); !errors.Is(err, aio.ErrQueueShutDown) {
					t.Errorf("%s: getter %d = %v, want ErrQueueShutDown", kind, i, err)
				}
			}
		}
		return nil
	})
}

func TestQueueShutdownImmediateDropsTheItemsCountsThemDoneAndReleasesJoin(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		for kind, q := range queueKinds(0) {
			for i := range 5 {
				q.PutNowait(i)
			}
			v, _ := q.Get(ctx) // one item taken, not yet done
			joiner := aio.Go(ctx, q.Join)
			aio.Sleep(ctx, time.Second)
			q.Shutdown(true)
			if !q.Empty() {
				t.Errorf("%s: %d items left after an immediate Shutdown", kind, q.Len())
			}
			aio.Sleep(ctx, time.Second)
			if joiner.Done() {
				t.Fatalf("%s: Join returned while item %d is still being processed", kind, v)
			}
			q.TaskDone()
			if _, err := joiner.Await(ctx); err != nil {
				t.Errorf("%s: Join = %v", kind, err)
			}
			if err := q.TaskDone(); !errors.Is(err, aio.ErrTaskDoneTooMany) {
				t.Errorf("%s: TaskDone beyond the items = %v", kind, err)
			}
			// Immediate Shutdown with nothing in progress releases Join at once.
			q2 := aio.NewQueue[int](0)
			q2.PutNowait(1)
			j2 := aio.Go(ctx, q2.Join)
			aio.Sleep(ctx, 0)
			q2.Shutdown(false) // not immediate: Join still waits
			aio.Sleep(ctx, time.Second)
			if j2.Done() {
				t.Fatal("Join returned after a non-immediate Shutdown")
			}
			q2.Shutdown(true) // a second, immediate call drops what is left
			if _, err := j2.Await(ctx); err != nil {
				t.Errorf("Join after the immediate Shutdown = %v", err)
			}
		}
		return nil
	})
}
