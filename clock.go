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
// tests. A VirtualClock must serve one loop, and is read and advanced on
// that loop's goroutine only.
//
// Virtual time does not wait for other goroutines: when every task waits
// and a timer is pending, time jumps even if a goroutine (ToThread work, a
// goroutine that will call CallSoonThreadsafe) is still busy. Tests that mix
// virtual time with real work in other goroutines should not put timeouts
// around that work.
type VirtualClock struct {
	now time.Time
}

// NewVirtualClock returns a virtual clock reading start (any instant works,
// the zero Time included: only differences matter).
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the virtual time. Loop goroutine only.
func (c *VirtualClock) Now() time.Time { return c.now }

// Advance moves the virtual time forward by d (ignored if d ≤ 0). Timers
// that become due fire in the loop's next iteration. The loop calls it when
// it is idle; tests may call it from a task or callback too.
func (c *VirtualClock) Advance(d time.Duration) {
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
