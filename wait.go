package aio

import (
	"errors"
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

type waitWaiter struct {
	t    *task
	mode WaitMode
	left int
	hit  bool
}

func (w *waitWaiter) wake(fc *futureCore) {
	w.left--
	if w.left == 0 || w.mode == FirstCompleted || (w.mode == FirstError && fc.err != nil && !fc.cancelled) {
		w.hit = true
		w.t.schedule()
	}
}

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
	satisfied := func() bool {
		n := 0
		for _, a := range uniq {
			fc := a.core()
			if fc.done {
				n++
				if cfg.mode == FirstCompleted || (cfg.mode == FirstError && fc.err != nil && !fc.cancelled) {
					return true
				}
			}
		}
		return n == len(uniq)
	}
	if !satisfied() && !(cfg.timed && cfg.timeout <= 0) {
		t := ctx.enter()
		if err := ctx.cancelErr(); err != nil {
			return nil, nil, err
		}
		wctx := ctx
		if cfg.timed {
			var cancel CancelFunc
			wctx, cancel = WithTimeout(ctx, cfg.timeout)
			defer cancel()
		}
		w := &waitWaiter{t: t, mode: cfg.mode}
		for _, a := range uniq {
			if fc := a.core(); !fc.done {
				fc.addWaiter(w)
				w.left++
			}
		}
		for !w.hit {
			ok := t.park(wctx)
			if !ok {
				err = ErrLoopClosed
				break
			}
			if cerr := wctx.cancelErr(); cerr != nil {
				if cerr = ctx.cancelErr(); cerr != nil {
					err = cerr // the caller was cancelled, not just timed out
				}
				break
			}
		}
		for _, a := range uniq {
			if fc := a.core(); !fc.done {
				fc.removeWaiter(w)
			}
		}
		if err != nil {
			return nil, nil, err
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
// returns only after aw has finished: with aw's value if aw suppressed the
// cancellation, with aw's error if it failed some other way, or else with a
// *TimeoutError (errors.Is(err, context.DeadlineExceeded)) whose Cause is
// aw's cancellation. timeout ≤ 0 means aw gets no time at all: a done aw
// returns its result, a pending one is cancelled (a task that has not
// started never runs). If the caller's scope is cancelled, aw is cancelled
// and waited for the same way and the caller's cancellation is returned.
// Loop goroutine only.
func WaitFor[T any, A Awaitable[T]](ctx *Context, aw A, timeout time.Duration) (T, error) {
	fc := aw.core()
	if fc.done {
		return aw.Result()
	}
	sub, cancel := WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	if cerr := sub.cancelErr(); cerr != nil {
		// Already expired (or the caller is cancelled): cancel aw and wait.
		t := ctx.enter()
		err = fc.cancelAndWait(t, cerr)
	} else {
		_, err = aw.Await(sub)
	}
	if err == nil {
		return aw.Result()
	}
	var te *TimeoutError
	if errors.As(err, &te) && ctx.cancelErr() == nil {
		var zero T
		return zero, &TimeoutError{Cause: fc.err}
	}
	var zero T
	return zero, err
}
