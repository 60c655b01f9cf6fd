package aio

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/asyncgo/aio/internal/coro"
	"github.com/asyncgo/aio/internal/goid"
	"github.com/asyncgo/aio/internal/ring"
	"github.com/asyncgo/aio/internal/timerheap"
)

// Loop is an event loop: it runs callbacks and task steps one at a time on
// the goroutine that calls RunForever or RunUntilComplete (the loop
// goroutine), switching to a task's coroutine for each step.
//
// Scheduling follows asyncio (an iteration runs exactly the callbacks that
// were ready when it started; anything they schedule runs in the next one):
// each iteration computes a poll timeout (0 if callbacks are ready or the
// loop is stopping, else the time to the earliest timer), waits for
// thread-safe posts until then, appends posted callbacks, then expired
// timers in deadline order, then runs the batch.
//
// Goroutine contract: CallSoonThreadsafe, IsRunning and IsClosed may be
// called from any goroutine; every other method must be called on the loop
// goroutine: from a task, a callback, or (when the loop is not running) the
// goroutine that owns it. Debug mode (WithDebug) checks this.
type Loop struct {
	ready  ring.Ring[readyItem]
	timers timerheap.Heap
	clock  Clock
	epoch  time.Time
	inbox  inbox
	poll   poller
	cfg    config

	running  bool
	stopping bool
	closed   bool
	closing  bool

	current  *task      // task whose step is running
	stepping *coro.Coro // coroutine being resumed (for abnormal exits)
	idle     []*coro.Coro
	tasks    taskList   // every pending task, held strongly
	failed   []*failure // errors nobody has retrieved yet (exception.go)

	ownerGoid uint64 // goroutine running the loop (debug and nesting checks)
	taskSeq   uint64 // numbers the tasks for their default names
	batchLeft int    // items of the current iteration's batch not yet run
	nested    bool   // a step is running nested in another task's park (runAhead)
}

type readyItem struct {
	t  *task
	h  *Handle
	fn func()
}

// NewLoop creates an event loop. The loop is not bound to a goroutine until
// it runs. Close it when done to release its coroutines.
func NewLoop(opts ...Option) *Loop {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	l := &Loop{cfg: cfg, clock: cfg.clock}
	if l.clock == nil {
		l.clock = realClock{}
	}
	l.epoch = l.clock.Now()
	p := newChanPoller()
	l.poll = p
	l.inbox.poller = p
	return l
}

// Loop returns l itself, so that a *Loop can be passed wherever a Host is
// expected (Spawn, Go, NewFuture).
func (l *Loop) Loop() *Loop { return l }

// Time returns the loop's current time (from its Clock). Deadlines given to
// CallAt are on this clock. Any goroutine may call it only with the real
// clock; with a virtual clock, only the loop goroutine.
func (l *Loop) Time() time.Time { return l.toTime(l.now()) }

func (l *Loop) now() int64 { return int64(l.clock.Now().Sub(l.epoch)) }

func (l *Loop) toTime(ns int64) time.Time { return l.epoch.Add(time.Duration(ns)) }

func (l *Loop) fromTime(t time.Time) int64 { return int64(t.Sub(l.epoch)) }

// deadline returns now+d, saturating instead of overflowing. A negative d
// gives a deadline in the past, so that negative delays keep their order
// (asyncio: call_later(-1, a); call_later(-2, b) runs b first).
func (l *Loop) deadline(d time.Duration) int64 {
	n := l.now()
	if d <= 0 {
		if n < 0 && int64(d) < math.MinInt64-n {
			return math.MinInt64
		}
		return n + int64(d)
	}
	if int64(d) > math.MaxInt64-n {
		return math.MaxInt64
	}
	return n + int64(d)
}

// IsRunning reports whether the loop is running. Any goroutine.
func (l *Loop) IsRunning() bool {
	l.inbox.mu.Lock()
	defer l.inbox.mu.Unlock()
	return l.running
}

