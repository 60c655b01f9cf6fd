package aio

import (
	"sync"
	"sync/atomic"

	"github.com/asyncgo/aio/internal/ring"
)

// inbox is the loop's thread-safe entry point: callbacks posted from other
// goroutines wait here until the loop drains them into the ready queue.
// Wake-ups are coalesced: only the post that makes the inbox non-empty wakes
// the poller, and only if the loop is blocked in it (or about to be): a
// post from a task or callback, or from a goroutine while the loop runs
// steps, costs no system call. The loop publishes polling before it reads
// pending a last time, and a post publishes pending before it reads
// polling, so one of the two always sees the other.
type inbox struct {
	mu      sync.Mutex  // guards items, spare, scopes and spareSc, and orders posts against Close
	items   []func()    // posted, not yet drained
	spare   []func()    // the previous batch's slice, cleared, for reuse
	scopes  []*Context  // scopes whose CancelFunc ran, to release; under mu
	spareSc []*Context  // the previous batch of scopes, cleared, for reuse
	pending atomic.Bool // items or scopes is non-empty (read without the lock)
	poller  poller      // immutable
	loop    *Loop       // immutable
}

func (in *inbox) post(fn func()) error {
	if fn == nil {
		misuse("Loop.CallSoonThreadsafe", ErrNilFunc, "pass the callback to run")
	}
	if !in.lock() {
		return ErrLoopClosed
	}
	in.items = append(in.items, fn)
	in.mu.Unlock()
	in.signal()
	return nil
}

// lock takes mu unless the loop is closed (then it reports false, not
// holding it).
func (in *inbox) lock() bool {
	in.mu.Lock()
	if in.loop.state.Load() == stateClosed {
		in.mu.Unlock()
		return false
	}
	return true
}

// postRelease posts the loop's side of a scope's CancelFunc (Context.release)
// without allocating a callback for it; drain runs it. Any goroutine.
func (in *inbox) postRelease(c *Context) error {
	if !in.lock() {
		return ErrLoopClosed
	}
	in.scopes = append(in.scopes, c)
	in.mu.Unlock()
	in.signal()
	return nil
}

// signal marks the inbox non-empty and wakes the poller if the loop is
// polling (see the type's doc for why that is enough).
func (in *inbox) signal() {
	if !in.pending.Swap(true) && in.loop.polling.Load() {
		in.poller.wake()
	}
}

// drain moves the posted callbacks to the ready queue; loop goroutine. The
// drained slice is cleared before reuse, so a callback that ran is not kept
// reachable.
func (in *inbox) drain(ready *ring.Ring[readyItem]) {
	if !in.pending.Load() {
		return
	}
	in.mu.Lock()
	items := in.items
	in.items = in.spare[:0]
	scopes := in.scopes
	in.scopes = in.spareSc[:0]
	in.pending.Store(false)
	in.mu.Unlock()
	for _, fn := range items {
		ready.Push(readyItem{fn: fn})
	}
	clear(items)
	in.spare = items
	// Released scopes are handled here, as expired timers are by collect:
	// stopping a timer and aborting a wait only schedule work.
	for _, c := range scopes {
		c.release()
	}
	clear(scopes)
	in.spareSc = scopes
}

// close marks the loop closed under the lock, so that no post succeeds
// after it, and drops what was posted.
func (in *inbox) close() {
	in.mu.Lock()
	in.loop.state.Store(stateClosed)
	clear(in.items)
	in.items = nil
	in.spare = nil
	in.scopes = nil
	in.spareSc = nil
	in.mu.Unlock()
}
