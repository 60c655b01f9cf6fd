package aio

import "github.com/asyncgo/aio/internal/waitq"

// Semaphore is a counter of permits for the tasks of one loop
// (asyncio.Semaphore): Acquire takes a permit, waiting while there is none;
// Release gives one back.
//
// Waiters are served first come, first served: a Release while tasks wait
// hands the permit directly to the longest-waiting task (the value stays
// 0), so no task can barge past a waiter, and TryAcquire fails while anyone
// waits. A task that was handed a permit keeps it even if it is cancelled
// before it runs: Acquire returns nil and the task must Release as usual. A
// wait cancelled before the hand-off takes nothing, so no permit is lost.
//
// An uncontended Acquire or Release does not yield and does not allocate.
//
// The zero Semaphore has no permits: Acquire waits until a Release (it is
// NewSemaphore(0); asyncio's default of 1 is NewSemaphore(1)). A Semaphore
// is bound to the loop of the first task that waits in it and must only be
// used from the tasks and callbacks of that loop, on the loop goroutine;
// awaiting it from a task of another loop panics with ErrWrongLoop.
type Semaphore struct {
	value   int
	waiters waitq.Queue[swaiter]
	b       loopBinding
}

// NewSemaphore returns a semaphore holding value permits. A negative value
// panics with a *MisuseError wrapping ErrInvalidArgument.
func NewSemaphore(value int) *Semaphore {
	if value < 0 {
		misuse("aio.NewSemaphore", ErrInvalidArgument, "a Semaphore's initial value must be ≥ 0")
	}
	return &Semaphore{value: value}
}

// Acquire takes a permit, waiting while there is none; ctx must be the
// Context (or a scope) of the running task. It returns at once, without
// yielding, when a permit is free (and then nobody waits). On cancellation
// of ctx it returns the cancellation error without a permit, unless one was
// already handed to the task (then it returns nil: see Semaphore).
func (s *Semaphore) Acquire(ctx *Context) error {
	t := s.b.enter("Semaphore.Acquire", "Semaphore", ctx, s.value == 0)
	if s.value > 0 {
		// Invariant: tasks wait only while the value is 0.
		s.value--
		return nil
	}
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	_, err := waitOn(ctx, t, &s.waiters)
	return err
}

// TryAcquire takes a permit if one is free and reports whether it did; it
// never waits. Loop goroutine only.
func (s *Semaphore) TryAcquire() bool {
	s.b.check("Semaphore.TryAcquire")
	if s.value == 0 {
		return false
	}
	s.value--
	return true
}

// Release gives a permit back: to the longest-waiting task if any, else to
// the semaphore (the value grows, without bound: see BoundedSemaphore). It
// never yields. Loop goroutine only.
func (s *Semaphore) Release() {
	s.b.check("Semaphore.Release")
	s.release()
}

func (s *Semaphore) release() {
	if !wakeFirst(&s.waiters) {
		s.value++
	}
}

// Locked reports whether Acquire would wait (no permit is free). Loop
// goroutine only.
func (s *Semaphore) Locked() bool { return s.value == 0 }

// Value returns the number of free permits. Loop goroutine only.
func (s *Semaphore) Value() int { return s.value }

// BoundedSemaphore is a Semaphore whose value may not exceed its initial
// value (asyncio.BoundedSemaphore): a Release that would raise it above
// returns ErrSemaphoreOverReleased, which catches a release of a permit
// that was never acquired.
//
// The zero BoundedSemaphore has no permits and a bound of 0, so every
// Release fails: create it with NewBoundedSemaphore. The goroutine and loop
// contract is Semaphore's.
type BoundedSemaphore struct {
	Semaphore
	bound int
}

// NewBoundedSemaphore returns a bounded semaphore holding value permits,
// which is also its bound. A negative value panics with a *MisuseError
// wrapping ErrInvalidArgument.
func NewBoundedSemaphore(value int) *BoundedSemaphore {
	if value < 0 {
		misuse("aio.NewBoundedSemaphore", ErrInvalidArgument, "a BoundedSemaphore's initial value must be ≥ 0")
	}
	return &BoundedSemaphore{Semaphore: Semaphore{value: value}, bound: value}
}

// Release gives a permit back, as Semaphore.Release, or returns
// ErrSemaphoreOverReleased (and changes nothing) if every permit is already
// free. Loop goroutine only.
func (s *BoundedSemaphore) Release() error {
	s.b.check("BoundedSemaphore.Release")
	if s.value >= s.bound {
		return ErrSemaphoreOverReleased
	}
	s.release()
	return nil
}
