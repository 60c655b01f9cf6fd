package aio

import "iter"

type completionWaiter struct {
	t       *task
	done    []*futureCore
	waiting bool // the task is parked in the iterator (not in the loop body)
}

func (w *completionWaiter) wake(fc *futureCore) {
	w.done = append(w.done, fc)
	if w.waiting {
		w.t.schedule()
	}
}

// AsCompleted returns an iterator over aws in the order they complete
// (asyncio.as_completed, in its 3.13 form that yields the original tasks).
// Each step yields a done task or future and a nil error; if the caller's
// scope is cancelled or expires (use WithTimeout for asyncio's timeout
// argument) the iterator yields the zero A and the scope's error, then
// stops. Nothing is cancelled: the remaining tasks keep running. Duplicates
// are yielded once. Ranging must happen in the task ctx belongs to. Each
// range over the iterator starts afresh (already-done ones are yielded
// again); breaking out stops waiting.
//
//	for t, err := range aio.AsCompleted(ctx, tasks...) {
//		if err != nil { return err }
//		v, err := t.Result()
//		...
//	}
func AsCompleted[A Waitable](ctx *Context, aws ...A) iter.Seq2[A, error] {
	return func(yield func(A, error) bool) {
		byCore := make(map[*futureCore]A, len(aws))
		var order []*futureCore
		for _, a := range aws {
			fc := a.core()
			if _, ok := byCore[fc]; !ok {
				byCore[fc] = a
				order = append(order, fc)
			}
		}
		var w completionWaiter
		// Already-done ones first, in input order.
		for _, fc := range order {
			if fc.done {
				w.done = append(w.done, fc)
			}
		}
		registered := false
		defer func() {
			if registered {
				for _, fc := range order {
					if !fc.done {
						fc.removeWaiter(&w)
					}
				}
			}
		}()
		left := len(order)
		for left > 0 {
			for len(w.done) > 0 {
				fc := w.done[0]
				w.done = w.done[1:]
				left--
				if !yield(byCore[fc], nil) {
					return
				}
			}
			if left == 0 {
				return
			}
			t := ctx.enter()
			if !registered {
				w.t = t
				for _, fc := range order {
					if !fc.done {
						fc.addWaiter(&w)
					}
				}
				registered = true
			}
			var zero A
			if err := ctx.cancelErr(); err != nil {
				yield(zero, err)
				return
			}
			if len(w.done) == 0 {
				w.waiting = true
				ok := t.park(ctx)
				w.waiting = false
				if !ok {
					yield(zero, ErrLoopClosed)
					return
				}
			}
		}
	}
}