// IsClosed reports whether Close was called. Any goroutine.
func (l *Loop) IsClosed() bool {
	l.inbox.mu.Lock()
	defer l.inbox.mu.Unlock()
	return l.inbox.closed // set under the lock by Close
}

// Stop makes RunForever (or RunUntilComplete) return after the current
// iteration. If the loop is not running, the next RunForever runs exactly
// one iteration (polling with timeout 0) and returns. Calling it again
// before the loop stops changes nothing. Loop goroutine only; from
// elsewhere use CallSoonThreadsafe(l.Stop).
func (l *Loop) Stop() {
	l.checkThread("Stop")
	l.stopping = true
}

// RunForever runs the loop until Stop is called; it can be called again
// afterwards to continue. It returns ErrLoopRunning
// if the loop is already running (including a call from one of its own
// tasks) and ErrLoopClosed if it is closed.
func (l *Loop) RunForever() error {
	if err := l.enterRun(); err != nil {
		return err
	}
	defer l.exitRun()
	for {
		l.runOnce()
		if l.stopping {
			break
		}
	}
	return nil
}

func (l *Loop) enterRun() error {
	if l.closed {
		return ErrLoopClosed
	}
	if l.running {
		return ErrLoopRunning
	}
	g := goid.Get()
	if runningLoopOf(g) != nil || coro.InCoroutine() {
		return fmt.Errorf("%w: this goroutine is running another loop; await instead of running a nested loop", ErrLoopRunning)
	}
	l.inbox.mu.Lock()
	l.running = true
	l.inbox.mu.Unlock()
	l.ownerGoid = g
	registerGoroutine(g, l)
	return nil
}

// exitRun restores the loop after RunForever, also when the goroutine exits
// abnormally (runtime.Goexit propagated from a task).
func (l *Loop) exitRun() {
	if l.stepping != nil {
		// The coroutine we were resuming ended the goroutine (Goexit):
		// it is gone, drop it.
		c := l.stepping
		l.stepping = nil
		c.Exited = true
		if l.current != nil && l.current.coro == c {
			l.current.coro = nil
		}
		l.current = nil
	}
	unregisterGoroutine(l.ownerGoid)
	l.stopping = false
	l.inbox.mu.Lock()
	l.running = false
	l.inbox.mu.Unlock()
}

// runOnce is one loop iteration.
func (l *Loop) runOnce() {
	timeout := time.Duration(-1)
	if l.ready.Len() > 0 || l.stopping {
		timeout = 0
	} else if e := l.timers.Peek(); e != nil {
		timeout = 0
		if now := l.now(); e.When > now { // compare first: When-now can overflow
			timeout = time.Duration(e.When - now)
		}
	}
	if timeout != 0 && !l.inbox.pending.Load() {
		if a, ok := l.clock.(advancer); ok && timeout > 0 {
			a.Advance(timeout)
		} else {
			l.poll.wait(timeout)
		}
	}
	l.collect()
	// Run exactly the callbacks that are ready now.
	for l.batchLeft = l.ready.Len(); l.batchLeft > 0; {
		l.batchLeft--
		it := l.ready.Pop()
		switch {
		case it.t != nil:
			l.step(it.t)
		case it.h != nil:
			if !it.h.cancelled {
				it.h.ran = true
				l.runCallback(it.h.fn, it.h)
			}
		default:
			l.runCallback(it.fn, nil)
		}
	}
}

// collect appends what became ready since the last iteration: callbacks
// posted from other goroutines, then expired timers in deadline order.
func (l *Loop) collect() {
	for _, fn := range l.inbox.drain() {
		l.ready.Push(readyItem{fn: fn})
	}
	if l.timers.Len() > 0 {
		now := l.now()
		for {
			e := l.timers.Peek()
			if e == nil || e.When > now {
				break
			}
			l.timers.Pop()
			l.fire(e)
		}
	}
}

