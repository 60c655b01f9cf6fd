//go:build linux

package aio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"golang.org/x/sys/unix"
)

func TestPeerResetMidReadIsAnErrorAndTheLoopGoesOn(t *testing.T) {
	runNet(t, true, func(ctx *aio.Context) error {
		ticks, stop := ticker(ctx)
		defer stop()
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		// A plain Go client on another goroutine: sends a little, then
		// resets the connection (SO_LINGER 0).
		go func() {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			c.Write([]byte("partial"))
			time.Sleep(20 * time.Millisecond)
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}()
		s, err := ln.AcceptConn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		buf := make([]byte, 100)
		var got []byte
		for {
			n, err := s.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				if !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("Read after a reset: %v, want ECONNRESET", err)
				}
				break
			}
		}
		if string(got) != "partial" {
			t.Errorf("read %q before the reset", got)
		}
		if ticks() == 0 {
			t.Error("the ticker did not tick while the read waited")
		}
		return nil
	})
}

func TestDialTimeoutAgainstAFullBacklogIsAClearError(t *testing.T) {
	// A loopback listener with backlog 0 that never accepts: once its
	// queue is full, further SYNs are dropped and connects hang.
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*unix.SockaddrInet4).Port}).String()
	runNet(t, false, func(ctx *aio.Context) error {
		var conns []*aio.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for i := 0; i < 8; i++ {
			dctx, cancel := aio.WithTimeout(ctx, 3*time.Second)
			start := ctx.Loop().Time()
			c, err := aio.Dial(dctx, "tcp", addr)
			cancel()
			if err == nil {
				conns = append(conns, c) // the queue still had room
				continue
			}
			var ne net.Error
			if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("Dial to a full backlog: %v, want a timeout", err)
			}
			if d := ctx.Loop().Time().Sub(start); d != 3*time.Second {
				t.Errorf("Dial gave up after %v, want 3s", d)
			}
			return nil
		}
		t.Skip("the kernel accepted every connection; no timeout to observe")
		return nil
	})
}

func TestIOIsPolledWhileOtherTasksKeepTheLoopBusy(t *testing.T) {
	runNet(t, true, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		done := false
		spins := 0
		busy := aio.Go(ctx, func(ctx *aio.Context) error {
			for !done {
				spins++
				if err := aio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			return nil
		})
		go func() {
			time.Sleep(5 * time.Millisecond)
			// A write from outside the loop, through the peer's fd: the
			// reactor must report it although the loop never idles.
			s.Threaded().Write([]byte("z"))
		}()
		if _, err := c.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		done = true
		busy.Await(ctx)
		if spins == 0 {
			t.Error("the busy task never ran")
		}
		return nil
	})
}

func TestEMFILEWhileAcceptingNeitherSpinsNorStopsTheServer(t *testing.T) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	runNet(t, false, func(ctx *aio.Context) error {
		ticks, stop := ticker(ctx)
		defer stop()
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", upperHandler)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown(ctx)
		sa := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: srv.Addr().(*net.TCPAddr).Port}
		// Client sockets are made before the limit drops; connecting
		// needs no new descriptor.
		const clients = 4
		var fds []int
		for i := 0; i < clients; i++ {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			fds = append(fds, fd)
		}
		defer func() {
			for _, fd := range fds {
				unix.Close(fd)
			}
		}()
		// The highest open descriptor bounds what the process can open:
		// leave room for exactly one more.
		highest := 0
		for _, fd := range fds {
			highest = max(highest, fd)
		}
		probe, _ := unix.Dup(0)
		highest = max(highest, probe)
		unix.Close(probe)
		low := unix.Rlimit{Cur: uint64(highest + 2), Max: lim.Max}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
			t.Skipf("cannot lower RLIMIT_NOFILE: %v", err)
		}
		for _, fd := range fds {
			if err := unix.Connect(fd, sa); err != nil {
				t.Fatal(err)
			}
		}
		start := ticks()
		aio.Sleep(ctx, 3*time.Second) // out of descriptors for 3s
		if got := srv.Accepted(); got >= clients {
			t.Fatalf("accepted %d connections with no descriptors to spare", got)
		}
		if ticks()-start < 290 {
			t.Errorf("the ticker ticked %d times in 3s while accept failed", ticks()-start)
		}
		unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
		aio.Sleep(ctx, 2*time.Second) // the back-off is at most 1s
		if got := srv.Accepted(); got != clients {
			t.Errorf("after descriptors freed up the server accepted %d of %d", got, clients)
		}
		return nil
	})
}

// TestTenThousandConnectionsOnOneLoop serves many concurrent loopback
// connections (10,000; 3,000 under the race detector, which limits a
// process to 8128 live goroutines) on one loop, each in its own task. The
// clients run in a child process (this test binary, see
// TestHelperManyClients), so that each side has its own descriptor limit:
// the child opens every connection, then sends a line on each while all
// are open, then reads every reply.
func TestTenThousandConnectionsOnOneLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	n := 10_000
	if raceEnabled {
		n = 3_000
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	if need := uint64(n + 200); lim.Cur < need {
		raised := unix.Rlimit{Cur: need, Max: max(need, lim.Max)}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &raised); err != nil {
			t.Skipf("cannot raise RLIMIT_NOFILE from %d/%d to %d: %v", lim.Cur, lim.Max, need, err)
		}
		defer unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	runNet(t, true, func(ctx *aio.Context) error {
		ticks, stop := ticker(ctx)
		defer stop()
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", upperHandler)
		if err != nil {
			t.Fatal(err)
		}
		peak := 0
		aio.Go(ctx, func(ctx *aio.Context) error {
			for aio.Sleep(ctx, 10*time.Millisecond) == nil {
				peak = max(peak, srv.Connections())
			}
			return nil
		})
		out := aio.NewFuture[string](ctx)
		go func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperManyClients$")
			cmd.Env = append(os.Environ(), "AIO_HELPER_ADDR="+srv.Addr().String(), "AIO_HELPER_N="+strconv.Itoa(n))
			b, err := cmd.CombinedOutput()
			if err != nil {
				out.SetErrorThreadsafe(fmt.Errorf("%v: %s", err, b))
				return
			}
			out.SetResultThreadsafe(string(b))
		}()
		res, err := out.Await(ctx)
		if err != nil {
			t.Fatalf("clients: %v", err)
		}
		if !strings.Contains(res, "clients ok") {
			t.Errorf("clients said %q", res)
		}
		if srv.Accepted() != n || peak < n {
			t.Errorf("accepted %d, at most %d at once; want %d", srv.Accepted(), peak, n)
		}
		if ticks() == 0 {
			t.Error("the ticker did not tick")
		}
		sctx, cancel := aio.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
}

// TestHelperManyClients is the client process of
// TestTenThousandConnectionsOnOneLoop; it does nothing in a normal run.
func TestHelperManyClients(t *testing.T) {
	addr := os.Getenv("AIO_HELPER_ADDR")
	if addr == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("AIO_HELPER_N"))
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for len(conns) < n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial #%d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 5)
	for i, c := range conns {
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "PING\n" {
			t.Fatalf("conn %d: %q, %v", i, buf, err)
		}
	}
	fmt.Println("clients ok")
}
