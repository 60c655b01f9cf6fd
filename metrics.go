package aio

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics is a snapshot of a loop's counters (Loop.Metrics). The counters
// are maintained with debug mode off too, at a cost within benchmark
// noise: the loop counts steps in a plain field and publishes the counts
// to atomics every 64 steps, before it blocks, and at the end of every
// 64th iteration, where it also samples the lag (two clock reads).
type Metrics struct {
	// Steps counts the task steps run since the loop was created.
	Steps uint64
	// StepsPerSecond is the step rate since the previous Metrics call
	// (or since the loop was created).
	StepsPerSecond float64
	// Ready is the length of the ready queue: task steps and callbacks
	// waiting for their turn.
	Ready int
	// Tasks is the number of live (pending) tasks.
	Tasks int
	// LoopLag is the most recent sampled lag: how long the items of an
	// iteration's batch, all ready when the iteration started, waited for
	// the last of them to run (the batch's running time). It is sampled
	// once in 64 iterations. MaxLoopLag is the largest sample so far.
	LoopLag, MaxLoopLag time.Duration
	// SlowSteps counts the steps and callbacks that took longer than the
	// slow-callback threshold; debug mode only (it is the mode that times
	// steps).
	SlowSteps uint64
	// IOWaits counts the waits of tasks on I/O readiness (counted by the
	// network layer).
	IOWaits uint64
	// WaitingForever reports that the loop is blocked with nothing ready
	// and no timer: only a post from another goroutine (or I/O) can wake
	// it. If no work is in flight either (InFlight), the loop is deadlocked.
	WaitingForever bool
	// InFlight is the count kept by Loop.AddInFlight: work running on
	// other goroutines that will post back to the loop.
	InFlight int64
}

// loopMetrics holds the loop's counters. The plain fields belong to the
// loop goroutine; the atomics are what Metrics reads.
type loopMetrics struct {
	steps    uint64    // loop goroutine
	iters    uint64    // loop goroutine
	sampling bool      // the current batch's lag is being sampled; loop goroutine
	t0       time.Time // when the sampled batch began; loop goroutine

	pubSteps       atomic.Uint64
	ready, tasks   atomic.Int64
	lag, maxLag    atomic.Int64
	slow           atomic.Uint64
	ioWaits        atomic.Uint64 // the network layer increments it
	waitingForever atomic.Bool
	inFlight       atomic.Int64

	lastTree atomic.Pointer[TaskTree] // the last snapshot (Loop.Tasks)

	mu        sync.Mutex // guards the rate's reference point
	rateAt    time.Time
	rateSteps uint64
}

// initTools sets up the debugging tools that NewLoop's options ask for.
func (l *Loop) initTools() {
	l.mx.rateAt = time.Now()
	if l.cfg.debug {
		l.wd = newWatchdog(&l.cfg)
	}
	if l.cfg.seeded {
		l.rng = newScheduleShuffle(l.cfg.seed)
	}
}

// publish copies the loop goroutine's counts to the atomics.
func (m *loopMetrics) publish(l *Loop) {
	m.pubSteps.Store(m.steps)
	m.ready.Store(int64(l.ready.Len()))
	m.tasks.Store(int64(l.tasks.n))
}

// blocking is called before the loop blocks waiting for events.
func (m *loopMetrics) blocking(l *Loop, forever bool) {
	m.publish(l)
	if forever {
		m.waitingForever.Store(true)
	}
}

// unblocked is called when the wait returns.
func (m *loopMetrics) unblocked() { m.waitingForever.Store(false) }

// beginBatch is called when an iteration's batch is formed (by runOnce or
// at a boundary crossed by the hand-off). It ends a sample still open
// (the hand-off does not return to runOnce) and samples one batch in 64.
func (m *loopMetrics) beginBatch(l *Loop) {
	if m.iters++; m.iters&63 == 0 || m.sampling {
		m.sampleBatch(l)
	}
}

// sampleBatch is beginBatch's slow path (kept out of line so that
// beginBatch inlines).
func (m *loopMetrics) sampleBatch(l *Loop) {
	if m.sampling {
		m.endBatch(l)
	}
	if m.iters&63 == 0 && l.ready.Len() > 0 {
		m.sampling = true
		m.t0 = time.Now()
	}
}

// endBatch records the lag of a sampled batch.
func (m *loopMetrics) endBatch(l *Loop) {
	m.sampling = false
	d := int64(time.Since(m.t0))
	m.lag.Store(d)
	for {
		old := m.maxLag.Load()
		if d <= old || m.maxLag.CompareAndSwap(old, d) {
			break
		}
	}
	m.publish(l)
}

// Metrics returns the loop's counters. Any goroutine; the counts are
// those last published by the loop (at most 64 steps old while it runs,
// exact while it waits).
func (l *Loop) Metrics() Metrics {
	m := &l.mx
	s := Metrics{
		Steps:          m.pubSteps.Load(),
		Ready:          int(m.ready.Load()),
		Tasks:          int(m.tasks.Load()),
		LoopLag:        time.Duration(m.lag.Load()),
		MaxLoopLag:     time.Duration(m.maxLag.Load()),
		SlowSteps:      m.slow.Load(),
		IOWaits:        m.ioWaits.Load(),
		WaitingForever: m.waitingForever.Load(),
		InFlight:       m.inFlight.Load(),
	}
	m.mu.Lock()
	now := time.Now()
	if dt := now.Sub(m.rateAt).Seconds(); dt > 0 && s.Steps >= m.rateSteps {
		s.StepsPerSecond = float64(s.Steps-m.rateSteps) / dt
	}
	if math.IsInf(s.StepsPerSecond, 0) || math.IsNaN(s.StepsPerSecond) {
		s.StepsPerSecond = 0
	}
	m.rateAt, m.rateSteps = now, s.Steps
	m.mu.Unlock()
	return s
}

// AddInFlight adds delta to the loop's count of work in flight on other
// goroutines: +1 before starting a goroutine that will post back with
// CallSoonThreadsafe, -1 once it has posted (or given up). WaitIdle and
// aiotest's deadlock detection treat the loop as busy while the count is
// positive. Any goroutine.
func (l *Loop) AddInFlight(delta int) { l.mx.inFlight.Add(int64(delta)) }
