package reactor

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var loopback4 = [4]byte{127, 0, 0, 1}

// listenLoopback listens on 127.0.0.1 with a kernel-chosen port.
func listenLoopback(t testing.TB) (fd int, addr *unix.SockaddrInet4) {
	t.Helper()
	fd, err := Listen(unix.AF_INET, unix.SOCK_STREAM, &unix.SockaddrInet4{Addr: loopback4}, 16, false)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, sa.(*unix.SockaddrInet4)
}

func checkFlags(t testing.TB, fd int) {
	t.Helper()
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fl&unix.O_NONBLOCK == 0 {
		t.Errorf("fd %d is blocking", fd)
	}
	fdfl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fdfl&unix.FD_CLOEXEC == 0 {
		t.Errorf("fd %d is not close-on-exec", fd)
	}
}

// TestTCPLoopback: the whole non-blocking dance on 127.0.0.1 with the
// reactor: listen, connect (EINPROGRESS or immediate), Writable then
// SO_ERROR, accept on Readable until EAGAIN, read/write, EOF.
func TestTCPLoopback(t *testing.T) {
	r := newReactor(t)
	ln, addr := listenLoopback(t)
	defer closeFd(t, ln)
	checkFlags(t, ln)
	lnd := register(t, r, ln)
	defer r.Deregister(lnd)

	// Nothing queued yet.
	if _, _, err := Accept(ln); err != ErrWouldBlock {
		t.Fatalf("Accept on an empty queue = %v", err)
	}
	lnd.Clear(Readable)

	c, err := Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, c)
	checkFlags(t, c)
	cd := register(t, r, c)
	defer r.Deregister(cd)
	inProgress, err := Connect(c, addr)
	if err != nil {
		t.Fatal(err)
	}
	if inProgress {
		waitFor(t, r, cd, Writable)
	}
	if err := SocketError(c); err != nil {
		t.Fatalf("connect: %v", err)
	}

	waitFor(t, r, lnd, Readable)
	s, peer, err := Accept(ln)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, s)
	checkFlags(t, s)
	if p, ok := peer.(*unix.SockaddrInet4); !ok || p.Addr != loopback4 {
		t.Fatalf("peer address %#v", peer)
	}
	if _, _, err := Accept(ln); err != ErrWouldBlock {
		t.Fatalf("second Accept = %v, want EAGAIN", err)
	}
	sd := register(t, r, s)
	defer r.Deregister(sd)

	buf := make([]byte, 16)
	if _, err := Read(s, buf); err != ErrWouldBlock {
		t.Fatalf("read with no data = %v", err)
	}
	sd.Clear(Readable)
	write(t, c, "ping")
	waitFor(t, r, sd, Readable)
	if n, err := Read(s, buf); err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}
	write(t, s, "pong")
	waitFor(t, r, cd, Readable)
	if n, err := Read(c, buf); err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}

	// Half close from the client: the server sees ReadHup and EOF.
	if err := unix.Shutdown(c, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, sd, Readable|ReadHup)
	if _, err := Read(s, buf); err != io.EOF {
		t.Fatalf("read after shutdown = %v, want EOF", err)
	}
	if n, err := Read(s, nil); n != 0 || err != nil {
		t.Fatalf("zero-length read = %d, %v; want 0, nil", n, err)
	}
}

// TestConnectRefused: connecting to a closed loopback port fails, either
// at once or as SO_ERROR after the reactor reports the socket.
func TestConnectRefused(t *testing.T) {
	r := newReactor(t)
	ln, addr := listenLoopback(t)
	closeFd(t, ln) // the port is now (very likely) closed
	c, err := Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, c)
	d := register(t, r, c)
	defer r.Deregister(d)
	inProgress, err := Connect(c, addr)
	if !inProgress {
		if !errors.Is(err, unix.ECONNREFUSED) {
			t.Fatalf("Connect = %v, want ECONNREFUSED", err)
		}
		return
	}
	waitFor(t, r, d, Writable)
	if d.Readiness()&(Error|Hup) == 0 {
		t.Logf("note: refused connect reported %v", d.Readiness())
	}
	if err := SocketError(c); !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("SO_ERROR = %v, want ECONNREFUSED", err)
	}
	if err := SocketError(c); err != nil {
		t.Fatalf("SO_ERROR is cleared by reading it; got %v", err)
	}
}

// TestUnixSocket: Listen/Connect/Accept over AF_UNIX.
func TestUnixSocket(t *testing.T) {
	r := newReactor(t)
	path := filepath.Join(t.TempDir(), "s")
	ln, err := Listen(unix.AF_UNIX, unix.SOCK_STREAM, &unix.SockaddrUnix{Name: path}, 4, false)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, ln)
	c, err := Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, c)
	inProgress, err := Connect(c, &unix.SockaddrUnix{Name: path})
	if err != nil {
		t.Fatal(err)
	}
	if inProgress {
		d := register(t, r, c)
		waitFor(t, r, d, Writable)
		r.Deregister(d)
		if err := SocketError(c); err != nil {
			t.Fatal(err)
		}
	}
	var s int
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, _, err = Accept(ln)
		if err != ErrWouldBlock || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, s)
	write(t, c, "over unix")
	buf := make([]byte, 16)
	if n, err := Read(s, buf); err != nil || string(buf[:n]) != "over unix" {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}
}

// TestWriteEPIPE: writing to a socket whose peer is gone returns EPIPE and
// does not kill the process.
func TestWriteEPIPE(t *testing.T) {
	a, b := socketpair(t)
	defer closeFd(t, a)
	closeFd(t, b)
	if _, err := Write(a, []byte("x")); !errors.Is(err, unix.EPIPE) {
		t.Fatalf("write to a closed peer = %v, want EPIPE", err)
	}
}

// TestListenErrors: a failing bind closes the socket it created.
func TestListenErrors(t *testing.T) {
	ln, addr := listenLoopback(t)
	defer closeFd(t, ln)
	// Same port, no SO_REUSEPORT: EADDRINUSE.
	if fd, err := Listen(unix.AF_INET, unix.SOCK_STREAM, addr, 1, false); err == nil {
		unix.Close(fd)
		t.Fatal("second Listen on the same port succeeded")
	}
}
