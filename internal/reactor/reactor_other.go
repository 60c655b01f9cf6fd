//go:build !linux

package reactor

import (
	"sync"
	"sync/atomic"
	"time"
)

// Reactor is the portable fallback: it sleeps and wakes like the loop's
// channel poller, and cannot watch file descriptors (Register returns
// ErrUnsupported). It is not safe for concurrent use: every method except
// Wake belongs to the loop goroutine.
type Reactor struct {
	core

	wake    chan struct{} // one slot: a pending wake
	timer   *time.Timer
	closed  atomic.Bool
	closeMu sync.Mutex
}

// New creates a fallback reactor. Loop goroutine.
func New() (*Reactor, error) {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &Reactor{wake: make(chan struct{}, 1), timer: t}, nil
}

// Register returns ErrUnsupported: this platform has no reactor. Loop
// goroutine.
func (r *Reactor) Register(d *Desc, fd int) error {
	if r.closed.Load() {
		return ErrClosed
	}
	return ErrUnsupported
}

// Deregister returns ErrNotRegistered, as nothing can be registered. Loop
// goroutine.
func (r *Reactor) Deregister(d *Desc) error { return r.deregister(d) }

// Wait blocks until Wake is called or timeout passes (negative: no
// timeout; zero: poll) and always returns 0 Descs. Loop goroutine.
func (r *Reactor) Wait(timeout time.Duration) (int, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	r.begin()
	switch {
	case timeout < 0:
		<-r.wake
	case timeout == 0:
		select {
		case <-r.wake:
		default:
		}
	default:
		r.timer.Reset(timeout)
		select {
		case <-r.wake:
		case <-r.timer.C:
		}
		r.timer.Stop()
	}
	return 0, nil
}

// Wake makes a Wait in progress return, or else the next one; wakes
// coalesce in a one-slot channel. Any goroutine; ErrClosed after Close.
func (r *Reactor) Wake() error {
	if r.closed.Load() {
		return ErrClosed
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

// Close stops the timer. Wait and Register return ErrClosed afterwards.
// Loop goroutine; a second Close returns ErrClosed.
func (r *Reactor) Close() error {
	r.closeMu.Lock()
	defer r.closeMu.Unlock()
	if r.closed.Swap(true) {
		return ErrClosed
	}
	r.timer.Stop()
	return nil
}