// runAhead is the direct hand-off. Task a, whose step the loop goroutine is
// running, is about to suspend. Instead of switching back to the loop
// goroutine only for it to switch into the next task, a's goroutine runs
// the loop's next items itself, exactly as the loop would (same order, same
// iteration boundaries), as long as they are task steps: each nested step
// switches from a to that task's coroutine and back. It stops at a callback
// (callbacks always run on the loop goroutine), when nothing is ready (the
// loop must wait), when the loop is stopping, and when a's own step comes
// up: then it returns true and a resumes without any switch. A spawning a
// task and awaiting it costs two coroutine switches instead of four, and a
// task that yields (Sleep(ctx, 0)) with nothing else ready continues at
// once: the iteration happens, empty. (When the I/O reactor lands, the
// boundary must also poll I/O with a zero timeout.)
//
// Nested steps never nest further: a task whose step is itself nested only
// resumes itself this way (a is next) and otherwise suspends to the task
// that resumed it. So the loop goroutine, a, and the nested task are the
// only goroutines involved. Debug mode (every step measured separately)
// and Close take the plain path.
func (l *Loop) runAhead(a *task) bool {
	for !l.stopping {
		if l.batchLeft == 0 {
			if l.ready.Len() == 0 {
				return false
			}
			// Iteration boundary, as in runOnce with a zero timeout.
			l.collect()
			l.batchLeft = l.ready.Len()
		}
		it := l.ready.Peek()
		t := it.t
		if t == nil {
			return false // a callback: leave it to the loop goroutine
		}
		if t == a {
			l.ready.Pop()
			l.batchLeft--
			a.scheduled = false
			return true
		}
		if l.nested {
			return false
		}
		l.ready.Pop()
		l.batchLeft--
		l.nested = true
		l.step(t)
		l.nested = false
		l.current = a
		l.stepping = a.coro
	}
	return false
}

// fire dispatches an expired timer: a callback handle is appended to the
// ready queue; a sleeping task is woken; a scope deadline cancels the scope.
func (l *Loop) fire(e *timerheap.Entry) {
	switch o := e.Owner.(type) {
	case *Handle:
		l.ready.Push(readyItem{h: o})
	case *task:
		o.schedule()
	case *Context:
		o.expire()
	}
}

func (l *Loop) runCallback(fn func(), h *Handle) {
	defer func() {
		if r := recover(); r != nil {
			l.report(ExceptionContext{
				Message: "exception in callback",
				Err:     newPanicError(r),
				Handle:  h,
			})
		}
	}()
	start := l.debugStart()
	fn()
	l.debugEnd(start, nil)
}

// step runs one step of t on its coroutine.
func (l *Loop) step(t *task) {
	t.scheduled = false
	if t.done {
		return
	}
	c := t.coro
	start := l.debugStart()
	l.current = t
	if c == nil {
		c = l.getCoro()
		t.coro = c
		l.stepping = c
		c.Start(t)
	} else {
		l.stepping = c
		c.Resume()
	}
	l.stepping = nil
	l.current = nil
	if t.done {
		t.coro = nil
		l.putCoro(c)
	}
	l.debugEnd(start, t)
}

func (l *Loop) getCoro() *coro.Coro {
	if n := len(l.idle); n > 0 {
		c := l.idle[n-1]
		l.idle[n-1] = nil
		l.idle = l.idle[:n-1]
		return c
	}
	return coro.New()
}

func (l *Loop) putCoro(c *coro.Coro) {
	if c.Exited || c.Stopping() {
		return
	}
	if len(l.idle) >= l.cfg.maxIdle || l.closing {
		c.Stop()
		return
	}
	l.idle = append(l.idle, c)
}

