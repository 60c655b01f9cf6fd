package aio_test

import (
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

const confAllocRuns = 100

// runAllocs runs body as the main task of a loop on the virtual clock with
// debug mode off (debug mode trades allocations for its checks).
func runAllocs(t *testing.T, body func(ctx *aio.Context) error) {
	t.Helper()
	if err := aio.Run(body, virtualClock(), aio.WithDebug(false)); err != nil {
		t.Fatal(err)
	}
}

// checkAllocs measures fn's allocations per call and reports more than
// want.
func checkAllocs(t *testing.T, want float64, what string, fn func()) {
	t.Helper()
	if allocs := testing.AllocsPerRun(confAllocRuns, fn); allocs > want {
		t.Errorf("%v allocations per %s, want %v", allocs, what, want)
	}
}

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
	runAllocs(t, func(ctx *aio.Context) error {
		checkAllocs(t, 0, "Sleep(ctx, 0)", func() {
			if err := aio.Sleep(ctx, 0); err != nil {
				t.Error(err)
			}
		})
		return nil
	})
}

// A scope with a CancelFunc costs two allocations, whether it has a
// deadline or not: the scope (with the state its CancelFunc publishes and
// its timer) and the CancelFunc. Cancelling allocates nothing more.
func TestAScopeCostsTwoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	runAllocs(t, func(ctx *aio.Context) error {
		for name, open := range map[string]func() aio.CancelFunc{
			"WithCancel":  func() aio.CancelFunc { _, c := aio.WithCancel(ctx); return c },
			"WithTimeout": func() aio.CancelFunc { _, c := aio.WithTimeout(ctx, time.Minute); return c },
		} {
			checkAllocs(t, 2, name+" and its cancellation", func() { open()() })
			aio.Sleep(ctx, 0) // run the posted releases
		}
		return nil
	})
}
