//go:build linux

package aio_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func listenUDP(t *testing.T, ctx *aio.Context) *aio.PacketConn {
	t.Helper()
	pc, err := aio.ListenPacket(ctx, "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("ListenPacket: %v", err)
	}
	return pc
}

// TestUDPSendAndReceiveWithAddresses: a datagram sent with WriteTo arrives
// whole at ReadFrom with the sender's address, the reply goes back to that
// address, and a DialUDP endpoint talks with Read and Write.
func TestUDPSendAndReceiveWithAddresses(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a, b := listenUDP(t, ctx), listenUDP(t, ctx)
		defer a.Close()
		defer b.Close()
		if _, err := a.WriteTo([]byte("ping"), b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, from, err := b.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "ping" || from.String() != a.LocalAddr().String() {
			t.Fatalf("ReadFrom = %q, %v, %v; want ping from %v", buf[:n], from, err, a.LocalAddr())
		}
		if _, err := b.WriteTo([]byte("pong"), from); err != nil {
			t.Fatal(err)
		}
		n, from, err = a.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "pong" || from.String() != b.LocalAddr().String() {
			t.Fatalf("ReadFrom = %q, %v, %v", buf[:n], from, err)
		}

		d, err := aio.DialUDP(ctx, "udp", b.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if d.RemoteAddr().String() != b.LocalAddr().String() {
			t.Errorf("RemoteAddr = %v", d.RemoteAddr())
		}
		if _, err := d.Write([]byte("connected")); err != nil {
			t.Fatal(err)
		}
		n, from, err = b.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "connected" || from.String() != d.LocalAddr().String() {
			t.Fatalf("ReadFrom = %q, %v, %v", buf[:n], from, err)
		}
		if _, err := b.WriteTo([]byte("back"), from); err != nil {
			t.Fatal(err)
		}
		if n, err = d.Read(buf); err != nil || string(buf[:n]) != "back" {
			t.Fatalf("Read = %q, %v", buf[:n], err)
		}
		if _, err := d.WriteTo([]byte("x"), a.LocalAddr()); !errors.Is(err, net.ErrWriteToConnected) {
			t.Errorf("WriteTo on a connected endpoint: %v", err)
		}
		// A zero-length datagram is a datagram, not an end of stream.
		if _, err := a.WriteTo(nil, b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		if n, _, err = b.ReadFrom(buf); n != 0 || err != nil {
			t.Errorf("empty datagram: %d, %v", n, err)
		}
		return nil
	})
}

// TestUnixgramEndpoints: datagrams between two bound Unix datagram
// sockets carry the sender's path; Close removes the socket file.
func TestUnixgramEndpoints(t *testing.T) {
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	runNet(t, false, func(ctx *aio.Context) error {
		a, err := aio.ListenPacket(ctx, "unixgram", pa)
		if err != nil {
			t.Fatal(err)
		}
		b, err := aio.ListenPacket(ctx, "unixgram", pb)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.WriteTo([]byte("hi"), b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		n, from, err := b.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "hi" || from == nil || from.String() != pa {
			t.Fatalf("ReadFrom = %q, %v, %v", buf[:n], from, err)
		}
		a.Close()
		b.Close()
		return aio.Sleep(ctx, 0)
	})
}

// TestUDPReadCancelledByAScopeTimeout: a ReadFromContext in a 5 s scope on
// the virtual clock ends with an error matching
// context.DeadlineExceeded and os.ErrDeadlineExceeded when the loop's
// time reaches the scope's deadline; the endpoint stays usable.
func TestUDPReadCancelledByAScopeTimeout(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a := listenUDP(t, ctx)
		defer a.Close()
		start := ctx.Loop().Time()
		rctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		_, _, err := a.ReadFromContext(rctx, make([]byte, 8))
		cancel()
		var ne net.Error
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("ReadFromContext = %v, want a timeout", err)
		}
		if el := ctx.Loop().Time().Sub(start); el < 5*time.Second {
			t.Errorf("ended after %v of loop time", el)
		}
		// A deadline is a loop timer too.
		a.SetReadDeadline(ctx.Loop().Time().Add(time.Second))
		if _, _, err := a.ReadFrom(make([]byte, 8)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ReadFrom past the deadline = %v", err)
		}
		a.SetReadDeadline(time.Time{})
		if _, err := a.WriteTo([]byte("still"), a.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		if n, _, err := a.ReadFrom(buf); err != nil || string(buf[:n]) != "still" {
			t.Fatalf("after the timeout: %q, %v", buf[:n], err)
		}
		return nil
	})
}

// TestClosingAnEndpointWhileAReadWaits: Close from another task ends a
// pending ReadFrom with an error wrapping net.ErrClosed.
func TestClosingAnEndpointWhileAReadWaits(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a := listenUDP(t, ctx)
		rd := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			n, _, err := a.ReadFrom(make([]byte, 8))
			return n, err
		})
		if err := aio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		if rd.Done() {
			t.Fatal("read ended before Close")
		}
		a.Close()
		if _, err := rd.Await(ctx); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("pending read after Close: %v", err)
		}
		if _, err := a.WriteTo([]byte("x"), a.LocalAddr()); !errors.Is(err, net.ErrClosed) {
			t.Errorf("WriteTo after Close: %v", err)
		}
		return nil
	})
}

// TestUDPReadFromAndWriteToOnAReadySocketDoNotAllocate: the AddrPort
// forms allocate nothing when the socket does not block.
func TestUDPReadFromAndWriteToOnAReadySocketDoNotAllocate(t *testing.T) {
	if os.Getenv("AIODEBUG") != "" {
		t.Skip("debug mode trades allocations for its checks")
	}
	runNet(t, false, func(ctx *aio.Context) error {
		a, b := listenUDP(t, ctx), listenUDP(t, ctx)
		defer a.Close()
		defer b.Close()
		to := b.LocalAddr().(*net.UDPAddr).AddrPort()
		msg, buf := make([]byte, 64), make([]byte, 64)
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := a.WriteToUDPAddrPort(msg, to); err != nil {
				t.Fatal(err)
			}
			if n, _, err := b.ReadFromUDPAddrPort(buf); err != nil || n != 64 {
				t.Fatalf("ReadFrom = %d, %v", n, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per WriteTo+ReadFrom, want 0", allocs)
		}
		return nil
	})
}
