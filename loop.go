package aio

import (
	"bytes"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
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
// timers in deadline order, then runs the batch. A timer fires behind what
// was already ready: a scope's deadline cancels the scope only after the
// wake-ups queued before it have run.
//
// Goroutine contract: CallSoonThreadsafe, IsRunning and IsClosed may be
// called from any goroutine; every other method must be called on the loop
// goroutine: from a task, a callback, or (when the loop is not running) the
// goroutine that owns it. A loop-bound call made while the loop waits for
// events cannot come from the loop and panics with ErrWrongGoroutine; debug
// mode (WithDebug) checks every call.
type Loop struct {
	ready  ring.Ring[readyItem] // loop goroutine
	timers timerheap.Heap       // loop goroutine
	clock  Clock                // immutable
	epoch  time.Time            // immutable: loop time 0
	inbox  inbox                // any goroutine (its own lock)
	poll   poller               // wait: loop goroutine; wake: any goroutine
	netp   *netPoller           // the same poller, with its I/O side (netpoll_*.go); immutable
	cfg    config               // immutable

	state    atomic.Int32 // loopState; written on the loop goroutine (and by Close under inbox.mu)
	polling  atomic.Bool  // the loop goroutine is blocked in poll.wait
	realTime bool         // the clock is the real clock; immutable
	stopping bool         // Stop was called: end after this iteration; loop goroutine

	current  *task        // task whose step is running; loop goroutine
	stepping *coro.Coro   // coroutine being resumed (for abnormal exits); loop goroutine
	idle     []*coro.Coro // finished coroutines kept for reuse, oldest first; loop goroutine
	tasks    taskList     // every pending task, held strongly; loop goroutine
	failed   []*failure   // errors nobody has retrieved yet (exception.go); loop goroutine

	idleLow   int        // fewest idle coroutines since the last trim; loop goroutine
	trimAt    int64      // loop time of the next trim; loop goroutine
	trimMore  bool       // a trim left work for the next iteration; loop goroutine
	ownerGoid uint64     // goroutine running the loop, in debug mode
	taskSeq   uint64     // numbers the tasks for their default names; loop goroutine
	batchLeft int        // items of the current iteration's batch not yet run; loop goroutine
	nested    bool       // a step is running nested in another task's park (runAhead); loop goroutine
	extras    loopExtras // thread pool, pending Submits, signal handlers (loopextras.go); its own lock

	wd  *watchdog        // debug mode's watchdog (debug.go); nil when debug is off; immutable
	mx  loopMetrics      // metrics.go
	rng *scheduleShuffle // WithScheduleSeed (explore.go); nil: FIFO; loop goroutine
}

// The loop's lifecycle: idle → running → idle ... → closing → closed.
const (
	stateIdle    int32 = iota // created, or between runs
	stateRunning              // inside RunForever
	stateClosing              // Close is unwinding the tasks
	stateClosed               // closed; terminal
)

// readyItem is one entry of the ready queue: exactly one field is set.
type readyItem struct {
	t  *task   // a task step
	h  *Handle // a CallSoon or timer callback (skipped if cancelled)
	fn func()  // an internal or posted callback, or (with h == scopeDeadline) a scope's expiry
}

// scopeDeadline marks the ready item of a scope's deadline (its fn is
// Context.expire), which schedule exploration keeps in place.
var scopeDeadline = &Handle{}

// warmIdle is how many idle coroutines the loop keeps however long it
// stays idle (see trimIdle).
const warmIdle = 256

// NewLoop creates an event loop. The loop is not bound to a goroutine until
// it runs. Close it when done to release its coroutines.
func NewLoop(opts ...Option) *Loop {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	l := &Loop{cfg: cfg, clock: cfg.clock}
	l.initTools()
	if l.clock == nil {
		l.clock = realClock{}
	}
	_, l.realTime = l.clock.(realClock)
	l.epoch = l.clock.Now()
	p := newNetPoller(l)
	l.poll = p
	l.netp = p
	l.inbox.poller = p
	l.inbox.loop = l
	return l
}

// Loop returns l itself, so that a *Loop can be passed wherever a Host is
// expected (Spawn, Go, NewFuture).
func (l *Loop) Loop() *Loop { return l }

// Time returns the loop's current time (from its Clock). Deadlines given to
// CallAt are on this clock. Any goroutine may call it only with the real
// clock; with a virtual clock, only the loop goroutine.
func (l *Loop) Time() time.Time { return l.toTime(l.now()) }

func (l *Loop) now() int64 {
	if l.realTime {
		// time.Since reads only the monotonic clock when the epoch has a
		// monotonic reading (one vDSO call, where Now makes two).
		return int64(time.Since(l.epoch))
	}
	return int64(l.clock.Now().Sub(l.epoch))
}

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
func (l *Loop) IsRunning() bool { return l.state.Load() == stateRunning }

// IsClosed reports whether Close has completed. Any goroutine.
func (l *Loop) IsClosed() bool { return l.state.Load() == stateClosed }

// Stop makes RunForever (or RunUntilComplete) return after the current
// iteration. If the loop is not running, the next RunForever runs exactly
// one iteration (polling with timeout 0) and returns. Calling it again
// before the loop stops changes nothing. Loop goroutine only; from
// elsewhere use CallSoonThreadsafe(l.Stop).
func (l *Loop) Stop() {
	l.checkCaller("Loop.Stop")
	l.stopping = true
}

// RunForever runs the loop until Stop is called; it can be called again
// afterwards to continue. It returns ErrLoopRunning if the loop is already
// running, ErrNestedRun if called from a task or callback of a running
// loop, and ErrLoopClosed if it is closed.
func (l *Loop) RunForever() error {
	prev, err := l.enterRun(1)
	if err != nil {
		return err
	}
	defer l.exitRun(prev)
	if l.wd != nil {
		l.wd.run(goid.Get())
		defer l.wd.halt()
	}
	for {
		l.runOnce()
		if l.stopping {
			break
		}
	}
	return nil
}

// runningLoops counts the loops that are running in the process: the
// (costly) check for a nested run is needed only when it is not zero.
var runningLoops atomic.Int32

// enterRun marks the loop running. own is how many RunForever frames of
// this very call are on the stack (1 from RunForever, 0 from Close's last
// iteration): only frames beyond those, or a coroutine, make it a nested
// run. It is tempting to test inLoopGoroutine() here, but from RunForever
// that finds RunForever's own frame, and every loop started while another
// loop runs on another goroutine would be refused as nested.
func (l *Loop) enterRun(own int) (int32, error) {
	st := l.state.Load()
	switch st {
	case stateClosed:
		return st, ErrLoopClosed
	case stateRunning:
		return st, ErrLoopRunning
	}
	if runningLoops.Load() > 0 && inLoopGoroutineBeyond(own) {
		return st, ErrNestedRun
	}
	runningLoops.Add(1)
	l.state.Store(stateRunning)
	if l.cfg.debug {
		l.ownerGoid = goid.Get()
	}
	return st, nil
}

// exitRun restores the loop after RunForever, also when the goroutine exits
// abnormally (runtime.Goexit propagated from a task).
func (l *Loop) exitRun(prev int32) {
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
	l.stopping = false
	l.polling.Store(false)
	l.mx.publish(l)
	l.state.Store(prev)
	runningLoops.Add(-1)
}

// runOnce is one loop iteration.
func (l *Loop) runOnce() {
	timeout := time.Duration(-1)
	if l.ready.Len() > 0 || l.stopping || l.trimMore {
		timeout = 0
	} else if e := l.timers.Peek(); e != nil {
		timeout = 0
		if now := l.now(); e.When > now { // compare first: When-now can overflow
			timeout = time.Duration(e.When - now)
		}
	}
	if l.realTime && len(l.idle) > warmIdle && timeout != 0 {
		// Wake up for the next trim of idle coroutines.
		if d := time.Duration(l.trimAt - l.now()); timeout < 0 || d < timeout {
			timeout = max(d, time.Millisecond)
		}
	}
	if timeout != 0 && !l.inbox.pending.Load() {
		if a, ok := l.clock.(advancer); ok && timeout > 0 {
			l.advanceVirtual(a, timeout)
		} else {
			l.mx.blocking(l, timeout < 0)
			l.block(timeout)
			l.mx.unblocked()
		}
	} else if l.netp.active() {
		l.netp.pollNow()
	}
	l.collect()
	if l.rng != nil {
		l.rng.shuffle(&l.ready)
	}
	l.mx.beginBatch(l)
	// Run exactly the callbacks that are ready now.
	for l.batchLeft = l.ready.Len(); l.batchLeft > 0; {
		l.batchLeft--
		it := l.ready.Pop()
		switch {
		case it.t != nil:
			l.step(it.t)
		case it.h == scopeDeadline:
			l.runCallback(it.fn, nil)
		case it.h != nil:
			if !it.h.cancelled {
				it.h.ran = true
				l.runCallback(it.h.fn, it.h)
			}
		default:
			l.runCallback(it.fn, nil)
		}
	}
	if l.mx.sampling {
		l.mx.endBatch(l)
	}
	l.trimIdle()
}

// collect appends what became ready since the last iteration: callbacks
// posted from other goroutines, then expired timers in deadline order.
func (l *Loop) collect() {
	l.inbox.drain(&l.ready)
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

// pushFunc schedules an internal callback for the next iteration.
func (l *Loop) pushFunc(fn func()) { l.ready.Push(readyItem{fn: fn}) }

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
// once: the iteration happens, empty. The boundary also polls I/O with a
// zero timeout when descriptors are registered, as runOnce does.
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
			l.netp.pollNow()
			l.collect()
			if l.rng != nil {
				l.rng.shuffle(&l.ready)
			}
			l.mx.beginBatch(l)
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
			l.mx.steps++ // a's next step begins here, without a switch
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

// stepNow runs t's first step at once, nested in the running step or
// callback (an eager task): t runs until it suspends or returns, then the
// caller continues. While it runs, the hand-off does not run other tasks
// (t's suspension returns straight to the caller).
func (l *Loop) stepNow(t *task) {
	cur, stepping, nested := l.current, l.stepping, l.nested
	l.nested = true
	l.step(t)
	l.current, l.stepping, l.nested = cur, stepping, nested
}

// block waits in the poller for up to timeout (< 0: until woken), unless a
// post is pending. polling is published before pending is read again: a
// post either sees polling and wakes the poller, or is seen here
// (inbox.signal is the other half). Loop goroutine.
func (l *Loop) block(timeout time.Duration) {
	l.polling.Store(true)
	if !l.inbox.pending.Load() {
		l.poll.wait(timeout)
	}
	l.polling.Store(false)
}

// deadlineOwner owns a timer that decides itself what its firing means (a
// scope's deadline, the lazy deadline timers of the network layer). Loop
// goroutine.
type deadlineOwner interface{ deadlineFired() }

// fire dispatches an expired timer: a callback handle is appended to the
// ready queue (behind what is already ready, as asyncio's timer handles
// are); a sleeping task is woken; a deadline's owner decides (a scope's
// expiry is queued like a handle).
func (l *Loop) fire(e *timerheap.Entry) {
	switch o := e.Owner.(type) {
	case *Handle:
		l.ready.Push(readyItem{h: o})
	case *task:
		o.wakeUp()
	case deadlineOwner: // a scope's deadline (Context), an I/O deadline (netfd_linux.go)
		o.deadlineFired()
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
	start := l.debugStart(nil)
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
	start := l.debugStart(t)
	if l.mx.steps++; l.mx.steps&63 == 0 {
		l.mx.publish(l)
	}
	if t.dbg != nil {
		if r := traceStep(t); r != nil {
			defer r.End()
		}
	}
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
		if n-1 < l.idleLow {
			l.idleLow = n - 1
		}
		return c
	}
	l.idleLow = 0
	return coro.New()
}

func (l *Loop) putCoro(c *coro.Coro) {
	if c.Exited || c.Stopping() {
		return
	}
	if len(l.idle) >= l.cfg.maxIdle || l.state.Load() == stateClosing {
		c.Stop()
		return
	}
	l.idle = append(l.idle, c)
}

// trimIdle releases idle coroutines the loop has not needed for a while:
// once a second (loop time), the ones above warmIdle that stayed unused
// since the last trim are stopped, oldest first, at most trimBatch per
// iteration (each costs a switch to unwind it). A burst of tasks thus
// leaves a warm set behind, not a goroutine per task of the burst.
func (l *Loop) trimIdle() {
	const trimBatch = 4096
	l.trimMore = false
	if len(l.idle) <= warmIdle {
		l.idleLow = len(l.idle)
		return
	}
	now := l.now()
	if l.trimAt == 0 {
		l.trimAt = now + int64(time.Second)
	}
	if now < l.trimAt {
		return
	}
	excess := min(l.idleLow, len(l.idle)) - warmIdle
	if excess <= 0 {
		l.idleLow = len(l.idle)
		l.trimAt = now + int64(time.Second)
		return
	}
	n := min(excess, trimBatch)
	for _, c := range l.idle[:n] {
		c.Stop()
	}
	m := copy(l.idle, l.idle[n:])
	clear(l.idle[m:])
	l.idle = l.idle[:m]
	l.idleLow -= n
	if excess > n {
		l.trimMore = true // more to release: next iteration, without waiting
		return
	}
	l.idleLow = len(l.idle)
	l.trimAt = now + int64(time.Second)
}

// RunUntilComplete runs the loop until f is done and returns f's error (nil
// on success; read the value with f.Result). As in asyncio, the loop stops
// from a callback scheduled when f completes, so what f's last step made
// ready still runs in one more iteration. It returns ErrLoopRunning if the
// loop is already running, ErrNestedRun if called from a running loop,
// ErrLoopClosed if it is closed, and ErrStoppedBeforeComplete if Stop ended
// the loop first; f of another loop panics with ErrWrongLoop.
func (l *Loop) RunUntilComplete(f Waitable) error {
	fc := f.core()
	if fc.loop == nil {
		misuse("Loop.RunUntilComplete", ErrZeroValue, "create futures with aio.NewFuture")
	}
	if fc.loop != l {
		misuse("Loop.RunUntilComplete", ErrWrongLoop, "run each loop with its own futures and tasks")
	}
	if st := l.state.Load(); st == stateClosed {
		return ErrLoopClosed
	} else if st == stateRunning {
		return ErrLoopRunning
	}
	s := &stopper{l: l, active: true}
	s.node.w = s
	if fc.done {
		l.pushFunc(s.stop)
	} else {
		fc.link(&s.node)
	}
	err := l.RunForever()
	s.active = false
	fc.unlink(&s.node)
	if err != nil {
		return err
	}
	if !fc.done {
		return ErrStoppedBeforeComplete
	}
	fc.markRetrieved()
	return fc.err
}

// stopper stops the loop from a callback scheduled when the future it
// waits on completes (asyncio's _run_until_complete_cb).
type stopper struct {
	l      *Loop
	node   waitNode
	active bool // the RunUntilComplete call is still running
}

func (s *stopper) wake(*futureCore) { s.l.pushFunc(s.stop) }

func (s *stopper) stop() {
	if s.active {
		s.l.stopping = true
	}
}

// Close shuts the loop down: pending tasks are cancelled and given the
// chance to run their cancellation (callbacks already ready run; the loop
// does not wait for timers), any task still suspended after that has its
// coroutine unwound (its awaits return ErrLoopClosed), idle coroutines are
// released, and queued callbacks are dropped. Close returns ErrLoopRunning
// on a running loop; a second Close does nothing and returns nil.
// Loop goroutine only.
func (l *Loop) Close() error {
	switch l.state.Load() {
	case stateRunning:
		return ErrLoopRunning
	case stateClosed, stateClosing:
		return nil
	}
	l.state.Store(stateClosing)
	if l.netp.loseTransports() > 0 {
		l.closingIteration() // delivers their ConnectionLost(ErrLoopClosed)
	}
	if l.tasks.n > 0 {
		l.reportPendingAtClose()
		l.cancelAll("loop closing")
		// Let the cancelled tasks react, without waiting on timers or I/O.
		for i := 0; i < 1000 && l.tasks.n > 0 && l.ready.Len() > 0; i++ {
			l.closingIteration()
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
	l.inbox.close() // sets stateClosed under the inbox lock
	l.closeExtras() // thread pool, pending submissions, signal handlers (loopextras.go)
	l.netp.close()  // the descriptors still open, then the reactor
	return nil
}

// closingIteration runs one loop iteration on behalf of Close (the state
// stays closing).
func (l *Loop) closingIteration() {
	l.stopping = true
	if _, err := l.enterRun(0); err == nil {
		l.runOnce()
		l.exitRun(stateClosing)
	}
}

// cancelAll requests cancellation of every pending task.
func (l *Loop) cancelAll(msg string) {
	for t := l.tasks.head; t != nil; t = t.next {
		t.cancel(msg)
	}
}

// checkCaller panics with ErrWrongGoroutine when a loop-bound call op
// cannot come from the loop: always while the loop is blocked waiting for
// events (one atomic load), and in debug mode whenever the calling
// goroutine is neither the loop goroutine nor the coroutine of the running
// task.
func (l *Loop) checkCaller(op string) {
	if l.checking() {
		l.checkCallerSlow(op)
	}
}

// checking reports whether a loop-bound call must be checked now: the loop
// waits for events (so the caller cannot be the loop), or debug mode is
// on. Callers whose op name is costly to build test it first.
func (l *Loop) checking() bool { return l.polling.Load() || l.cfg.debug }

func (l *Loop) checkCallerSlow(op string) {
	if l.polling.Load() {
		misuse(op, ErrWrongGoroutine, wrongGoroutineHint)
	}
	if !l.cfg.debug || l.state.Load() != stateRunning {
		return
	}
	g := goid.Get()
	if g == l.ownerGoid {
		return
	}
	if t := l.current; t != nil && t.coro != nil && (t.coro.Data == g || (t.coro.Data == 0 && coro.InCoroutine())) {
		return
	}
	misuse(op, ErrWrongGoroutine, wrongGoroutineHint)
}

const wrongGoroutineHint = "call it from a task or callback of the loop; other goroutines use Loop.CallSoonThreadsafe, Future.SetResultThreadsafe or a scope's CancelFunc"

// stackBufs holds buffers for inLoopGoroutine.
var stackBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// inLoopGoroutine reports whether the calling goroutine runs a loop or a
// loop's coroutine. It reads the goroutine's stack, so it is called only
// when some loop is running.
func inLoopGoroutine() bool { return inLoopGoroutineBeyond(0) }

// inLoopGoroutineBeyond is inLoopGoroutine for a caller that itself runs
// under own RunForever frames, which do not count.
func inLoopGoroutineBeyond(own int) bool {
	bp := stackBufs.Get().(*[]byte)
	defer stackBufs.Put(bp)
	buf := (*bp)[:runtime.Stack(*bp, false)]
	return bytes.Contains(buf, []byte(coro.BodyFrame)) || bytes.Count(buf, []byte(runForeverFrame)) > own
}

const runForeverFrame = "aio.(*Loop).RunForever("
