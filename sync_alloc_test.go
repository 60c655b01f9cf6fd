package aio_test

import (
	"testing"

	"github.com/asyncgo/aio"
)

func TestUncontendedLockAcquireAndReleaseDoNotAllocate(t *testing.T) {
	runAllocs(t, func(ctx *aio.Context) error {
		var mu aio.Lock
		checkAllocs(t, 0, "uncontended Acquire+Release", func() {
			if err := mu.Acquire(ctx); err != nil {
				t.Error(err)
			}
			if err := mu.Release(); err != nil {
				t.Error(err)
			}
		})
		return nil
	})
}

func TestUncontendedSemaphoreAcquireAndReleaseDoNotAllocate(t *testing.T) {
	runAllocs(t, func(ctx *aio.Context) error {
		s := aio.NewSemaphore(2)
		b := aio.NewBoundedSemaphore(1)
		checkAllocs(t, 0, "uncontended Acquire+Release", func() {
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
		return nil
	})
}

// Contended hand-offs recycle their wait nodes: after warm-up a Lock passed
// back and forth between two tasks does not allocate either.
func TestContendedLockHandOffDoesNotAllocate(t *testing.T) {
	runAllocs(t, func(ctx *aio.Context) error {
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
		checkAllocs(t, 0, "contended hand-off", func() {
			mu.Release() // to other, which re-queues behind us
			if err := mu.Acquire(ctx); err != nil {
				t.Error(err)
			}
		})
		stop = true
		mu.Release()
		_, err := other.Await(ctx)
		return err
	})
}
