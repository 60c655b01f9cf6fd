//go:build linux

package aio_test

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/asyncgo/aio"
	"golang.org/x/sys/unix"
)

// Two loops, each on its own goroutine with its own listener, share one
// port through ReusePort (one loop per core, asyncio's reuse_port): the
// kernel spreads the connections over both and each loop serves its own.
// Without the option the second listener cannot bind.
func TestReusePortLetsTwoLoopsServeOnePort(t *testing.T) {
	const conns = 64
	port := make(chan int, 1)   // A tells B the port
	ready := make(chan bool, 1) // B tells A whether it listens
	stop := make(chan struct{})
	var other int // connections the second loop served
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := aio.Run(func(ctx *aio.Context) error {
			p, _, err := aio.Recv(ctx, port)
			if err != nil {
				return err
			}
			ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(p), aio.ReusePort())
			if err != nil {
				return err
			}
			defer ln.Close()
			ready <- true
			go func() { <-stop; ln.Close() }() // Close is safe from any goroutine
			answerEach(ctx, ln, 2, &other)
			return nil
		})
		if err != nil {
			t.Errorf("second loop: %v", err)
			select {
			case ready <- false: // A must not wait for a loop that never ran
			default:
			}
		}
	}()

	runNet(t, true, func(ctx *aio.Context) error {
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0", aio.ReusePort())
		if err != nil {
			return err
		}
		defer ln.Close()
		addr := ln.Addr().String()
		if _, err := aio.Listen(ctx, "tcp", addr); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("a listener without ReusePort on a shared port: %v, want EADDRINUSE", err)
		}
		port <- ln.Addr().(*net.TCPAddr).Port
		if ok, _, err := aio.Recv(ctx, ready); !ok || err != nil {
			close(stop)
			wg.Wait()
			t.Fatal("the second loop could not listen")
		}
		mine := 0
		aio.Go(ctx, func(ctx *aio.Context) error { answerEach(ctx, ln, 1, &mine); return nil })
		got := map[byte]int{}
		for range conns {
			c, err := aio.Dial(ctx, "tcp", addr)
			if err != nil {
				return err
			}
			var b [1]byte
			if _, err := c.Read(b[:]); err != nil {
				return err
			}
			got[b[0]]++
			c.Close()
		}
		close(stop)
		wg.Wait()
		if got[1] == 0 || got[2] == 0 || got[1]+got[2] != conns || got[1] != mine || got[2] != other {
			t.Errorf("served by this loop %d (answered %d), by the other %d (answered %d); want both > 0, %d in all",
				mine, got[1], other, got[2], conns)
		}
		return nil
	})
}

// answerEach accepts connections on ln until it is closed, answering each
// with the byte b and counting it in served.
func answerEach(ctx *aio.Context, ln *aio.Listener, b byte, served *int) {
	for {
		c, err := ln.AcceptConn(ctx)
		if err != nil {
			return
		}
		*served++
		c.Write([]byte{b})
		c.Close()
	}
}

// Backlog sets the listen queue, and must be positive; AllowBroadcast
// sets SO_BROADCAST on a datagram endpoint; an option for the other kind
// of socket is an error, not silently ignored.
func TestListenOptionsApplyToTheirKindOfSocket(t *testing.T) {
	runNet(t, true, func(ctx *aio.Context) error {
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0", aio.Backlog(8))
		if err != nil {
			t.Fatalf("Listen with Backlog(8): %v", err)
		}
		c, err := aio.Dial(ctx, "tcp", ln.Addr().String())
		if err != nil {
			t.Fatalf("Dial a Backlog(8) listener: %v", err)
		}
		c.Close()
		ln.Close()

		pc, err := aio.ListenPacket(ctx, "udp4", "127.0.0.1:0", aio.AllowBroadcast(), aio.ReusePort())
		if err != nil {
			t.Fatalf("ListenPacket with AllowBroadcast: %v", err)
		}
		for _, opt := range []int{unix.SO_BROADCAST, unix.SO_REUSEPORT} {
			v := -1
			if err := pc.Control(func(fd uintptr) { v, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt) }); err != nil || v != 1 {
				t.Errorf("socket option %d = %d (%v), want 1", opt, v, err)
			}
		}
		pc.Close()

		if _, err := aio.ListenPacket(ctx, "udp4", "127.0.0.1:0", aio.Backlog(8)); err == nil {
			t.Error("Backlog on a datagram endpoint was accepted")
		}
		if _, err := aio.Listen(ctx, "tcp", "127.0.0.1:0", aio.AllowBroadcast()); err == nil {
			t.Error("AllowBroadcast on a stream listener was accepted")
		}
		expectMisuse(t, recoverPanic(func() { aio.Backlog(0) }), aio.ErrInvalidArgument, "positive")
		return nil
	})
}
