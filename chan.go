package aio

import "context"

// Recv receives from ch without blocking the loop: the calling task is
// suspended until a value arrives or ch is closed, and other tasks run
// meanwhile. It returns the value and ok as `v, ok := <-ch` does. If ch is
// ready (a value is buffered or a sender waits, or ch is closed) Recv
// returns at once, without yielding and without a goroutine, even in a
// cancelled scope, as awaiting a done future does.
//
// Otherwise one helper goroutine waits on ch for the duration of the
// await. If ctx is cancelled first, Recv returns the cancellation error and
// no value is taken from ch; if the helper had already received a value at
// that moment, Recv returns that value with a nil error instead, so a value
// is never lost (the cancellation shows at the next await, like Queue.Get).
// The helper has exited when Recv returns. A nil channel waits until ctx is
// cancelled. ctx must be the Context (or a scope) of the running task; Recv
// is an await, for the loop goroutine only.
func Recv[T any](ctx *Context, ch <-chan T) (v T, ok bool, err error) {
	checkAwaitCtx(ctx, "Recv")
	select {
	case v, ok = <-ch:
		return v, ok, nil
	default:
	}
	got := false
	err = awaitHelper(ctx, func(stop <-chan struct{}) {
		select {
		case v, ok = <-ch:
			got = true
		case <-stop:
		}
	})
	if got {
		return v, ok, nil
	}
	var zero T
	return zero, false, err
}

// Send sends v on ch without blocking the loop: the calling task is
// suspended until a receiver takes v, and other tasks run meanwhile. If ch
// can take v at once, Send returns without yielding and without a
// goroutine. Otherwise one helper goroutine offers v for the duration of
// the await; if ctx is cancelled first, Send returns the cancellation error
// and v is never delivered (the helper stops offering it before Send
// returns); if v was taken at that very moment, Send returns nil instead.
// Sending on a closed channel panics, in the calling task, as `ch <- v`
// does. A nil channel waits until ctx is cancelled. Loop goroutine only,
// like Recv.
func Send[T any](ctx *Context, ch chan<- T, v T) error {
	checkAwaitCtx(ctx, "Send")
	select {
	case ch <- v:
		return nil
	default:
	}
	sent := false
	var panicked any
	err := awaitHelper(ctx, func(stop <-chan struct{}) {
		defer func() { panicked = recover() }() // ch closed while waiting
		select {
		case ch <- v:
			sent = true
		case <-stop:
		}
	})
	if panicked != nil {
		panic(panicked)
	}
	if sent {
		return nil
	}
	return err
}

// WaitContext suspends the calling task until other (a context.Context
// made outside the loop, such as a server's shutdown context) is done, and
// returns nil then; read other.Err() for the reason. If other is done
// already it returns nil at once, without yielding or a goroutine. If ctx
// is cancelled first it returns the cancellation error. A context that can
// never be done (Done() == nil) waits until ctx is cancelled. While it
// waits one helper goroutine watches other; it has exited when WaitContext
// returns. Loop goroutine only, like Recv.
func WaitContext(ctx *Context, other context.Context) error {
	checkAwaitCtx(ctx, "WaitContext")
	if other == nil {
		panic("aio: WaitContext with a nil context.Context")
	}
	done := other.Done()
	select {
	case <-done:
		return nil
	default:
	}
	got := false
	err := awaitHelper(ctx, func(stop <-chan struct{}) {
		select {
		case <-done:
			got = true
		case <-stop:
		}
	})
	if got {
		return nil
	}
	return err
}

func checkAwaitCtx(ctx *Context, what string) {
	if ctx == nil {
		panic("aio: " + what + " with a nil *Context; pass the Context your coroutine received")
	}
}

// awaitHelper runs wait on a new goroutine and suspends the calling task
// until wait returns or ctx is cancelled. wait must return soon after stop
// is closed. awaitHelper closes stop when the await ends, for whatever
// reason, and returns only once the goroutine has finished wait, so
// whatever wait recorded can be read safely afterwards. It returns the
// await's error: nil when wait returned by itself.
func awaitHelper(ctx *Context, wait func(stop <-chan struct{})) error {
	l := ctx.Loop()
	if l.IsClosed() {
		return ErrLoopClosed
	}
	if err := ctx.Cause(); err != nil {
		return err
	}
	fut := NewFuture[struct{}](ctx)
	stop := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		wait(stop)
		_ = l.CallSoonThreadsafe(func() { _ = fut.SetResult(struct{}{}) })
		close(exited) // last: once the task sees it, the goroutine only returns
	}()
	_, err := fut.Await(ctx)
	close(stop)
	<-exited // wait returns promptly once stop is closed
	return err
}
