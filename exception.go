package aio

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"
	"weak"
)

// ExceptionContext describes an error that nobody else can receive; the loop
// passes it to its exception handler (WithExceptionHandler), as asyncio
// passes its context dict.
type ExceptionContext struct {
	Message string
	Err     error
	Task    AnyTask // the task concerned, if it still exists
	Handle  *Handle // the callback concerned, if any
	// TaskName names the task concerned, also when the task itself is
	// gone (an unretrieved error reported after the task was collected).
	TaskName string
	// TaskCreated is where the task was spawned, one frame a line, the
	// call of Spawn or Go first; debug mode only ("" otherwise).
	TaskCreated string
}

// CallExceptionHandler reports ec to the loop's exception handler, or logs
// it with log/slog if there is none. A panic in the handler is caught and
// logged. Loop goroutine only.
func (l *Loop) CallExceptionHandler(ec ExceptionContext) { l.report(ec) }

func (l *Loop) report(ec ExceptionContext) {
	if h := l.cfg.onError; h != nil {
		defer func() {
			if r := recover(); r != nil {
				defaultExceptionHandler(ExceptionContext{
					Message: "panic in exception handler (reporting: " + ec.Message + ")",
					Err:     newPanicError(r),
				})
				defaultExceptionHandler(ec)
			}
		}()
		h(l, ec)
		return
	}
	defaultExceptionHandler(ec)
}

func defaultExceptionHandler(ec ExceptionContext) {
	attrs := []any{"message", ec.Message, "err", ec.Err}
	var pe *PanicError
	if errors.As(ec.Err, &pe) {
		attrs[3] = fmt.Sprint(pe.Value) // the stack goes in its own field
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	if ec.Task != nil {
		attrs = append(attrs, "task", ec.Task.Name())
	} else if ec.TaskName != "" {
		attrs = append(attrs, "task", ec.TaskName)
	}
	msg := "aio: " + ec.Message
	if ec.TaskCreated != "" {
		msg += "\n  task created at:\n" + indent(ec.TaskCreated, "    ")
	}
	slog.Error(msg, attrs...)
}

// failure is an error of a task or future that nobody has retrieved yet.
// The loop keeps the failures, not the tasks: a failed task whose handle
// everybody dropped is garbage collected, and a cleanup then reports its
// error (asyncio's "Task exception was never retrieved", which it reports
// at garbage collection too). Whatever is still unreported when the loop
// closes is reported then.
type failure struct {
	loop      *Loop
	err       error
	name      string         // the task's name; "" for a future
	created   string         // where the task was spawned (debug mode)
	task      func() AnyTask // the task while it is alive (weak)
	retrieved atomic.Bool    // Await, Result, Err, Gather... saw the error
	reported  atomic.Bool
}

// noteFailure records that fc completed with an error nobody has retrieved.
func (l *Loop) noteFailure(fc *futureCore) {
	f := &failure{loop: l, err: fc.err}
	if fc.owner != nil {
		f.name = fc.owner.Name()
		f.created = fc.owner.created()
	}
	fc.fail = f
	if len(l.failed) >= 1024 && len(l.failed) == cap(l.failed) {
		// Forget the ones that were retrieved or reported meanwhile.
		kept := l.failed[:0]
		for _, x := range l.failed {
			if !x.retrieved.Load() && !x.reported.Load() {
				kept = append(kept, x)
			}
		}
		clear(l.failed[len(kept):])
		l.failed = kept
	}
	l.failed = append(l.failed, f)
}

// watchTask and watchFuture arrange for the report when the handle is
// collected. They are called right after the failure is noted.
func watchTask[T any](t *Task[T]) {
	f := t.t.core.fail
	if f == nil {
		return
	}
	wp := weak.Make(t)
	f.task = func() AnyTask {
		if p := wp.Value(); p != nil {
			return p
		}
		return nil
	}
	runtime.AddCleanup(t, (*failure).collected, f)
}

func watchFuture[T any](fu *Future[T]) {
	if f := fu.c.fail; f != nil {
		runtime.AddCleanup(fu, (*failure).collected, f)
	}
}

// collected runs on the runtime's cleanup goroutine once the handle is
// garbage: it posts the report to the loop (on a closed loop Close has
// reported it already).
func (f *failure) collected() {
	if f.retrieved.Load() || f.reported.Load() {
		return
	}
	_ = f.loop.CallSoonThreadsafe(f.report)
}

// report reports the failure once, unless it was retrieved. Loop goroutine.
func (f *failure) report() {
	if f.retrieved.Load() || !f.reported.CompareAndSwap(false, true) {
		return
	}
	ec := ExceptionContext{Err: f.err, TaskName: f.name, TaskCreated: f.created}
	if f.name != "" {
		ec.Message = "task error was never retrieved"
		if f.task != nil {
			ec.Task = f.task()
		}
	} else {
		ec.Message = "future error was never retrieved"
	}
	f.loop.report(ec)
}

// reportUnretrieved reports every failure still unretrieved and unreported.
func (l *Loop) reportUnretrieved() {
	for _, f := range l.failed {
		f.report()
	}
	l.failed = nil
}

// debugStart marks the start of a step of t (a callback if t is nil) in
// debug mode: the watchdog watches it from now on.
func (l *Loop) debugStart(t *task) time.Time {
	if !l.cfg.debug {
		return time.Time{}
	}
	now := time.Now()
	l.wd.begin(t, now)
	return now
}

// debugEnd logs a step of t (a callback if t is nil) that took longer than
// the slow-callback threshold; the message is built only then.
func (l *Loop) debugEnd(start time.Time, t *task) {
	if !l.cfg.debug {
		return
	}
	l.wd.end()
	if d := time.Since(start); d >= l.cfg.slow {
		l.mx.slow.Add(1)
		what := "callback"
		if t != nil {
			what = "task " + t.Name()
		}
		slog.Warn(fmt.Sprintf("aio: executing %s took %.3f seconds", what, d.Seconds()))
	}
}
