package aio

import (
	"context"
	"sync"
)

// Submission is the handle of a coroutine submitted to a loop from another
// goroutine with Submit (the concurrent.futures.Future that
// asyncio.run_coroutine_threadsafe returns). All its methods are safe from
// any goroutine.
type Submission[T any] struct {
	loop *Loop
	ext  *loopExtras
	done chan struct{}

	mu        sync.Mutex
	task      *Task[T] // set on the loop goroutine when the task is spawned
	cancelled bool     // Cancel before the task was spawned
	cancelMsg string
	finished  bool
	val       T
	err       error
}

// Submit schedules fn to run as a task on l and returns a handle to wait
// for its result (asyncio.run_coroutine_threadsafe). It is safe to call from
// any goroutine, including l's own tasks: the task is spawned by a callback
// posted with CallSoonThreadsafe, so it starts once l runs. On a closed loop
// Submit returns ErrLoopClosed at once. A nil l or fn panics.
//
// If l closes before the task reported back, the handle finishes with the
// task's result if it has one, ErrLoopClosed otherwise, so Wait never hangs
// on a closed loop.
func Submit[T any](l *Loop, fn func(*Context) (T, error)) (*Submission[T], error) {
	if l == nil {
		panic("aio: Submit to a nil *Loop")
	}
	if fn == nil {
		panic("aio: Submit with a nil function")
	}
	e := extrasOf(l)
	if e == nil {
		return nil, ErrLoopClosed
	}
	s := &Submission[T]{loop: l, ext: e, done: make(chan struct{})}
	if !e.addPending(s) {
		return nil, ErrLoopClosed
	}
	if err := l.CallSoonThreadsafe(func() { s.start(fn) }); err != nil {
		e.removePending(s)
		return nil, err
	}
	return s, nil
}

// start spawns the task; loop goroutine.
func (s *Submission[T]) start(fn func(*Context) (T, error)) {
	s.mu.Lock()
	if s.cancelled {
		msg := s.cancelMsg
		s.mu.Unlock()
		var zero T
		s.finish(zero, &CancelledError{Message: msg})
		return
	}
	t := Spawn(s.loop, fn)
	s.task = t
	s.mu.Unlock()
	t.AddDoneCallback(func() { s.finish(t.Result()) })
}

// abandon finishes a submission the closing loop did not report; loop
// goroutine, from Loop.Close.
func (s *Submission[T]) abandon() {
	s.mu.Lock()
	t := s.task
	s.mu.Unlock()
	if t != nil && t.Done() {
		s.finish(t.Result())
		return
	}
	var zero T
	s.finish(zero, ErrLoopClosed)
}

func (s *Submission[T]) finish(v T, err error) {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return
	}
	s.finished = true
	s.val, s.err = v, err
	s.mu.Unlock()
	close(s.done)
	s.ext.removePending(s)
}

// Wait blocks the calling goroutine until the task is done and returns its
// value and error (a panic in the task is a *PanicError, a cancelled task
// returns its *CancelledError). If ctx is done first, Wait returns
// ctx.Err() and the task goes on (call Cancel to stop it). Wait may be
// called any number of times, from any goroutine, and returns the same
// result each time. Never call it from the loop's own goroutine: it blocks
// that goroutine, so the task could never run (await a Future or use Done
// there instead).
func (s *Submission[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-s.done:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.val, s.err
}

// Done returns a channel that is closed when the result is available to
// Wait. Any goroutine.
func (s *Submission[T]) Done() <-chan struct{} { return s.done }

// Cancel requests cancellation of the task, with an optional message as
// Task.Cancel: a task that has not started never runs, a running one sees
// its Context cancelled at its next await. It returns false if the result
// is already available (or the loop is closed) and true otherwise; the
// task may still finish with a value if it returns one despite the
// cancellation. Calling it again only repeats the request. Any goroutine.
func (s *Submission[T]) Cancel(msg ...string) bool {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return false
	}
	t := s.task
	if t == nil {
		if !s.cancelled {
			s.cancelled = true
			s.cancelMsg = joinMsg(msg)
		}
		s.mu.Unlock()
		return true
	}
	s.mu.Unlock()
	return s.loop.CallSoonThreadsafe(func() { t.Cancel(msg...) }) == nil
}
