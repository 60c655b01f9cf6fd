package aio

import (
	"net"
	"time"
)

// Listener is a stream listener (TCP or Unix) of aio's own, driven by the
// loop's reactor: a net.Listener for the tasks of its loop. Accept suspends
// only the calling task. Listen creates one.
//
// Goroutines: Accept and AcceptContext are for the tasks of the listener's
// loop (same checks as Conn.Read); Close, SetDeadline, Addr and Loop are
// safe from any goroutine.
type Listener struct {
	fd *netFD
}

var _ net.Listener = (*Listener)(nil)

// Listen listens on address: networks "tcp", "tcp4", "tcp6" (address
// "host:port"; port 0 picks a free port, read it with Addr; an empty host
// listens on every address) and "unix" (a socket path, removed again by
// Close, or "@name" in the abstract namespace). ctx names the loop (any
// scope of a task on it). Off Linux it returns an error wrapping
// errors.ErrUnsupported. Task of ctx's loop only.
func Listen(ctx *Context, network, address string, opts ...ListenOption) (*Listener, error) {
	ctx.enter("aio.Listen")
	l := ctx.task.loop
	var addr net.Addr
	switch network {
	case "unix":
		addr = &net.UnixAddr{Name: address, Net: "unix"}
	case "tcp", "tcp4", "tcp6":
		aps, err := resolve(ctx, network, address, true)
		if err != nil {
			return nil, &net.OpError{Op: "listen", Net: network, Err: err}
		}
		addr = net.TCPAddrFromAddrPort(aps[0])
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	fd, err := listenStream(l, network, addr, listenOptions(opts))
	if err != nil {
		return nil, err
	}
	return &Listener{fd: fd}, nil
}

// Accept waits for the next connection and returns it (a *Conn), waiting
// in the root scope of the calling task (see Conn). Running out of file
// descriptors returns a *net.OpError wrapping EMFILE or ENFILE (a
// Temporary error): back off and accept again (Server does). Task of the
// listener's loop only.
func (ln *Listener) Accept() (net.Conn, error) {
	c, err := ln.AcceptConn(nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptConn is Accept returning the *Conn, waiting in the scope ctx (nil:
// the running task's root scope). A ctx of another loop panics with a
// *MisuseError wrapping ErrWrongLoop.
func (ln *Listener) AcceptConn(ctx *Context) (*Conn, error) {
	if ctx != nil && ctx.task != nil && ctx.task.loop != ln.fd.loop {
		misuse("Listener.AcceptConn", ErrWrongLoop, "accept only on the loop that created the listener")
	}
	fd, err := ln.fd.accept("Listener.Accept", ctx)
	if err != nil {
		return nil, err
	}
	return &Conn{fd: fd}, nil
}

// Close stops listening: a pending Accept returns an error wrapping
// net.ErrClosed; connections already accepted stay open. Any goroutine.
func (ln *Listener) Close() error { return ln.fd.close() }

// Addr returns the address listened on (with the port the kernel chose).
// Any goroutine.
func (ln *Listener) Addr() net.Addr { return ln.fd.laddr }

// SetDeadline sets the deadline of Accept, on the loop's clock (zero: none).
// Any goroutine.
func (ln *Listener) SetDeadline(t time.Time) error {
	return ln.fd.setDeadline("set deadline", t, true, false)
}

// Loop returns the listener's loop. Any goroutine.
func (ln *Listener) Loop() *Loop { return ln.fd.loop }
