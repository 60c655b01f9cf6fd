package aio

import (
	"sync"
	"sync/atomic"
	"time"
)

// inbox is the loop's thread-safe entry point: callbacks posted from other
// goroutines wait here until the loop drains them into the ready queue.
// Wake-ups are coalesced: only the post that makes the inbox non-empty wakes
// the poller.
type inbox struct {
	mu      sync.Mutex
	items   []func()
	spare   []func()
	closed  bool
	pending atomic.Bool
	poller  poller
}

func (in *inbox) post(fn func()) error {
	in.mu.Lock()
	if in.closed {
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

// drain moves the posted callbacks out; called on the loop goroutine.
func (in *inbox) drain() []func() {
	if !in.pending.Load() {
		return nil
	}
	in.mu.Lock()
	items := in.items
	in.items = in.spare[:0]
	in.pending.Store(false)
	in.mu.Unlock()
	in.spare = items
	return items
}

func (in *inbox) close() {
	in.mu.Lock()
	in.closed = true
	in.items = nil
	in.mu.Unlock()
}

// poller is the seam where the loop blocks between iterations. The core
// poller only sleeps and wakes; the I/O reactor (epoll) replaces it.
type poller interface {
	// wait blocks until wake is called or timeout passes (timeout < 0:
	// no timeout). Called on the loop goroutine.
	wait(timeout time.Duration)
	// wake makes a current or the next wait return. Any goroutine.
	wake()
}

// chanPoller is the portable poller: a one-slot channel and a reusable timer.
type chanPoller struct {
	ch    chan struct{}
	timer *time.Timer
}

func newChanPoller() *chanPoller {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &chanPoller{ch: make(chan struct{}, 1), timer: t}
}

func (p *chanPoller) wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

func (p *chanPoller) wait(timeout time.Duration) {
	if timeout < 0 {
		<-p.ch
		return
	}
	p.timer.Reset(timeout)
	select {
	case <-p.ch:
	case <-p.timer.C:
	}
	p.timer.Stop()
}
