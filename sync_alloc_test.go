package aio_test

import (
	"testing"

	"github.com/asyncgo/aio"
)

func TestUncontendedLockAcquireAndReleaseDoNotAllocate(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		var mu aio.Lock
		allocs := testing.AllocsPerRun(confAllocRuns, func() {
			if err := mu.Acquire(ctx); err != nil {
				t.Error(err)
			}
			if err := mu.Release(); err != nil {
				t.Error(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per uncontended Acquire+Release, want 0", allocs)
		}
		return nil
	}, virtualClock(), aio.WithDebug(false))
	if err != nil {
		t.Fatal(err)
	}
}

func TestUncontendedSemaphoreAcquireAndReleaseDoNotAllocate(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		s := aio.NewSemaphore(2)
		b := aio.NewBoundedSemaphore(1)
		allocs := testing.AllocsPerRun(confAllocRuns, func() {
			if err := s.Acquire(ctx); err != nil {
				t.Error(err)
			}
			s.Release()
			if err := b.Acquire(ctx); err != nil {
				t.Error(err)
			}
			if err := b.Release(); err != nil {
				t.Error(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per uncontended Acquire+Release, want 0", allocs)
		}
		return nil
	}, virtualClock(), aio.WithDebug(false))
	if err != nil {
		t.Fatal(err)
	}
}

// Contended hand-offs recycle their wait nodes: after warm-up a Lock passed
// back and forth between two tasks does not allocate either.
func TestContendedLockHandOffDoesNotAllocate(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		var mu aio.Lock
		mu.Acquire(ctx)
		stop := false
		other := aio.Go(ctx, func(ctx *aio.Context) error {
			for !stop {
				if err := mu.Acquire(ctx); err != nil {
					return err
				}
				if err := mu.Release(); err != nil {
					return err
				}
			}
			return nil
		})
		aio.Sleep(ctx, 0) // other waits for the lock
		allocs := testing.AllocsPerRun(confAllocRuns, func() {
			mu.Release() // to other, which re-queues behind us
			if err := mu.Acquire(ctx); err != nil {
				t.Error(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per contended hand-off, want 0", allocs)
		}
		stop = true
		mu.Release()
		_, err := other.Await(ctx)
		return err
	}, virtualClock(), aio.WithDebug(false))
	if err != nil {
		t.Fatal(err)
	}
}
