//go:build linux

package aio_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// openFDs counts the process's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// runNet runs main on a fresh loop (virtual clock unless real is set),
// fails the test on any error the loop reports, and checks that no file
// descriptor is left open afterwards.
func runNet(t *testing.T, real bool, main func(ctx *aio.Context) error) {
	t.Helper()
	before := openFDs(t)
	opts := []aio.Option{aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		t.Errorf("loop reported: %s: %v", ec.Message, ec.Err)
	})}
	if !real {
		opts = append(opts, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	}
	if err := aio.Run(main, opts...); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if after := openFDs(t); after != before {
		t.Errorf("open fds: %d before, %d after", before, after)
	}
}

// ticker runs a task that ticks every 10ms of loop time until ctx's task
// ends, and returns a function reporting the ticks so far.
func ticker(ctx *aio.Context) (ticks func() int, stop func()) {
	n := 0
	tk := aio.Go(ctx, func(ctx *aio.Context) error {
		for aio.Sleep(ctx, 10*time.Millisecond) == nil {
			n++
		}
		return nil
	})
	return func() int { return n }, func() { tk.Cancel() }
}

// echoServer listens on network/addr and echoes every connection in its
// own task until the listener is closed.
func echoServer(t *testing.T, ctx *aio.Context, network, addr string) *aio.Listener {
	t.Helper()
	ln, err := aio.Listen(ctx, network, addr)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	aio.Go(ctx, func(ctx *aio.Context) error {
		for {
			c, err := ln.AcceptConn(ctx)
			if err != nil {
				return nil
			}
			aio.Go(ctx, func(ctx *aio.Context) error {
				defer c.Close()
				_, _ = io.Copy(c, c)
				return nil
			})
		}
	})
	return ln
}

func TestTCPEchoRoundTripOnOneLoop(t *testing.T) {
	for _, real := range []bool{false, true} {
		runNet(t, real, func(ctx *aio.Context) error {
			ticks, stop := ticker(ctx)
			defer stop()
			ln := echoServer(t, ctx, "tcp", "127.0.0.1:0")
			defer ln.Close()
			c, err := aio.Dial(ctx, "tcp", ln.Addr().String())
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.Close()
			if c.RemoteAddr().String() != ln.Addr().String() {
				t.Errorf("RemoteAddr %v, want %v", c.RemoteAddr(), ln.Addr())
			}
			buf := make([]byte, 5)
			for i := 0; i < 100; i++ {
				if _, err := c.Write([]byte("hello")); err != nil {
					t.Fatalf("Write: %v", err)
				}
				if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello" {
					t.Fatalf("ReadFull = %q, %v", buf, err)
				}
			}
			_ = aio.Sleep(ctx, 50*time.Millisecond)
			if ticks() < 3 {
				t.Errorf("ticker ticked %d times in 50ms", ticks())
			}
			if n := ctx.Loop().Metrics().IOWaits; n == 0 {
				t.Error("Metrics().IOWaits = 0 after 100 round trips that waited for the peer")
			}
			return nil
		})
	}
}

func TestUnixSocketEcho(t *testing.T) {
	path := filepath.Join(t.TempDir(), "echo.sock")
	runNet(t, false, func(ctx *aio.Context) error {
		ln := echoServer(t, ctx, "unix", path)
		c, err := aio.Dial(ctx, "unix", path)
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("ReadFull = %q, %v", buf, err)
		}
		c.Close()
		ln.Close()
		return nil
	})
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left behind: %v", err)
	}
}

// pair returns two connected Conns over loopback TCP.
func pair(t testing.TB, ctx *aio.Context) (*aio.Conn, *aio.Conn) {
	t.Helper()
	ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	acc := aio.Spawn(ctx, func(ctx *aio.Context) (*aio.Conn, error) { return ln.AcceptConn(ctx) })
	c, err := aio.Dial(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := acc.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func checkInterrupted(t *testing.T, err error, target error) {
	t.Helper()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a net.Error with Timeout()", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("error %v does not match os.ErrDeadlineExceeded", err)
	}
	if !errors.Is(err, target) {
		t.Errorf("error %v does not match %v", err, target)
	}
}

func TestReadDeadlineIsALoopTimerAndJumpsVirtualTime(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		start := ctx.Loop().Time()
		c.SetReadDeadline(start.Add(time.Hour))
		realStart := time.Now()
		_, err := c.Read(make([]byte, 1))
		checkInterrupted(t, err, context.DeadlineExceeded)
		if got := ctx.Loop().Time().Sub(start); got != time.Hour {
			t.Errorf("virtual time advanced %v, want 1h", got)
		}
		if d := time.Since(realStart); d > 5*time.Second {
			t.Errorf("an hour of virtual time took %v of real time", d)
		}
		// The deadline stands: the next Read fails at once; clearing it
		// makes the connection usable again.
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("second Read: %v", err)
		}
		c.SetReadDeadline(time.Time{})
		s.Write([]byte("x"))
		if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Errorf("Read after clearing the deadline = %d, %v", n, err)
		}
		return nil
	})
}

