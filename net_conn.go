package aio

import (
	"context"
	"errors"
	"net"
	"os"
	"time"
)

// Conn is a stream connection (TCP or Unix) of aio's own, driven by the
// loop's reactor: a net.Conn for code running in a task of its loop. Dial
// and Listener.Accept create them.
//
// Read and Write try the system call first and suspend only the calling
// task, and only when the socket would block (EAGAIN); the loop runs the
// other tasks meanwhile and resumes the task when the reactor reports the
// socket ready. Write returns when all of p is written (or an error
// occurred): a slow peer holds the writer back instead of growing a buffer.
// Concurrent Reads (Writes) from several tasks are served one whole call at
// a time, first come first served, as net.Conn requires.
//
// # Which scope a Read waits in
//
// Read and Write have no ctx parameter, so they wait in the root scope of
// the task that calls them (its *Context): Task.Cancel, a TaskGroup or
// Gather cancelling the task, and the loop closing all end a pending Read.
// A nested scope (WithTimeout, WithCancel) is not known to a ctx-less Read:
// pass it explicitly with ReadContext/WriteContext, or bind it once with
// WithContext, which returns a net.Conn whose Read and Write wait in that
// scope (hand that view to bufio, crypto/tls or net/http). The deadlines
// (SetDeadline and friends) bound every operation, whatever its scope.
//
// A wait ended by a deadline, a cancellation or a scope's timeout returns a
// *net.OpError wrapping an *InterruptedError: a net.Error whose Timeout()
// and Temporary() are true, that errors.Is matches to os.ErrDeadlineExceeded
// and to the scope's error (context.Canceled, context.DeadlineExceeded), so
// crypto/tls keeps the connection usable after it.
//
// # Goroutines
//
// Read, Write, ReadContext, WriteContext and the WithContext view are for
// the tasks of the connection's loop; a call from a callback, or from
// another goroutine while the loop waits for events, panics with a
// *MisuseError (ErrNotInTask, ErrWrongGoroutine); debug mode (WithDebug)
// checks every call. Goroutine-based code uses the Threaded view. Close,
// CloseRead, CloseWrite, the deadline setters, LocalAddr, RemoteAddr and
// Loop are safe from any goroutine.
type Conn struct {
	fd *netFD
}

var _ net.Conn = (*Conn)(nil)

// Read reads up to len(p) bytes, suspending the calling task until data, EOF
// (io.EOF), the read deadline, the cancellation of the task's root scope or
// the close of the connection. Task of the connection's loop only.
func (c *Conn) Read(p []byte) (int, error) { return c.fd.read("Conn.Read", nil, p) }

// ReadContext is Read waiting in the scope ctx, which must be a scope of
// the running task.
func (c *Conn) ReadContext(ctx *Context, p []byte) (int, error) {
	c.checkCtx("Conn.ReadContext", ctx)
	return c.fd.read("Conn.ReadContext", ctx, p)
}

// Write writes all of p, suspending the calling task while the socket's
// send buffer is full. It returns len(p) and nil, or how much was written
// and the error (write deadline, cancellation of the task's root scope,
// close, a peer reset). Task of the connection's loop only.
func (c *Conn) Write(p []byte) (int, error) { return c.fd.write("Conn.Write", nil, p) }

// WriteContext is Write waiting in the scope ctx, which must be a scope of
// the running task.
func (c *Conn) WriteContext(ctx *Context, p []byte) (int, error) {
	c.checkCtx("Conn.WriteContext", ctx)
	return c.fd.write("Conn.WriteContext", ctx, p)
}

func (c *Conn) checkCtx(op string, ctx *Context) {
	if ctx == nil {
		misuse(op, ErrNotInTask, "pass the *aio.Context of the running task")
	}
	if ctx.task.loop != c.fd.loop {
		misuse(op, ErrWrongLoop, "use a connection only on the loop that created it")
	}
}

// Close closes the connection: pending and later operations return an
// error wrapping net.ErrClosed, the peer sees the connection end at once,
// and the loop releases the descriptor at its next iteration (or when it
// is closed). A second Close returns an error wrapping net.ErrClosed. Any
// goroutine.
func (c *Conn) Close() error { return c.fd.close() }

// CloseWrite shuts down the writing side (the peer reads EOF; this side
// can still read): asyncio's write_eof, TCPConn.CloseWrite. Any goroutine.
func (c *Conn) CloseWrite() error { return c.fd.shutdown("close", shutWR) }

// CloseRead shuts down the reading side. Any goroutine.
func (c *Conn) CloseRead() error { return c.fd.shutdown("close", shutRD) }

// LocalAddr returns the local address (*net.TCPAddr or *net.UnixAddr).
// Any goroutine.
func (c *Conn) LocalAddr() net.Addr { return c.fd.laddr }

