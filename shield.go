package aio

// Shield waits for aw like aw.Await, except that cancellation of the
// caller's scope does not reach aw (asyncio.shield): Shield then returns the
// cancellation error at once and aw keeps running. If aw itself is
// cancelled, Shield returns aw's cancellation error. A done aw returns its
// result without yielding. Loop goroutine only.
func Shield[T any, A Awaitable[T]](ctx *Context, aw A) (T, error) {
	fc := aw.core()
	if !fc.done {
		t := ctx.enter()
		if fc.owner == t {
			var zero T
			return zero, ErrAwaitSelf
		}
		if cerr := ctx.cancelErr(); cerr != nil {
			var zero T
			return zero, cerr
		}
		fc.addWaiter(t)
		for !fc.done {
			ok := t.park(ctx)
			if !ok || ctx.cancelErr() != nil {
				if !fc.done {
					fc.removeWaiter(t)
				}
				var zero T
				if !ok {
					return zero, ErrLoopClosed
				}
				return zero, ctx.cancelErr()
			}
		}
	}
	return aw.Result()
}
