package aio

import (
	"fmt"
	"log/slog"
	"time"
)

// ExceptionContext describes an error that nobody else can receive; the loop
// passes it to its exception handler (WithExceptionHandler), as asyncio
// passes its context dict.
type ExceptionContext struct {
	Message string
	Err     error
	Task    AnyTask // the task concerned, if any
	Handle  *Handle // the callback concerned, if any
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
	attrs := []any{"err", ec.Err}
	if ec.Task != nil {
		attrs = append(attrs, "task", ec.Task.Name())
	}
	slog.Error("aio: "+ec.Message, attrs...)
}

// noteFailure remembers a future that completed with an error, to report it
// at Close if nobody retrieved it by then.
func (l *Loop) noteFailure(fc *futureCore) {
	if len(l.failed) >= 1024 && len(l.failed) == cap(l.failed) {
		// Forget the ones that have been retrieved meanwhile.
		kept := l.failed[:0]
		for _, f := range l.failed {
			if !f.retrieved {
				kept = append(kept, f)
			}
		}
		clear(l.failed[len(kept):])
		l.failed = kept
	}
	l.failed = append(l.failed, fc)
}

// reportUnretrieved reports every failed future or task whose error was
// never retrieved (asyncio's "Task exception was never retrieved").
func (l *Loop) reportUnretrieved() {
	for _, fc := range l.failed {
		if fc.retrieved {
			continue
		}
		fc.retrieved = true
		ec := ExceptionContext{Err: fc.err}
		if fc.owner != nil {
			ec.Message = "task error was never retrieved"
			ec.Task = fc.owner.job
		} else {
			ec.Message = "future error was never retrieved"
		}
		l.report(ec)
	}
	l.failed = nil
}

func (l *Loop) debugStart() time.Time {
	if !l.cfg.debug {
		return time.Time{}
	}
	return time.Now()
}

// debugEnd logs a step of t (a callback if t is nil) that took longer than
// the slow-callback threshold; the message is built only then.
func (l *Loop) debugEnd(start time.Time, t *task) {
	if !l.cfg.debug {
		return
	}
	if d := time.Since(start); d >= l.cfg.slow {
		what := "callback"
		if t != nil {
			what = "task " + t.Name()
		}
		slog.Warn(fmt.Sprintf("aio: executing %s took %.3f seconds", what, d.Seconds()))
	}
}
