package reactor

import (
	"io"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Socket helpers for the network layer: thin wrappers over socket(2),
// connect(2), accept4(2), read(2), write(2) and getsockopt(2) that create
// every fd non-blocking and close-on-exec (as Go's net package does) and
// retry EINTR. EAGAIN comes back as ErrWouldBlock: clear the Desc's
// readiness bit and park (see the package doc). All of them may be called
// from any goroutine; they touch no reactor state. The fds they return are
// the caller's to Register, Deregister and close (unix.Close; never retry
// a close on EINTR, see close(2)).

// ErrWouldBlock is EAGAIN (== EWOULDBLOCK on Linux): the operation would
// block; wait for readiness and try again.
// A constant; compare with == or errors.Is.
const ErrWouldBlock = unix.EAGAIN

// Socket creates a non-blocking close-on-exec socket; domain is
// unix.AF_INET, AF_INET6 or AF_UNIX, typ unix.SOCK_STREAM or SOCK_DGRAM.
// Any goroutine.
func Socket(domain, typ, proto int) (int, error) {
	return unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
}

// Connect starts connecting the non-blocking socket fd to sa. It returns
// (false, nil) when the connection completed at once (common for AF_UNIX
// and loopback), (true, nil) when it is in progress (EINPROGRESS, or EINTR,
// after which the kernel goes on connecting, as in net/fd_unix.go): wait
// until the Desc is Writable, then read the outcome with SocketError. Any
// other error is the connect error. Any goroutine.
func Connect(fd int, sa unix.Sockaddr) (inProgress bool, err error) {
	switch err := unix.Connect(fd, sa); err {
	case nil, unix.EISCONN:
		return false, nil
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		return true, nil
	default:
		return false, err
	}
}

// SocketError returns and clears the socket's pending error
// (getsockopt SO_ERROR), as a unix.Errno, or nil. After an in-progress
// Connect reported Writable, nil means connected. Any goroutine.
func SocketError(fd int) error {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if v != 0 {
		return unix.Errno(v)
	}
	return nil
}

// Listen creates a non-blocking close-on-exec socket of the given domain
// and type, sets SO_REUSEADDR (as Go's net package does for listeners) and,
// if reusePort, SO_REUSEPORT, binds it to sa and listens with the given
// backlog. Use unix.Getsockname to learn the port the kernel chose for
// port 0. Any goroutine.
func Listen(domain, typ int, sa unix.Sockaddr, backlog int, reusePort bool) (int, error) {
	fd, err := Socket(domain, typ, 0)
	if err != nil {
		return -1, err
	}
	if domain != unix.AF_UNIX {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	if reusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// Accept accepts one connection on the listening socket fd with accept4
// and SOCK_NONBLOCK|SOCK_CLOEXEC. It retries EINTR and ECONNABORTED (a
// connection reset while queued, which net.Listener skips too) and returns
// ErrWouldBlock when the queue is empty. EMFILE/ENFILE come back as is; the
// caller decides how to back off. Any goroutine.
func Accept(fd int) (nfd int, sa unix.Sockaddr, err error) {
	for {
		nfd, sa, err = unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case unix.EINTR, unix.ECONNABORTED:
			continue
		case nil:
			return nfd, sa, nil
		}
		return -1, nil, err
	}
}

// Read reads from the non-blocking fd, retrying EINTR. It returns
// (0, ErrWouldBlock) when no data is available, (0, io.EOF) at end of
// stream (a zero-byte read with len(p) > 0), else what read(2) returned; n
// is never negative. Any goroutine.
func Read(fd int, p []byte) (int, error) { return readIO(unix.SYS_READ, fd, p) }

// Recv is Read for a connected stream socket, with recvfrom(2) and no
// address: the same results, but the kernel goes straight to the socket
// instead of through the file layer (the read(2) path costs a file-position
// lock and a permission hook per call, about a quarter of a microsecond per
// request-response on loopback). Any goroutine.
func Recv(fd int, p []byte) (int, error) { return readIO(unix.SYS_RECVFROM, fd, p) }

// Write writes to the non-blocking fd, retrying EINTR. It returns how many
// bytes the kernel took, possibly fewer than len(p) (a short write: the
// socket buffer is full, the rest would block); (0, ErrWouldBlock) when it
// took none. EPIPE is returned as an error (Go's runtime keeps SIGPIPE from
// killing the process for fds other than 0-2; see os/signal). Any goroutine.
func Write(fd int, p []byte) (int, error) { return writeIO(unix.SYS_WRITE, 0, fd, p) }

// Send is Write for a connected stream socket, with sendto(2) and
// MSG_NOSIGNAL: a peer that reset the connection gives EPIPE without a
// SIGPIPE being raised at all. Any goroutine.
func Send(fd int, p []byte) (int, error) {
	return writeIO(unix.SYS_SENDTO, unix.MSG_NOSIGNAL, fd, p)
}

func readIO(trap uintptr, fd int, p []byte) (int, error) {
	for {
		n, err := rawIO(trap, 0, fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func writeIO(trap, flags uintptr, fd int, p []byte) (int, error) {
	for {
		n, err := rawIO(trap, flags, fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		}
		return n, nil
	}
}

// rawIO is read(2), write(2), recvfrom(2) or sendto(2) (no address) on the
// non-blocking fd, without the runtime's system-call bookkeeping
// (entersyscall/exitsyscall): the descriptor is non-blocking, so the call
// never blocks the thread, as Go's own runtime assumes for its
// non-blocking poller calls. The race detector builds use read(2) and
// write(2) through package unix, which tell it about the memory the kernel
// reads and writes (on a connected socket the results are the same).
func rawIO(trap, flags uintptr, fd int, p []byte) (int, error) {
	if raceEnabled || len(p) == 0 {
		if trap == unix.SYS_READ || trap == unix.SYS_RECVFROM {
			return unix.Read(fd, p)
		}
		return unix.Write(fd, p)
	}
	n, _, e := unix.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), flags, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
