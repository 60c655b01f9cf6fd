//go:build !linux

package reactor

import (
	"sync/atomic"
	"time"
)

// Reactor is the portable fallback: it sleeps and wakes like the loop's
// channel poller, and cannot watch file descriptors (Register returns
// ErrUnsupported). It is not safe for concurrent use: every method except
// Wake belongs to the loop goroutine.
type Reactor struct {
	core

	w      chanWaiter
	closed atomic.Bool
}

// New creates a fallback reactor. Loop goroutine.
func New() (*Reactor, error) {
	return &Reactor{w: newChanWaiter()}, nil
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
	r.w.wait(timeout)
	return 0, nil
}

// Wake makes a Wait in progress return, or else the next one; wakes
// coalesce in a one-slot channel. Any goroutine; ErrClosed after Close.
func (r *Reactor) Wake() error {
	if r.closed.Load() {
		return ErrClosed
	}
	r.w.wake()
	return nil
}

// Close stops the timer. Wait and Register return ErrClosed afterwards.
// Loop goroutine; a second Close returns ErrClosed.
func (r *Reactor) Close() error {
	if r.closed.Swap(true) {
		return ErrClosed
	}
	r.w.stop()
	return nil
}