// A deadline moved while a Read waits reaches it: moved to now, the Read
// ends at once; moved later, the timer armed for the old deadline fires,
// finds the new one and re-arms, and the Read ends at the new one.
func TestMovingTheDeadlineWhileAReadWaits(t *testing.T) {
	for _, c := range []struct {
		name              string
		first, at, second time.Duration // deadline, when it moves, the new deadline (from the start)
		ends              time.Duration
	}{
		{"to now", time.Hour, time.Second, time.Second, time.Second},
		{"later", time.Second, 500 * time.Millisecond, time.Hour, time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			runNet(t, false, func(ctx *aio.Context) error {
				conn, s := pair(t, ctx)
				defer conn.Close()
				defer s.Close()
				l := ctx.Loop()
				start := l.Time()
				conn.SetReadDeadline(start.Add(c.first))
				aio.Go(ctx, func(ctx *aio.Context) error {
					_ = aio.Sleep(ctx, c.at)
					conn.SetReadDeadline(start.Add(c.second))
					return nil
				})
				_, err := conn.Read(make([]byte, 1))
				checkInterrupted(t, err, os.ErrDeadlineExceeded)
				if got := l.Time().Sub(start); got != c.ends {
					t.Errorf("Read ended after %v, want %v", got, c.ends)
				}
				return nil
			})
		})
	}
}

// Request-response traffic with a deadline that moves forward on every
// request (a server's idle timeout) keeps at most one timer per side: a
// finished wait leaves its timer queued for the next one instead of
// removing and pushing it each time. Closing the connection removes it.
func TestDeadlinesThatMoveForwardKeepOneTimerThatCloseRemoves(t *testing.T) {
	runNet(t, true, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		l := ctx.Loop()
		before := l.PendingTimers()
		echo := aio.Go(ctx, func(ctx *aio.Context) error {
			buf := make([]byte, 16)
			for {
				s.SetReadDeadline(l.Time().Add(time.Minute))
				n, err := s.Read(buf)
				if err != nil {
					return nil
				}
				s.Write(buf[:n])
			}
		})
		buf := make([]byte, 16)
		most := 0
		for range 1000 {
			c.Write([]byte("ping"))
			if _, err := io.ReadFull(c, buf[:4]); err != nil {
				return err
			}
			most = max(most, l.PendingTimers()-before)
		}
		if most > 1 {
			t.Errorf("up to %d timers queued for one connection's read deadline, want 1", most)
		}
		s.Close()
		c.Close()
		echo.Await(ctx)
		if err := aio.Sleep(ctx, 0); err != nil { // the loop's side of the close
			return err
		}
		if n := l.PendingTimers() - before; n != 0 {
			t.Errorf("%d timers left after the connection closed", n)
		}
		return nil
	})
}

// On a virtual clock a finished read leaves no timer behind: while the
// loop then waits for something real (here a goroutine that answers after
// several autojump thresholds), the clock does not jump to the old
// deadline.
func TestAFinishedReadLeavesNoTimerForTheVirtualClockToJumpTo(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		l := ctx.Loop()
		start := l.Time()
		s.SetReadDeadline(start.Add(time.Hour))
		aio.Go(ctx, func(ctx *aio.Context) error { // once the Read below waits
			c.Write([]byte("x"))
			return nil
		})
		if _, err := s.Read(make([]byte, 1)); err != nil {
			return err
		}
		answer := aio.NewFuture[int](ctx)
		go func() {
			for !l.IsPolling() {
				runtime.Gosched()
			}
			time.Sleep(20 * time.Millisecond) // real time passing while the loop idles
			answer.SetResultThreadsafe(1)
		}()
		if _, err := answer.Await(ctx); err != nil {
			return err
		}
		if d := l.Time().Sub(start); d != 0 {
			t.Errorf("the virtual clock moved %v while nothing but real I/O was awaited", d)
		}
		return nil
	})
}

func TestCancellingTheTaskEndsAPendingRead(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		reader := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return c.Read(make([]byte, 1)) })
		_ = aio.Sleep(ctx, time.Second)
		reader.Cancel("stop reading")
		_, err := reader.Await(ctx)
		checkInterrupted(t, err, context.Canceled)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "stop reading" {
			t.Errorf("error %v does not carry the cancel message", err)
		}
		// The connection still works for another task.
		s.Write([]byte("y"))
		if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Errorf("Read after the cancelled one = %d, %v", n, err)
		}
		return nil
	})
}

