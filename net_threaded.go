package aio

import (
	"net"
	"time"
)

// Threaded returns a view of c for goroutine-based code (code that is not
// a task of c's loop, such as a library's background reader): each Read or
// Write is posted to the loop, runs there in a task of its own, and the
// calling goroutine blocks on a channel until it completes. It is correct
// from any goroutine but costs a loop wake-up and a task per call; inside
// a task, use c itself. Deadlines and Close are c's. Do not call the view
// from a task or callback of c's loop (that goroutine would wait for
// itself), and close the connection before closing its loop: an operation
// posted to a loop that then closes without running it never returns.
func (c *Conn) Threaded() net.Conn { return threadedConn{c} }

type threadedConn struct{ c *Conn }

type ioResult struct {
	n   int
	err error
}

func (tc threadedConn) do(write bool, p []byte) (int, error) {
	c := tc.c
	l := c.fd.loop
	res := make(chan ioResult, 1)
	err := l.CallSoonThreadsafe(func() {
		Go(l, func(ctx *Context) error {
			var r ioResult
			if write {
				r.n, r.err = c.fd.write("Conn.Threaded.Write", ctx, p)
			} else {
				r.n, r.err = c.fd.read("Conn.Threaded.Read", ctx, p)
			}
			res <- r
			return nil
		})
	})
	if err != nil {
		return 0, c.fd.opErr("read", err)
	}
	r := <-res
	return r.n, r.err
}

func (tc threadedConn) Read(p []byte) (int, error)         { return tc.do(false, p) }
func (tc threadedConn) Write(p []byte) (int, error)        { return tc.do(true, p) }
func (tc threadedConn) Close() error                       { return tc.c.Close() }
func (tc threadedConn) LocalAddr() net.Addr                { return tc.c.LocalAddr() }
func (tc threadedConn) RemoteAddr() net.Addr               { return tc.c.RemoteAddr() }
func (tc threadedConn) SetDeadline(t time.Time) error      { return tc.c.SetDeadline(t) }
func (tc threadedConn) SetReadDeadline(t time.Time) error  { return tc.c.SetReadDeadline(t) }
func (tc threadedConn) SetWriteDeadline(t time.Time) error { return tc.c.SetWriteDeadline(t) }
