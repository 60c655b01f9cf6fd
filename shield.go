package aio

// Shield waits for aw like aw.Await, except that cancellation of the
// caller's scope does not reach aw (asyncio.shield): Shield then returns the
// cancellation error at once and aw keeps running. If aw itself is
// cancelled, Shield returns aw's cancellation error. A done aw returns its
// result without yielding. Loop goroutine only.
func Shield[T any](ctx *Context, aw Awaitable[T]) (T, error) {
	fc := aw.core()
	if !fc.done {
		var zero T
		t := ctx.enter("aio.Shield")
		if err := fc.awaitBy("aio.Shield", t); err != nil {
			return zero, err
		}
		if cerr := ctx.checkCancel(); cerr != nil {
			return zero, cerr
		}
		t.node.w = t
		fc.link(&t.node)
		if err := t.park(ctx, withdraw{}); err != nil {
			fc.unlink(&t.node)
			return zero, err
		}
	}
	return aw.Result()
}
