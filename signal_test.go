//go:build unix

package aio_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

// Signals are sent to the test process only while a handler for them is
// installed (otherwise SIGUSR1 would end the process).

func TestAddSignalHandlerRunsTheHandlerOnTheLoop(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		got := aio.NewFuture[os.Signal](ctx)
		// The handler runs on the loop: it may resolve a future directly.
		if err := l.AddSignalHandler(syscall.SIGUSR1, func() { _ = got.SetResult(syscall.SIGUSR1) }); err != nil {
			return err
		}
		defer l.RemoveSignalHandler(syscall.SIGUSR1)
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			return err
		}
		sig, err := got.Await(ctx)
		if sig != syscall.SIGUSR1 {
			t.Errorf("handler saw %v", sig)
		}
		return err
	})
}

func TestAddSignalHandlerAgainReplacesTheHandler(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		got := aio.NewFuture[string](ctx)
		if err := l.AddSignalHandler(syscall.SIGUSR1, func() { _ = got.SetResult("old") }); err != nil {
			return err
		}
		if err := l.AddSignalHandler(syscall.SIGUSR1, func() { _ = got.SetResult("new") }); err != nil {
			return err
		}
		defer l.RemoveSignalHandler(syscall.SIGUSR1)
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			return err
		}
		v, err := got.Await(ctx)
		if v != "new" {
			t.Errorf("the %s handler ran, want the replacement", v)
		}
		return err
	})
}

// Removing one handler keeps the others working (the subscription moves to
// a new channel without a gap) and the goroutine exits with the last one.
func TestRemoveSignalHandlerReportsWhetherItRemovedOneAndKeepsTheOthers(t *testing.T) {
	runReal(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		before := goleak.IgnoreCurrent()
		got := aio.NewFuture[string](ctx)
		if err := l.AddSignalHandler(syscall.SIGUSR1, func() { _ = got.SetResult("usr1") }); err != nil {
			return err
		}
		if err := l.AddSignalHandler(syscall.SIGUSR2, func() { _ = got.SetResult("usr2") }); err != nil {
			return err
		}
		if !l.RemoveSignalHandler(syscall.SIGUSR1) {
			t.Errorf("RemoveSignalHandler(SIGUSR1) = false with a handler installed")
		}
		if l.RemoveSignalHandler(syscall.SIGUSR1) {
			t.Errorf("a second RemoveSignalHandler(SIGUSR1) = true")
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
			return err
		}
		v, err := got.Await(ctx)
		if v != "usr2" {
			t.Errorf("got %q, want the SIGUSR2 handler", v)
		}
		if !l.RemoveSignalHandler(syscall.SIGUSR2) {
			t.Errorf("RemoveSignalHandler(SIGUSR2) = false")
		}
		goleak.VerifyNone(t, before) // the signal goroutine is gone with the last handler
		return err
	})
}

func TestAddSignalHandlerRejectsNilArgumentsUncatchableSignalsAndClosedLoops(t *testing.T) {
	l := aio.NewLoop()
	if err := l.AddSignalHandler(nil, func() {}); err == nil {
		t.Errorf("a nil signal was accepted")
	}
	if err := l.AddSignalHandler(syscall.SIGUSR1, nil); err == nil {
		t.Errorf("a nil handler was accepted")
	}
	for _, sig := range []os.Signal{os.Kill, syscall.SIGSTOP} {
		if err := l.AddSignalHandler(sig, func() {}); err == nil {
			t.Errorf("AddSignalHandler(%v) was accepted; it cannot be caught", sig)
		}
	}
	_ = l.Close()
	if err := l.AddSignalHandler(syscall.SIGUSR1, func() {}); err != aio.ErrLoopClosed {
		t.Errorf("AddSignalHandler on a closed loop = %v, want ErrLoopClosed", err)
	}
	if l.RemoveSignalHandler(syscall.SIGUSR1) {
		t.Errorf("RemoveSignalHandler on a closed loop = true")
	}
}

func TestClosingTheLoopRemovesItsSignalHandlers(t *testing.T) {
	l := aio.NewLoop()
	if err := l.AddSignalHandler(syscall.SIGUSR1, func() {}); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	noLeak(t)
	if l.RemoveSignalHandler(syscall.SIGUSR1) {
		t.Errorf("a handler survived Close")
	}
}
