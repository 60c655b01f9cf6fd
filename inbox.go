package aio

import (
	"sync"
	"sync/atomic"

	"github.com/asyncgo/aio/internal/ring"
)

// inbox is the loop's thread-safe entry point: callbacks posted from other
// goroutines wait here until the loop drains them into the ready queue.
// Wake-ups are coalesced: only the post that makes the inbox non-empty wakes
// the poller.
type inbox struct {
	mu      sync.Mutex  // guards items and spare, and orders posts against Close
	items   []func()    // posted, not yet drained
	spare   []func()    // the previous batch's slice, cleared, for reuse
	pending atomic.Bool // items is non-empty (read without the lock)
	poller  poller      // immutable
	loop    *Loop       // immutable
}

func (in *inbox) post(fn func()) error {
	if fn == nil {
		misuse("Loop.CallSoonThreadsafe", ErrNilFunc, "pass the callback to run")
	}
	in.mu.Lock()
	if in.loop.state.Load() == stateClosed {
		in.mu.Unlock()
		return ErrLoopClosed
	}
	in.items = append(in.items, fn)
	in.mu.Unlock()
	if !in.pending.Swap(true) {
		in.poller.wake()
	}
	return nil
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
	in.pending.Store(false)
	in.mu.Unlock()
	for _, fn := range items {
		ready.Push(readyItem{fn: fn})
	}
	clear(items)
	in.spare = items
}

// close marks the loop closed under the lock, so that no post succeeds
// after it, and drops what was posted.
func (in *inbox) close() {
	in.mu.Lock()
	in.loop.state.Store(stateClosed)
	clear(in.items)
	in.items = nil
	in.spare = nil
	in.mu.Unlock()
}
