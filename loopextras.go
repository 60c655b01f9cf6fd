package aio

import (
	"runtime"
	"sync"
	"weak"
)

// loopExtras is the per-loop state of the features built on the public
// API (the ToThread worker pool, Submit's pending submissions, signal
// handlers). It lives outside Loop, in a registry keyed by a weak pointer
// to the loop, so that these features stay decoupled from the loop core:
// the core only calls closeExtras from Loop.Close.
type loopExtras struct {
	mu      sync.Mutex
	closed  bool
	pool    *threadPool
	pending map[abandoner]struct{} // Submit's submissions not finished yet
	sig     *signalState           // loop goroutine only
}

// abandoner is a pending Submit: finished with ErrLoopClosed (or its task's
// result) when the loop closes before it reported back.
type abandoner interface{ abandon() }

var (
	extrasMu  sync.Mutex
	extrasReg = map[weak.Pointer[Loop]]*loopExtras{}
)

// extrasOf returns l's extras, creating them on first use, or nil once l is
// closed. Any goroutine.
func extrasOf(l *Loop) *loopExtras {
	k := weak.Make(l)
	extrasMu.Lock()
	defer extrasMu.Unlock()
	if e := extrasReg[k]; e != nil {
		return e
	}
	// Close marks the loop closed before it calls closeExtras, which takes
	// extrasMu: extras created after that check would never be closed.
	if l.IsClosed() {
		return nil
	}
	e := &loopExtras{}
	extrasReg[k] = e
	// A loop dropped without Close: release the idle workers anyway.
	runtime.AddCleanup(l, func(k weak.Pointer[Loop]) {
		extrasMu.Lock()
		e := extrasReg[k]
		delete(extrasReg, k)
		extrasMu.Unlock()
		if e != nil {
			e.shutdown(false)
		}
	}, k)
	return e
}

// closeExtras is the hook Loop.Close calls once the loop accepts no more
// CallSoonThreadsafe posts: the worker pool stops (idle workers exit at
// once, busy ones when their function returns), submissions that did not
// report back finish, and signal handlers are removed. Loop goroutine.
func (l *Loop) closeExtras() {
	k := weak.Make(l)
	extrasMu.Lock()
	e := extrasReg[k]
	delete(extrasReg, k)
	extrasMu.Unlock()
	if e != nil {
		e.shutdown(true)
	}
}

// shutdown closes the extras; onLoop is true when called on the loop
// goroutine (from Close), where pending submissions may read their task.
func (e *loopExtras) shutdown(onLoop bool) {
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
	if onLoop {
		for s := range pending {
			s.abandon()
		}
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
