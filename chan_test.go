package aio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// A ready channel is like a done future: no yield, no goroutine.
func TestRecvFromAReadyChannelReturnsWithoutYielding(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan int, 1)
		ch <- 4
		other := false
		aio.Go(ctx, func(*aio.Context) error { other = true; return nil })
		v, ok, err := aio.Recv(ctx, ch)
		if v != 4 || !ok || err != nil {
			t.Errorf("Recv = %v, %v, %v; want 4, true, nil", v, ok, err)
		}
		if other {
			t.Errorf("Recv from a ready channel yielded to another task")
		}
		return nil
	})
}

func TestRecvWaitsForAValueWithoutBlockingTheLoop(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan string)
		ticks := 0
		ticker := aio.Go(ctx, func(ctx *aio.Context) error {
			for ticks < 3 {
				if err := aio.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
				ticks++
			}
			go func() { ch <- "late" }() // only once the loop has ticked
			return nil
		})
		v, ok, err := aio.Recv(ctx, ch)
		if v != "late" || !ok || err != nil || ticks != 3 {
			t.Errorf("Recv = %q, %v, %v after %d ticks; want late, true, nil after 3", v, ok, err, ticks)
		}
		_, err = ticker.Await(ctx)
		return err
	})
}

func TestRecvFromAClosedChannelReturnsNotOK(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan int)
		close(ch)
		if v, ok, err := aio.Recv(ctx, ch); v != 0 || ok || err != nil {
			t.Errorf("Recv from a closed channel = %v, %v, %v; want 0, false, nil", v, ok, err)
		}
		ch2 := make(chan int)
		aio.Go(ctx, func(ctx *aio.Context) error { close(ch2); return nil })
		if _, ok, err := aio.Recv(ctx, ch2); ok || err != nil {
			t.Errorf("Recv from a channel closed while waiting = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
}

// After a cancelled Recv no goroutine is left receiving from the channel:
// a non-blocking send finds no receiver.
func TestRecvCancellationEndsTheWaitAndItsHelperGoroutine(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		ch := make(chan int)
		sctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		_, _, err := aio.Recv(sctx, ch)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Recv = %v, want the scope's timeout", err)
		}
		select {
		case ch <- 1:
			t.Errorf("a helper goroutine still receives after Recv returned")
		default:
		}
		return nil
	})
}

func TestRecvInACancelledScopeOnAnEmptyChannelReturnsTheCancellation(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		sctx, cancel := aio.WithCancel(ctx)
		cancel()
		if _, _, err := aio.Recv(sctx, make(chan int)); !errors.Is(err, context.Canceled) {
			t.Errorf("Recv = %v, want the cancellation", err)
		}
		return nil
	})
}

func TestSendToAReadyChannelReturnsWithoutYielding(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan int, 1)
		other := false
		aio.Go(ctx, func(*aio.Context) error { other = true; return nil })
		if err := aio.Send(ctx, ch, 8); err != nil || other || <-ch != 8 {
			t.Errorf("Send to a ready channel: err %v, yielded %t", err, other)
		}
		return nil
	})
}

func TestSendWaitsForAReceiverWithoutBlockingTheLoop(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan int)
		receiver := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			v, _, err := aio.Recv(ctx, ch)
			return v, err
		})
		if err := aio.Send(ctx, ch, 11); err != nil {
			return err
		}
		if v, err := receiver.Await(ctx); v != 11 || err != nil {
			t.Errorf("the receiver got %v, %v; want 11", v, err)
		}
		return nil
	})
}

// A cancelled Send never delivers its value afterwards: once it returned
// the cancellation, nobody offers the value on the channel.
func TestSendCancelledNeverDeliversTheValueAfterwards(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan int)
		w := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Send(ctx, ch, 1) })
		if err := aio.Sleep(ctx, 0); err != nil { // w starts waiting
			return err
		}
		w.Cancel()
		if _, err := w.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Send = %v, want the cancellation", err)
		}
		select {
		case v := <-ch:
			t.Errorf("received %v from a cancelled Send", v)
		default:
		}
		return nil
	})
}

// As `ch <- v`: sending on a closed channel panics in the sending task.
// (Closing a channel while a send waits on it is a data race in Go; Send's
// helper then hands the panic back to the task too.)
func TestSendOnAClosedChannelPanicsInTheTask(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		ch := make(chan int)
		close(ch)
		r := recoverPanic(func() { aio.Send(ctx, ch, 1) })
		if e, _ := r.(error); e == nil || !strings.Contains(e.Error(), "send on closed channel") {
			t.Errorf("Send on a closed channel panicked with %v, want the runtime's panic", r)
		}
		return nil
	})
}

func TestWaitContextReturnsWhenTheOtherContextIsDone(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		other, cancel := context.WithCancel(context.Background())
		aio.Go(ctx, func(ctx *aio.Context) error {
			if err := aio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if err := aio.WaitContext(ctx, other); err != nil {
			t.Errorf("WaitContext = %v, want nil once the other context is done", err)
		}
		// Done already: at once.
		if err := aio.WaitContext(ctx, other); err != nil {
			t.Errorf("WaitContext on a done context = %v, want nil", err)
		}
		return nil
	})
}

func TestWaitContextCancellationReturnsTheScopesError(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		sctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := aio.WaitContext(sctx, context.Background()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitContext = %v, want the scope's timeout", err)
		}
		other, cancelOther := context.WithCancel(context.Background())
		defer cancelOther()
		sctx2, cancel2 := aio.WithTimeout(ctx, time.Second)
		defer cancel2()
		if err := aio.WaitContext(sctx2, other); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitContext = %v, want the scope's timeout", err)
		}
		return nil
	})
}

func TestChannelAwaitsWithANilContextPanic(t *testing.T) {
	for name, fn := range map[string]func(){
		"Recv":        func() { aio.Recv(nil, make(chan int)) },
		"Send":        func() { aio.Send(nil, make(chan int), 1) },
		"WaitContext": func() { aio.WaitContext(nil, context.Background()) },
	} {
		if msg, _ := recoverPanic(fn).(string); !strings.Contains(msg, "nil *Context") {
			t.Errorf("%s(nil ctx) panicked with %q, want a message about the nil Context", name, msg)
		}
	}
}