func TestReadContextWaitsInANestedScope(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		tctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := c.ReadContext(tctx, make([]byte, 1))
		checkInterrupted(t, err, context.DeadlineExceeded)
		// The WithContext view does the same for code without a ctx.
		tctx2, cancel2 := aio.WithTimeout(ctx, time.Second)
		defer cancel2()
		_, err = io.ReadFull(c.WithContext(tctx2), make([]byte, 1))
		checkInterrupted(t, err, context.DeadlineExceeded)
		return nil
	})
}

func TestClosingAConnectionWhileAReadWaitsOnIt(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer s.Close()
		reader := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return c.Read(make([]byte, 1)) })
		_ = aio.Sleep(ctx, time.Second)
		c.Close()
		_, err := reader.Await(ctx)
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read on a closed conn: %v, want net.ErrClosed", err)
		}
		if err := c.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("second Close: %v", err)
		}
		// The peer sees EOF.
		if _, err := s.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("peer Read: %v, want EOF", err)
		}
		return nil
	})
}

func TestClosingFromAnotherGoroutineEndsAPendingRead(t *testing.T) {
	runNet(t, true, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer s.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for !ctx.Loop().IsPolling() { // the Read has parked and the loop waits
				runtime.Gosched()
			}
			c.Close()
		}()
		_, err := c.Read(make([]byte, 1))
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read: %v, want net.ErrClosed", err)
		}
		<-done
		return nil
	})
}

func TestConnectionRefusedIsAClearError(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_ = aio.Sleep(ctx, 0) // the loop releases the listener
		_, err = aio.Dial(ctx, "tcp", addr)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("Dial to a closed port: %v, want ECONNREFUSED", err)
		}
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "dial" {
			t.Errorf("Dial error %v is not a dial *net.OpError", err)
		}
		return nil
	})
}

func TestWriteBlocksAgainstASlowReaderAndMemoryStaysBounded(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		const total = 16 << 20
		chunk := make([]byte, 1<<20)
		writer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			n := 0
			for n < total {
				m, err := c.Write(chunk)
				n += m
				if err != nil {
					return n, err
				}
			}
			return n, nil
		})
		// Nobody reads: the writer must be parked, not done.
		_ = aio.Sleep(ctx, time.Second)
		if writer.Done() {
			t.Fatal("Write of 16 MiB to a peer that does not read completed")
		}
		// Now read everything.
		got, err := io.Copy(io.Discard, io.LimitReader(s, total))
		if err != nil || got != total {
			t.Fatalf("reader got %d, %v", got, err)
		}
		if n, err := writer.Await(ctx); n != total || err != nil {
			t.Errorf("writer = %d, %v", n, err)
		}
		return nil
	})
}

// IPv6 loopback works as IPv4 does: Listen on [::1], Dial it (by address
// and as "tcp6"), exchange data both ways, and the addresses are IPv6;
// UDP too. Skipped where the machine has no IPv6 loopback.
func TestIPv6Loopback(t *testing.T) {
	if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	runNet(t, false, func(ctx *aio.Context) error {
		ln, err := aio.Listen(ctx, "tcp", "[::1]:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		addr := ln.Addr().(*net.TCPAddr)
		if addr.IP.To4() != nil || !addr.IP.IsLoopback() {
			t.Errorf("listener address %v, want ::1", addr)
		}
		for _, network := range []string{"tcp", "tcp6"} {
			acc := aio.Spawn(ctx, func(ctx *aio.Context) (*aio.Conn, error) { return ln.AcceptConn(ctx) })
			c, err := aio.Dial(ctx, network, addr.String())
			if err != nil {
				return err
			}
			s, err := acc.Await(ctx)
			if err != nil {
				c.Close()
				return err
			}
			c.Write([]byte("over v6"))
			buf := make([]byte, 7)
			if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "over v6" {
				t.Errorf("%s: server read %q, %v", network, buf, err)
			}
			s.Write([]byte("back"))
			if _, err := io.ReadFull(c, buf[:4]); err != nil || string(buf[:4]) != "back" {
				t.Errorf("%s: client read %q, %v", network, buf[:4], err)
			}
			if ra := s.RemoteAddr().(*net.TCPAddr); ra.IP.To4() != nil {
				t.Errorf("%s: the server sees the client at %v, want an IPv6 address", network, ra)
			}
			c.Close()
			s.Close()
		}
		pc, err := aio.ListenPacket(ctx, "udp", "[::1]:0")
		if err != nil {
			return err
		}
		defer pc.Close()
		peer, err := aio.ListenPacket(ctx, "udp6", "[::1]:0")
		if err != nil {
			return err
		}
		defer peer.Close()
		if _, err := peer.WriteTo([]byte("dgram"), pc.LocalAddr()); err != nil {
			return err
		}
		buf := make([]byte, 16)
		n, from, err := pc.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "dgram" || from.String() != peer.LocalAddr().String() {
			t.Errorf("UDP over v6: %q from %v, %v; want \"dgram\" from %v", buf[:n], from, err, peer.LocalAddr())
		}
		return nil
	})
}
