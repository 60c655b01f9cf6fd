// Package coro provides the stackful coroutines aio's tasks run on: one
// goroutine each, switched with iter.Pull (a direct goroutine switch, no
// scheduler round trip). A Coro runs one Job after another, so an idle Coro
// can be pooled and reused; creating one costs a goroutine, reusing one costs
// nothing.
//
// Only one goroutine at a time may call Start or Resume (iter.Pull's rule:
// next must not be called from several goroutines simultaneously), but
// which goroutine does may change from one call to the next: the aio loop
// goroutine resumes coroutines, and so does the goroutine of a task that is
// suspending, through the loop's direct hand-off (it runs the next ready
// task steps itself, one at a time, while the loop goroutine waits for it).
// Suspend is called from inside the running Job and returns to whichever
// goroutine resumed it.
package coro

import (
	"bytes"
	"iter"
	"runtime"
)

// Job is the work a Coro runs. Run must not let a panic escape: a panic that
// reaches the coroutine's root is re-raised in the goroutine that called
// Resume.
type Job interface {
	Run(c *Coro)
}

// Coro is a reusable coroutine.
type Coro struct {
	next    func() (struct{}, bool)
	stop    func()
	yield   func(struct{}) bool
	job     Job
	stopped bool
	// Exited is set when the coroutine's goroutine ended abnormally
	// (runtime.Goexit inside a Job); such a Coro must be dropped.
	Exited bool
	// Data is free for the owner (aio stores the goroutine id in debug mode).
	Data uint64
}

// New creates a coroutine. Its goroutine exists (parked) from now on: a Coro
// must eventually be stopped (Stop) or its goroutine leaks.
func New() *Coro {
	c := &Coro{}
	c.next, c.stop = iter.Pull(c.body)
	return c
}

func (c *Coro) body(yield func(struct{}) bool) {
	c.yield = yield
	for {
		j := c.job
		c.job = nil
		j.Run(c)
		// Report "job finished" to the resumer and wait for the next job.
		if !yield(struct{}{}) {
			return
		}
	}
}

// Start runs j on the coroutine until j suspends or returns. The coroutine
// must be idle (fresh, or its previous job returned).
func (c *Coro) Start(j Job) {
	c.job = j
	c.next()
}

// Resume continues the suspended job until it suspends again or returns.
func (c *Coro) Resume() {
	c.next()
}

// Suspend, called from inside the running job, switches back to the
// goroutine that called Start or Resume. It returns true when resumed, and
// false at once if the coroutine is being stopped: the job must then return
// without suspending again (further Suspend calls also return false).
func (c *Coro) Suspend() bool {
	if c.stopped {
		return false
	}
	return c.yield(struct{}{})
}

// Stop ends the coroutine. A suspended job sees Suspend return false and
// must return; Stop returns when the goroutine has exited. Stop is
// idempotent.
func (c *Coro) Stop() {
	if c.stopped {
		return
	}
	c.stopped = true
	c.stop()
}

// Stopping reports whether Stop has been called.
func (c *Coro) Stopping() bool { return c.stopped }

// InCoroutine reports whether the calling goroutine is a Coro's goroutine
// (that is, code running inside some loop's task). It inspects the stack, so
// it is slow; aio uses it only on rarely-called entry points and in debug
// mode.
func InCoroutine() bool {
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	return bytes.Contains(buf, []byte(BodyFrame))
}

// BodyFrame is how a coroutine's root frame appears in a stack trace.
const BodyFrame = "aio/internal/coro.(*Coro).body("
