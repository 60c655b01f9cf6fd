//go:build unix

package aio

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
)

// handleInterrupt is tested with SIGINT sent to the test process itself,
// only while its handling is installed.

func TestFirstInterruptCancelsTheMainTaskAndItsDefersRun(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	deferred := false
	main := Go(l, func(ctx *Context) error {
		defer func() { deferred = true }()
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			return err
		}
		return WaitContext(ctx, context.Background()) // waits until cancelled
	})
	stop := handleInterrupt(l, main)
	err := l.RunUntilComplete(main)
	stop()
	stop() // idempotent
	var ce *CancelledError
	if !errors.As(err, &ce) || ce.Message != interruptMessage {
		t.Errorf("main returned %v, want its cancellation by the interrupt", err)
	}
	if !deferred {
		t.Errorf("main's defers did not run")
	}
}

func TestSecondInterruptExitsTheProcessAtOnce(t *testing.T) {
	exited := make(chan struct{})
	old := interruptExit
	interruptExit = func() { close(exited) }
	defer func() { interruptExit = old }()

	l := NewLoop()
	defer l.Close()
	main := Go(l, func(ctx *Context) error {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			return err
		}
		err := WaitContext(ctx, context.Background())
		// Cleanup that hangs (shielded): only a second Ctrl-C gets out.
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			return err
		}
		_, _, _ = Recv(WithoutCancel(ctx), exited)
		return err
	})
	stop := handleInterrupt(l, main)
	defer stop()
	if err := l.RunUntilComplete(main); err == nil {
		t.Errorf("main returned nil, want its cancellation")
	}
	select {
	case <-exited:
	default:
		t.Errorf("the second interrupt did not exit")
	}
}

func TestStoppedInterruptHandlingLeavesNoGoroutine(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	main := Go(l, func(*Context) error { return nil })
	stop := handleInterrupt(l, main)
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	stop()
}
