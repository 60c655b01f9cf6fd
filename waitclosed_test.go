//go:build linux

package aio_test

import (
	"testing"

	"github.com/asyncgo/aio"
)

// TestStreamWaitClosedWaitsForTheDescriptor: WaitClosed returns once the
// loop has released the connection's descriptor (the process's fd count is
// back to what it was), not merely once Close was called; a WaitClosed
// started before Close waits for it.
func TestStreamWaitClosedWaitsForTheDescriptor(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		// A listener that never accepts: the only descriptor the
		// connection adds is the client's.
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		s, err := aio.OpenConnection(ctx, "tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		early := aio.Go(ctx, func(ctx *aio.Context) error { return s.WaitClosed(ctx) })
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		if early.Done() {
			t.Fatal("WaitClosed returned before Close")
		}
		open := openFDs(t)
		s.Close()
		if err := s.WaitClosed(ctx); err != nil {
			return err
		}
		if n := openFDs(t); n != open-1 {
			t.Errorf("fds: %d before Close, %d after WaitClosed; want one fewer", open, n)
		}
		if _, err := early.Await(ctx); err != nil {
			t.Errorf("early WaitClosed: %v", err)
		}
		if err := s.WaitClosed(ctx); err != nil {
			t.Errorf("WaitClosed after the release: %v", err)
		}
		return nil
	})
}

// TestAcceptConnWithAnotherLoopsContextPanics: AcceptConn checks that ctx
// belongs to the listener's loop (ErrWrongLoop), as Conn.ReadContext does.
func TestAcceptConnWithAnotherLoopsContextPanics(t *testing.T) {
	la := aio.NewLoop()
	defer la.Close()
	lt := aio.Spawn(la, func(ctx *aio.Context) (*aio.Listener, error) {
		return aio.Listen(ctx, "tcp", "127.0.0.1:0")
	})
	if err := la.RunUntilComplete(lt); err != nil {
		t.Fatal(err)
	}
	ln, err := lt.Result()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = aio.Run(func(ctx *aio.Context) error {
		expectMisuse(t, recoverPanic(func() { ln.AcceptConn(ctx) }), aio.ErrWrongLoop, "Listener.AcceptConn")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
