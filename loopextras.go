package aio

import "sync"

// loopExtras is the per-loop state of the features built on the public
// API (the ToThread worker pool, Submit's pending submissions, signal
// handlers), kept in Loop.extras. Its own mutex guards it, because Submit
// and ToThread reach it from any goroutine; Loop.Close shuts it down
// (closeExtras) after the loop stopped accepting posts.
type loopExtras struct {
	mu      sync.Mutex             // guards the fields below
	closed  bool                   // shut down by Close; nothing is created after it
	pool    *threadPool            // created by the first ToThread
	pending map[abandoner]struct{} // Submit's submissions not finished yet
	sig     *signalState           // loop goroutine only
}

// abandoner is a pending Submit: finished with ErrLoopClosed (or its task's
// result) when the loop closes before it reported back.
type abandoner interface{ abandon() }

// extrasOf returns l's extras, or nil once l is closed. Callers check
// closed under the extras' lock before creating anything, so nothing
// created concurrently with Close escapes its shutdown. Any goroutine.
func extrasOf(l *Loop) *loopExtras {
	if l.IsClosed() {
		return nil
	}
	return &l.extras
}

// closeExtras is the hook Loop.Close calls once the loop accepts no more
// CallSoonThreadsafe posts: the worker pool stops (idle workers exit at
// once, busy ones when their function returns), submissions that did not
// report back finish, and signal handlers are removed. Loop goroutine.
func (l *Loop) closeExtras() { l.extras.shutdown() }

// shutdown closes the extras, on the loop goroutine (from Close), where
// pending submissions may read their task.
func (e *loopExtras) shutdown() {
	e.mu.Lock()
	e.closed = true
	pool := e.pool
	pending := e.pending
	e.pending = nil
	sig := e.sig
	e.sig = nil
	e.mu.Unlock()
	if pool != nil {
		pool.close()
	}
	for s := range pending {
		s.abandon()
	}
	if sig != nil {
		sig.stop()
	}
}

// threadPoolOf returns the loop's worker pool, creating it on first use, or
// nil if the loop is closed.
func threadPoolOf(l *Loop) *threadPool {
	e := extrasOf(l)
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	if e.pool == nil {
		e.pool = newThreadPool(l.cfg.threadLimitOrDefault(), l.cfg.threadIdleOrDefault())
	}
	return e.pool
}

// addPending registers a submission; false if the loop is closed.
func (e *loopExtras) addPending(s abandoner) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	if e.pending == nil {
		e.pending = map[abandoner]struct{}{}
	}
	e.pending[s] = struct{}{}
	return true
}

func (e *loopExtras) removePending(s abandoner) {
	e.mu.Lock()
	delete(e.pending, s)
	e.mu.Unlock()
}
