package aio

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run is the entry point of an aio program (asyncio.run): it creates a
// loop with opts, runs main as a task until it returns, then cancels every
// task still pending and runs the loop until they have finished (their
// defers run), reports errors that nobody retrieved (and errors other than
// cancellation that the cancelled tasks returned) to the exception
// handler, closes the loop and returns main's error. As in asyncio, the
// loop stops from a callback scheduled when main completes, so tasks that
// main's last step made ready run one more step before the shutdown
// cancels them.
//
// While Run waits for the cancelled tasks, it logs (log/slog, warning
// level) which tasks it is still waiting for and for how long, first after
// one second (WithShutdownReport), then at growing intervals: a task that
// ignores its cancellation (a retry loop that drops the error of Sleep)
// or never awaits keeps Run from returning.
//
// Ctrl-C is handled as asyncio.run does: the first SIGINT cancels main (its
// defers and cleanups run, and Run returns main's cancellation, whose
// message says it was interrupted); a second one exits the process at once
// with status 130.
//
// Run must not be called from a running loop's task or callback
// (ErrNestedRun): call the coroutine, or Spawn it, instead. If main (or a
// task) calls runtime.Goexit, the loop is shut down the same way and the
// Goexit continues in the goroutine that called Run (see the package
// documentation).
func Run(main func(ctx *Context) error, opts ...Option) error {
	if main == nil {
		misuse("aio.Run", ErrNilFunc, "pass the main coroutine")
	}
	if runningLoops.Load() > 0 && inLoopGoroutine() {
		return ErrNestedRun
	}
	l := NewLoop(opts...)
	finished := false
	defer func() {
		if !finished {
			// Goexit (or a panic escaping the loop): unwind everything.
			l.shutdown()
		}
	}()
	mt := Go(l, main)
	mt.SetName("main")
	stopInterrupt := handleInterrupt(l, mt)
	defer stopInterrupt() // (also on Goexit)
	err := l.RunUntilComplete(mt)
	stopInterrupt()
	if !mt.Done() {
		// The loop could not run main to completion (it cannot happen with
		// a fresh loop, but do not hide it).
		l.shutdown()
		finished = true
		if err == nil {
			err = ErrStoppedBeforeComplete
		}
		return err
	}
	l.shutdown()
	finished = true
	return err
}

// shutdown cancels all pending tasks, runs the loop until they are done,
// reports what they returned other than a cancellation, and closes the loop.
func (l *Loop) shutdown() {
	if l.state.Load() == stateClosed {
		return
	}
	l.stepping = nil
	l.current = nil
	var pending []AnyTask
	for t := l.tasks.head; t != nil; t = t.next {
		pending = append(pending, t.job)
	}
	if len(pending) > 0 {
		r := newShutdownReport(pending, l.cfg.shutdownReport)
		l.cancelAll("loop shutting down")
		w := Go(l, func(ctx *Context) error {
			shielded := WithoutCancel(ctx)
			for i, t := range pending {
				if !t.Done() {
					_ = t.core().await("Run", shielded)
				}
				r.done[i].Store(true)
			}
			return nil
		})
		_ = l.RunUntilComplete(w)
		r.stop()
		for _, t := range pending {
			if err := t.Err(); err != nil && !t.Cancelled() {
				l.report(ExceptionContext{
					Message: "unhandled error during Run() shutdown",
					Err:     err,
					Task:    t,
				})
			}
		}
	}
	l.Close()
}

// shutdownReport logs, from a timer goroutine, which tasks a shutdown is
// still waiting for: the loop may be held by one of them, so it reads only
// the names taken before the shutdown and atomic flags.
type shutdownReport struct {
	names   []string
	done    []atomic.Bool
	start   time.Time
	mu      sync.Mutex // guards timer and stopped
	timer   *time.Timer
	next    time.Duration
	stopped bool
}

func newShutdownReport(tasks []AnyTask, first time.Duration) *shutdownReport {
	r := &shutdownReport{names: make([]string, len(tasks)), done: make([]atomic.Bool, len(tasks)), start: time.Now()}
	for i, t := range tasks {
		r.names[i] = t.Name()
	}
	if first > 0 {
		r.mu.Lock()
		r.next = first
		r.timer = time.AfterFunc(first, r.report)
		r.mu.Unlock()
	}
	return r
}

func (r *shutdownReport) report() {
	var waiting []string
	for i := range r.names {
		if !r.done[i].Load() {
			waiting = append(waiting, r.names[i])
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || len(waiting) == 0 {
		return
	}
	slog.Warn(fmt.Sprintf("aio: Run is still waiting, %.1fs after cancelling them, for %d task(s) to finish: %s; "+
		"a task that ignores its cancellation (for example a retry loop that drops the error of an await) or never awaits keeps Run from returning",
		time.Since(r.start).Seconds(), len(waiting), strings.Join(waiting, ", ")),
		"tasks", waiting)
	r.next = min(2*r.next, 30*time.Second)
	r.timer.Reset(r.next)
}

func (r *shutdownReport) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.timer != nil {
		r.timer.Stop()
	}
}
