package aio

import "iter"

// completionWait collects completions for AsCompleted between the steps of
// the range loop.
type completionWait struct {
	m       multiWait
	done    []*futureCore
	waiting bool // the task is parked in the iterator (not in the loop body)
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
	const op = "aio.AsCompleted"
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
		var w completionWait
		// Already-done ones first, in input order.
		for _, fc := range order {
			if fc.done {
				w.done = append(w.done, fc)
			}
		}
		registered := false
		defer func() {
			if registered {
				w.m.unwatch()
			}
		}()
		left := len(order)
		var zero A
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
			t := ctx.enter(op)
			if !registered {
				for _, fc := range order {
					if err := fc.awaitBy(op, t); err != nil {
						yield(zero, err)
						return
					}
				}
				w.m.t = t
				w.m.done = func(fc *futureCore) bool {
					w.done = append(w.done, fc)
					return w.waiting
				}
				w.m.watch(order)
				registered = true
			}
			if err := ctx.checkCancel(); err != nil {
				yield(zero, err)
				return
			}
			if len(w.done) == 0 {
				w.waiting = true
				err := t.park(ctx, withdraw{})
				w.waiting = false
				if err != nil {
					yield(zero, err)
					return
				}
			}
		}
	}
}
