package aio_test

import (
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

const confAllocRuns = 100

// Awaiting allocates nothing: each round parks on a pending future that
// another task resolves, and the park, the wake-up and the resumption must
// not allocate.
func TestAwaitingAPendingFutureDoesNotAllocate(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		// AllocsPerRun calls the function once more to warm up.
		futs := make([]*aio.Future[int], confAllocRuns+1)
		for i := range futs {
			futs[i] = aio.NewFuture[int](ctx)
		}
		resolver := aio.Go(ctx, func(ctx *aio.Context) error {
			for _, f := range futs {
				f.SetResult(1)
				if err := aio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			return nil
		})
		i, alreadyDone := 0, 0
		allocs := testing.AllocsPerRun(confAllocRuns, func() {
			f := futs[i]
			i++
			if f.Done() {
				alreadyDone++
			}
			if v, err := f.Await(ctx); v != 1 || err != nil {
				t.Errorf("Await = %d, %v", v, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per Await of a pending future, want 0", allocs)
		}
		if alreadyDone != 0 {
			t.Errorf("%d of the futures were done before Await: the measure missed the pending path", alreadyDone)
		}
		_, err := resolver.Await(ctx)
		return err
	}, virtualClock(), aio.WithDebug(false)) // debug mode trades allocations for its checks
	if err != nil {
		t.Fatal(err)
	}
}

func TestSleepZeroDoesNotAllocate(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		allocs := testing.AllocsPerRun(confAllocRuns, func() {
			if err := aio.Sleep(ctx, 0); err != nil {
				t.Error(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per Sleep(ctx, 0), want 0", allocs)
		}
		return nil
	}, virtualClock(), aio.WithDebug(false))
	if err != nil {
		t.Fatal(err)
	}
}

// A scope with a CancelFunc costs two allocations, whether it has a
// deadline or not: the scope (with the state its CancelFunc publishes and
// its timer) and the CancelFunc. Cancelling allocates nothing more.
func TestAScopeCostsTwoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	err := aio.Run(func(ctx *aio.Context) error {
		for name, open := range map[string]func() aio.CancelFunc{
			"WithCancel":  func() aio.CancelFunc { _, c := aio.WithCancel(ctx); return c },
			"WithTimeout": func() aio.CancelFunc { _, c := aio.WithTimeout(ctx, time.Minute); return c },
		} {
			allocs := testing.AllocsPerRun(confAllocRuns, func() {
				open()()
			})
			aio.Sleep(ctx, 0) // run the posted releases
			if allocs > 2 {
				t.Errorf("%s and its cancellation: %v allocations, want 2", name, allocs)
			}
		}
		return nil
	}, aio.WithDebug(false)) // debug mode trades allocations for its checks
	if err != nil {
		t.Fatal(err)
	}
}
