package aio_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// blockLoopFor holds the loop (a plain blocking call in a callback) for d of
// virtual time: the clock moves on while nothing else runs.
func blockLoopFor(ctx *aio.Context, clk *aio.VirtualClock, d time.Duration) {
	ctx.Loop().CallSoon(func() { clk.Advance(d) })
}

// A result that arrived before the deadline is never thrown away, even when
// the loop was busy past the deadline (asyncio queues the timeout behind
// what is already ready).
func TestAResultThatArrivedBeforeTheDeadlineIsNotLost(t *testing.T) {
	for _, name := range []string{"WaitFor", "Await in WithTimeout"} {
		t.Run(name, func(t *testing.T) {
			clk := aio.NewVirtualClock(time.Time{})
			err := aio.Run(func(ctx *aio.Context) error {
				f := aio.NewFuture[int](ctx)
				ctx.Loop().CallLater(5*time.Millisecond, func() {
					f.SetResult(42)
					clk.Advance(10 * time.Millisecond) // busy until 15 ms
				})
				var v int
				var err error
				if name == "WaitFor" {
					v, err = aio.WaitFor(ctx, f, 10*time.Millisecond)
				} else {
					scope, cancel := aio.WithTimeout(ctx, 10*time.Millisecond)
					v, err = f.Await(scope)
					cancel()
				}
				if v != 42 || err != nil {
					t.Errorf("got %v, %v; want 42 (f.Result() is 42)", v, err)
				}
				return nil
			}, aio.WithClock(clk))
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The common "get with timeout", WaitFor(ctx, Spawn(ctx, q.Get), d), never
// consumes an item and drops it, under a storm of timeouts and
// cancellations racing with puts.
func TestGetWithTimeoutNeverLosesAnItem(t *testing.T) {
	const items = 20000
	clk := aio.NewVirtualClock(time.Time{})
	rng := rand.New(rand.NewPCG(1, 2))
	got := make([]int, items)
	timeouts := 0
	err := aio.Run(func(ctx *aio.Context) error {
		// A lost item would leave a consumer waiting for its end marker
		// forever: bound the run in virtual time so that the count below
		// reports it instead.
		ctx, cancel := aio.WithTimeout(ctx, time.Hour)
		defer cancel()
		q := aio.NewQueue[int](4)
		producers := aio.Go(ctx, func(ctx *aio.Context) error {
			for i := range items {
				if err := q.Put(ctx, i); err != nil {
					return err
				}
				if rng.IntN(3) == 0 {
					if err := aio.Sleep(ctx, time.Duration(rng.IntN(3))*time.Millisecond); err != nil {
						return err
					}
				}
			}
			return nil
		})
		var consumers []*aio.Task[struct{}]
		for range 8 {
			consumers = append(consumers, aio.Go(ctx, func(ctx *aio.Context) error {
				for {
					getter := aio.Spawn(ctx, q.Get)
					if rng.IntN(10) == 0 {
						blockLoopFor(ctx, clk, time.Duration(rng.IntN(3))*time.Millisecond)
					}
					v, err := aio.WaitFor(ctx, getter, time.Duration(rng.IntN(3))*time.Millisecond)
					if err != nil {
						if errors.Is(err, aio.ErrQueueEmpty) {
							return nil
						}
						if ctxErr := ctx.Err(); ctxErr != nil {
							return nil
						}
						timeouts++
						continue
					}
					if v < 0 {
						return nil
					}
					got[v]++
				}
			}))
		}
		if _, err := producers.Await(ctx); err != nil {
			return err
		}
		for range consumers {
			q.Put(ctx, -1)
		}
		aio.GatherSettled(aio.WithoutCancel(ctx), consumers...)
		return nil
	}, aio.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range got {
		if n != 1 {
			t.Fatalf("item %d was received %d times (%d timeouts)", i, n, timeouts)
		}
	}
	if timeouts < 100 {
		t.Fatalf("only %d timeouts: the storm did not exercise the race", timeouts)
	}
}
