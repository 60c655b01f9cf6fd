package aio

import (
	"context"
	"time"
)

// WaitOption configures Wait: FirstCompleted, FirstError, AllCompleted, or
// WaitTimeout.
type WaitOption interface{ applyWait(*waitConfig) }

type waitConfig struct {
	mode    WaitMode
	timeout time.Duration
	timed   bool
}

// WaitMode says when Wait returns.
type WaitMode int

const (
	// AllCompleted: when everything is done (the default).
	AllCompleted WaitMode = iota
	// FirstCompleted: when at least one is done.
	FirstCompleted
	// FirstError: when one fails with an error (a cancellation does not
	// count, as in asyncio's FIRST_EXCEPTION), or when everything is done.
	FirstError
)

func (m WaitMode) applyWait(c *waitConfig) { c.mode = m }

type waitTimeout time.Duration

func (d waitTimeout) applyWait(c *waitConfig) {
	c.timeout, c.timed = time.Duration(d), true
}

// WaitTimeout makes Wait return after d even if its condition is not met
// (d ≤ 0: check once, without waiting).
func WaitTimeout(d time.Duration) WaitOption { return waitTimeout(d) }

// Wait waits for the tasks or futures in aws (asyncio.wait) until the
// condition of the WaitMode option holds (AllCompleted by default) or the
// WaitTimeout passes, and returns them split into done and pending, each in
// input order with duplicates removed. Wait never cancels anything and
// never returns a timeout error: on timeout the unfinished ones are in
// pending. Its error is ErrEmptyWait for an empty aws, or the caller's
// cancellation error. Loop goroutine only.
func Wait[A Waitable](ctx *Context, aws []A, opts ...WaitOption) (done, pending []A, err error) {
	if len(aws) == 0 {
		return nil, nil, ErrEmptyWait
	}
	var cfg waitConfig
	for _, o := range opts {
		o.applyWait(&cfg)
	}
	// Unique, in input order.
	uniq := make([]A, 0, len(aws))
	seen := make(map[*futureCore]bool, len(aws))
	for _, a := range aws {
		if fc := a.core(); !seen[fc] {
			seen[fc] = true
			uniq = append(uniq, a)
		}
	}
	// hit is the mode's condition on one completed future.
	hit := func(fc *futureCore) bool {
		return cfg.mode == FirstCompleted || (cfg.mode == FirstError && fc.err != nil && !fc.cancelled)
	}
	satisfied := true
	for _, a := range uniq {
		fc := a.core()
		if !fc.done {
			satisfied = false
		} else if hit(fc) {
			satisfied = true
			break
		}
	}
	if !satisfied && !(cfg.timed && cfg.timeout <= 0) {
		t := ctx.enter("aio.Wait")
		cores := make([]*futureCore, len(uniq))
		for i, a := range uniq {
			cores[i] = a.core()
			if err := cores[i].awaitBy("aio.Wait", t); err != nil {
				return nil, nil, err
			}
		}
		if err := ctx.checkCancel(); err != nil {
			return nil, nil, err
		}
		wctx := ctx
		if cfg.timed {
			var cancel CancelFunc
			wctx, cancel = WithTimeout(ctx, cfg.timeout)
			defer cancel()
		}
		m := &multiWait{t: t}
		m.done = func(fc *futureCore) bool { return m.left == 0 || hit(fc) }
		m.watch(cores)
		perr := t.park(wctx, withdraw{})
		m.unwatch()
		if perr != nil {
			if perr == ErrLoopClosed {
				return nil, nil, perr
			}
			if cerr := ctx.checkCancel(); cerr != nil {
				return nil, nil, cerr // the caller was cancelled, not just timed out
			}
		}
	}
	for _, a := range uniq {
		if a.core().done {
			done = append(done, a)
		} else {
			pending = append(pending, a)
		}
	}
	return done, pending, nil
}

// WaitFor waits for aw with a timeout (asyncio.wait_for). If aw is done in
// time, its result is returned. Otherwise aw is cancelled and WaitFor
// returns only after aw has finished: with aw's value if aw completed
// anyway or suppressed the cancellation (an inner task that catches its
// cancellation and returns a value makes WaitFor return that value), with
// aw's error if it failed some other way, or else with a *TimeoutError
// (errors.Is(err, context.DeadlineExceeded); not a cancellation) whose Cause
// is aw's cancellation. A result that arrived before the deadline is never
// lost: if aw completed before the timeout reached the caller, its result
// is returned. timeout ≤ 0 means aw gets no time at all: a done aw returns
// its result, a pending one is cancelled (a task that has not started never
// runs). If the caller's scope is cancelled, aw is cancelled and waited for
// the same way and the caller's cancellation is returned. Loop goroutine
// only.
func WaitFor[T any](ctx *Context, aw Awaitable[T], timeout time.Duration) (T, error) {
	const op = "aio.WaitFor"
	fc := aw.core()
	if fc.done {
		return aw.Result()
	}
	sub, cancel := WithTimeout(ctx, timeout)
	defer cancel()
	var zero T
	if cerr := sub.cancelErr(); cerr != nil {
		// No time at all (or the caller is cancelled): cancel aw and wait
		// for it to finish.
		t := ctx.enter(op)
		if err := fc.awaitBy(op, t); err != nil {
			return zero, err
		}
		fc.cancel(cancelMessage(cerr))
		if !fc.done {
			if err := fc.await(op, WithoutCancel(ctx)); err == ErrLoopClosed {
				return zero, err
			}
		}
		switch {
		case fc.err == nil:
			return aw.Result() // suppressed its cancellation
		case !fc.cancelled:
			fc.markRetrieved()
			return zero, fc.err
		}
		fc.markRetrieved()
	} else if err := fc.await(op, sub); err == nil {
		return aw.Result()
	} else if err == ErrLoopClosed || err == ErrAwaitSelf || !isTimeoutOf(err, sub) {
		return zero, err // a failure of aw, or the caller's cancellation
	}
	if cerr := ctx.checkCancel(); cerr != nil {
		return zero, cerr
	}
	var cause error
	if fc.cancelled {
		cause = fc.err
	}
	return zero, &TimeoutError{Cause: cause}
}

// isTimeoutOf reports whether err is the expiry of scope sub itself.
func isTimeoutOf(err error, sub *Context) bool {
	st := sub.state.Load()
	return st != nil && st.err == err && st.sentinel == context.DeadlineExceeded
}
