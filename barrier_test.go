package aio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// barrierRound starts n tasks that wait in b and returns their tasks and
// indices (filled in when they return).
func barrierRound(ctx *aio.Context, b *aio.Barrier, n int) ([]*aio.Task[int], []int) {
	idx := make([]int, n)
	tasks := make([]*aio.Task[int], n)
	for i := range n {
		tasks[i] = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			v, err := b.Wait(ctx)
			idx[i] = v
			return v, err
		})
	}
	return tasks, idx
}

func TestBarrierWaitReturnsDistinctIndicesInArrivalOrderWhenAllPartiesArrive(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		b := aio.NewBarrier(3)
		tasks, idx := barrierRound(ctx, b, 2)
		aio.Sleep(ctx, time.Second)
		if b.NWaiting() != 2 || tasks[0].Done() {
			t.Fatalf("NWaiting %d with two parties of three waiting", b.NWaiting())
		}
		yielded := yieldProbe(ctx)
		last, err := b.Wait(ctx)
		if err != nil || last != 2 || yielded() {
			t.Errorf("the last party's Wait = %d, %v (yielded %v); want 2 without yielding", last, err, yielded())
		}
		if _, err := aio.Gather(ctx, tasks...); err != nil {
			return err
		}
		if !slices.Equal(idx, []int{0, 1}) || b.NWaiting() != 0 || b.Parties() != 3 || b.Broken() {
			t.Errorf("indices %v, NWaiting %d", idx, b.NWaiting())
		}
		return nil
	})
}

func TestBarrierIsReusableAcrossRounds(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		b := aio.NewBarrier(4)
		counts := make([]int, 4)
		var tasks []*aio.Task[struct{}]
		for i := range 4 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				for range 5 {
					aio.Sleep(ctx, time.Duration(i+1)*time.Second)
					v, err := b.Wait(ctx)
					if err != nil {
						return err
					}
					counts[v]++
				}
				return nil
			}))
		}
		if _, err := aio.Gather(ctx, tasks...); err != nil {
			return err
		}
		if !slices.Equal(counts, []int{5, 5, 5, 5}) {
			t.Errorf("index counts over 5 rounds = %v, want each index 5 times", counts)
		}
		if one := aio.NewBarrier(1); true {
			if v, err := one.Wait(ctx); v != 0 || err != nil {
				t.Errorf("Barrier(1).Wait = %d, %v", v, err)
			}
		}
		return nil
	})
}

func TestBarrierCancelledWaiterLeavesTheRoundAndTheBarrierStaysUsable(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		b := aio.NewBarrier(3)
		tasks, idx := barrierRound(ctx, b, 2)
		aio.Sleep(ctx, 0)
		tasks[0].Cancel("")
		if _, err := tasks[0].Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Wait = %v", err)
		}
		if b.NWaiting() != 1 || b.Broken() {
			t.Fatalf("NWaiting %d, broken %v after a cancellation; want 1, false", b.NWaiting(), b.Broken())
		}
		more, idx2 := barrierRound(ctx, b, 1)
		aio.Sleep(ctx, 0)
		last, err := b.Wait(ctx)
		if err != nil {
			return err
		}
		if _, err := aio.Gather(ctx, tasks[1], more[0]); err != nil {
			return err
		}
		if got := []int{idx[1], idx2[0], last}; !slices.Equal(got, []int{0, 1, 2}) {
			t.Errorf("indices %v, want [0 1 2] (distinct, in arrival order)", got)
		}
		return nil
	})
}

func TestBarrierWaiterCancelledAfterTheTripKeepsItsIndex(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		b := aio.NewBarrier(2)
		tasks, _ := barrierRound(ctx, b, 1)
		aio.Sleep(ctx, 0)
		if _, err := b.Wait(ctx); err != nil {
			return err
		}
		tasks[0].Cancel("")
		if v, err := tasks[0].Await(ctx); v != 0 || err != nil || b.Broken() {
			t.Errorf("Wait = %d, %v, broken %v; want 0, nil, false", v, err, b.Broken())
		}
		return nil
	})
}

func TestBarrierAbortBreaksItForWaitersAndNewcomersUntilReset(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		b := aio.NewBarrier(3)
		tasks, _ := barrierRound(ctx, b, 2)
		aio.Sleep(ctx, 0)
		b.Abort()
		for i, tk := range tasks {
			if _, err := tk.Await(ctx); !errors.Is(err, aio.ErrBrokenBarrier) {
				t.Errorf("waiter %d: %v, want ErrBrokenBarrier", i, err)
			}
		}
		if _, err := b.Wait(ctx); !errors.Is(err, aio.ErrBrokenBarrier) || !b.Broken() {
			t.Errorf("Wait on a broken barrier = %v", err)
		}
		b.Reset()
		if b.Broken() {
			t.Error("Reset left the barrier broken")
		}
		tasks, _ = barrierRound(ctx, b, 2)
		if _, err := b.Wait(ctx); err != nil {
			return err
		}
		_, err := aio.Gather(ctx, tasks...)
		return err
	})
}

func TestBarrierResetEndsTheRoundWithErrBrokenBarrierAndStartsAFreshOne(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		b := aio.NewBarrier(2)
		tasks, _ := barrierRound(ctx, b, 1)
		aio.Sleep(ctx, 0)
		b.Reset()
		if _, err := tasks[0].Await(ctx); !errors.Is(err, aio.ErrBrokenBarrier) {
			t.Errorf("waiter across a Reset = %v, want ErrBrokenBarrier", err)
		}
		if b.Broken() || b.NWaiting() != 0 {
			t.Errorf("after Reset: broken %v, NWaiting %d", b.Broken(), b.NWaiting())
		}
		tasks, _ = barrierRound(ctx, b, 1)
		aio.Sleep(ctx, 0)
		if v, err := b.Wait(ctx); v != 1 || err != nil {
			t.Errorf("Wait after Reset = %d, %v", v, err)
		}
		_, err := aio.Gather(ctx, tasks...)
		return err
	})
}