// RunUntilComplete runs the loop until f is done and returns f's error (nil
// on success; read the value with f.Result). It returns ErrLoopRunning if
// the loop is already running, ErrLoopClosed if it is closed,
// ErrStoppedBeforeComplete if Stop ended the loop first, and an error if f
// belongs to another loop. On a done f it runs one iteration and returns
// f's error.
func (l *Loop) RunUntilComplete(f Waitable) error {
	fc := f.core()
	if fc.loop != l {
		return fmt.Errorf("aio: RunUntilComplete: the future belongs to another loop")
	}
	if l.closed {
		return ErrLoopClosed
	}
	if l.running {
		return ErrLoopRunning
	}
	if !fc.done {
		s := &stopper{l: l}
		fc.addWaiter(s)
		defer fc.removeWaiter(s)
	} else {
		// Already done: run one iteration and return, as asyncio does
		// (its done callback stops the loop at once). Without this,
		// nothing would ever stop the loop.
		l.stopping = true
	}
	if err := l.RunForever(); err != nil {
		return err
	}
	if !fc.done {
		return ErrStoppedBeforeComplete
	}
	fc.markRetrieved()
	return fc.err
}

// stopper stops the loop when the future it waits on completes.
type stopper struct{ l *Loop }

func (s *stopper) wake(*futureCore) { s.l.stopping = true }

// Close shuts the loop down: pending tasks are cancelled and given the
// chance to run their cancellation (callbacks already ready run; the loop
// does not wait for timers), any task still suspended after that has its
// coroutine unwound (its awaits return ErrLoopClosed), idle coroutines are
// released, and queued callbacks are dropped. Close returns ErrLoopRunning
// on a running loop; a second Close does nothing and returns nil.
// Loop goroutine only.
func (l *Loop) Close() error {
	if l.running {
		return ErrLoopRunning
	}
	if l.closed {
		return nil
	}
	l.closing = true
	if l.tasks.n > 0 {
		l.cancelAll("loop closing")
		// Let the cancelled tasks react, without waiting on timers or I/O.
		for i := 0; i < 1000 && l.tasks.n > 0 && l.ready.Len() > 0; i++ {
			l.stopping = true
			_ = l.RunForever()
		}
		// Unwind whatever is still suspended.
		for l.tasks.n > 0 {
			t := l.tasks.head
			if t.coro == nil {
				// Never started: complete it without running its body.
				t.job.abort(ErrLoopClosed)
				continue
			}
			c := t.coro
			l.current = t
			c.Stop() // its awaits now return ErrLoopClosed; the body returns
			l.current = nil
			if !t.done {
				t.job.abort(ErrLoopClosed)
			}
		}
	}
	for _, c := range l.idle {
		c.Stop()
	}
	l.idle = nil
	l.reportUnretrieved()
	l.ready.Clear()
	l.timers = timerheap.Heap{}
	l.inbox.close()
	l.closeExtras() // thread pool, pending submissions, signal handlers (loopextras.go)
	l.closed = true
	l.closing = false
	return nil
}

// cancelAll requests cancellation of every pending task.
func (l *Loop) cancelAll(msg string) {
	for t := l.tasks.head; t != nil; t = t.next {
		t.cancel(msg)
	}
}

// checkThread panics in debug mode when a loop-only method is called from a
// goroutine that is neither the loop goroutine nor the coroutine of the
// running task.
func (l *Loop) checkThread(what string) {
	if !l.cfg.debug || !l.running {
		return
	}
	g := goid.Get()
	if g == l.ownerGoid {
		return
	}
	if t := l.current; t != nil && t.coro != nil && (t.coro.Data == g || (t.coro.Data == 0 && coro.InCoroutine())) {
		return
	}
	panic(fmt.Sprintf("aio: Loop.%s called from goroutine %d, which is not running this loop; "+
		"use Loop.CallSoonThreadsafe from other goroutines", what, g))
}

// The registry maps goroutines that run a loop (the loop goroutine and its
// coroutines) to that loop, for nesting and debug checks.
var (
	regMu sync.Mutex
	reg   = map[uint64]*Loop{}
)

func registerGoroutine(g uint64, l *Loop) {
	regMu.Lock()
	reg[g] = l
	regMu.Unlock()
}

func unregisterGoroutine(g uint64) {
	regMu.Lock()
	delete(reg, g)
	regMu.Unlock()
}

func runningLoopOf(g uint64) *Loop {
	regMu.Lock()
	defer regMu.Unlock()
	return reg[g]
}