// RemoteAddr returns the peer's address. Any goroutine.
func (c *Conn) RemoteAddr() net.Addr { return c.fd.raddr }

// SetDeadline sets the read and write deadlines. Deadlines are on the
// loop's clock (Loop.Time; with the real clock that is time.Now): an
// operation that waits past it returns a timeout error; a zero t means no
// deadline. Changing it reaches operations already waiting. Any goroutine.
func (c *Conn) SetDeadline(t time.Time) error {
	return c.fd.setDeadline("set deadline", t, true, true)
}

// SetReadDeadline sets the read deadline; see SetDeadline. Any goroutine.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.fd.setDeadline("set read deadline", t, true, false)
}

// SetWriteDeadline sets the write deadline; see SetDeadline. Any goroutine.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return c.fd.setDeadline("set write deadline", t, false, true)
}

// Control calls f with the connection's file descriptor, as
// syscall.RawConn.Control does, while holding off a concurrent Close; f
// must not block, close the descriptor or keep it. It serves system calls
// aio has no method for (a non-blocking MSG_PEEK probe of an idle
// connection, a socket option). It returns an error wrapping net.ErrClosed
// on a closed connection. Any goroutine.
func (c *Conn) Control(f func(fd uintptr)) error { return c.fd.control(f) }

// Loop returns the loop the connection belongs to. Any goroutine.
func (c *Conn) Loop() *Loop { return c.fd.loop }

// WithContext returns a view of c whose Read and Write wait in the scope
// ctx (a scope of the task that will use it) instead of the task's root
// scope: a net.Conn to hand to bufio, crypto/tls or net/http inside a
// WithTimeout. Close, deadlines and addresses are c's. Same goroutine
// contract as c.
func (c *Conn) WithContext(ctx *Context) net.Conn {
	c.checkCtx("Conn.WithContext", ctx)
	return &scopedConn{Conn: c, ctx: ctx}
}

// scopedConn is the WithContext view. ctx nil: the running task's root
// scope (tls.go switches a view back to that after a handshake).
type scopedConn struct {
	*Conn
	ctx *Context
}

func (s *scopedConn) Read(p []byte) (int, error) {
	return s.fd.read("Conn.Read", s.ctx, p)
}

func (s *scopedConn) Write(p []byte) (int, error) {
	return s.fd.write("Conn.Write", s.ctx, p)
}

// enter returns the running task and the scope an operation waits in.
func (fd *netFD) enter(op string, ctx *Context) (*task, *Context) {
	l := fd.loop
	if ctx != nil {
		return ctx.enter(op), ctx
	}
	if l.polling.Load() {
		misuse(op, ErrWrongGoroutine, netGoroutineHint)
	}
	t := l.current
	if t == nil {
		misuse(op, ErrNotInTask, netGoroutineHint)
	}
	if l.cfg.debug {
		l.checkCaller(op)
	}
	return t, &t.ctx
}

const netGoroutineHint = "use the connection from a task of its loop; goroutine-based code uses Conn.Threaded"

func (fd *netFD) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: fd.net, Source: fd.laddr, Addr: fd.raddr, Err: err}
}

// InterruptedError is the error inside the *net.OpError of an I/O wait that
// ended without completing: the connection's deadline passed (Cause nil),
// or the scope it waited in was cancelled or timed out (Cause is the
// scope's *CancelledError or *TimeoutError). It is a net.Error with
// Timeout() and Temporary() true (so crypto/tls, bufio and net/http treat
// it like a deadline and the connection stays usable), errors.Is matches
// it to os.ErrDeadlineExceeded, and it unwraps to Cause, so errors.Is also
// matches context.Canceled or context.DeadlineExceeded. A plain deadline
// matches context.DeadlineExceeded too. Any goroutine.
type InterruptedError struct {
	Cause error
}

// Error returns "i/o timeout", or "i/o interrupted: " and the cause.
func (e *InterruptedError) Error() string {
	if e.Cause == nil {
		return "i/o timeout"
	}
	return "i/o interrupted: " + e.Cause.Error()
}

// Timeout reports true.
func (e *InterruptedError) Timeout() bool { return true }

// Temporary reports true: the connection is still usable.
func (e *InterruptedError) Temporary() bool { return true }

// Is matches os.ErrDeadlineExceeded, and context.DeadlineExceeded for a
// plain deadline.
func (e *InterruptedError) Is(target error) bool {
	return target == os.ErrDeadlineExceeded || (e.Cause == nil && target == context.DeadlineExceeded)
}

// Unwrap returns Cause.
func (e *InterruptedError) Unwrap() error { return e.Cause }

// ErrUnsupported is returned (wrapped) by Dial and Listen on platforms
// without aio's reactor (anything but Linux); it wraps
// errors.ErrUnsupported.
var ErrUnsupported = errUnsupported

var _ = errors.ErrUnsupported
