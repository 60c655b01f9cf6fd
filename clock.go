package aio

import "time"

// Clock is the loop's time source. Now returns a monotonic reading; the loop
// measures all deadlines against it, so tests can substitute a virtual clock
// (see WithClock). Methods are called from the loop goroutine only.
type Clock interface {
	Now() time.Time
}

// advancer is implemented by virtual clocks: when the loop would sleep for d
// with nothing else to do, it calls Advance(d) instead of sleeping.
type advancer interface {
	Advance(d time.Duration)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// VirtualClock is a Clock that only moves when the loop has nothing to run
// but timers: then it jumps straight to the next deadline (Trio's autojump,
// Tokio's paused time). A program that sleeps for an hour finishes at once,
// with the same output and order as in real time. Use it with WithClock in
// tests. A VirtualClock must serve one loop.
type VirtualClock struct {
	now time.Time
}

// NewVirtualClock returns a virtual clock starting at start (the zero Time
// if start is zero... any instant works; only differences matter).
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time { return c.now }

// Advance moves the virtual time forward by d (ignored if d ≤ 0).
func (c *VirtualClock) Advance(d time.Duration) {
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
