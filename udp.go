package aio

import (
	"net"
	"net/netip"
	"time"
)

// PacketConn is a datagram endpoint of aio's own (UDP or a Unix datagram
// socket), driven by the loop's reactor: a net.PacketConn for the tasks of
// its loop (asyncio's datagram transport, in the task form; see
// CreateDatagramEndpoint for the protocol form). ListenPacket creates an
// unconnected endpoint, DialUDP a connected one (Read, Write and
// RemoteAddr then work; WriteTo a connected endpoint fails as net.UDPConn's
// does).
//
// ReadFrom and WriteTo try the system call first and suspend only the
// calling task, only when the socket would block; each ReadFrom returns one
// datagram (a datagram longer than p is truncated, the rest discarded, as
// recvfrom(2) does). ReadFromUDPAddrPort and WriteToUDPAddrPort do the same
// without allocating. Waits end as Conn's do: the deadlines (timers of the
// loop's clock), the cancellation of the scope waited in (the task's root
// scope, or the ctx of the ...Context variants) and Close, with the same
// errors (a *net.OpError wrapping an *InterruptedError or net.ErrClosed).
//
// Goroutines: ReadFrom, WriteTo, Read, Write and their variants are for the
// tasks of the endpoint's loop (misuse panics as for Conn.Read); Close, the
// deadline setters, LocalAddr, RemoteAddr and Loop are safe from any
// goroutine.
type PacketConn struct {
	fd *netFD
}

var _ net.PacketConn = (*PacketConn)(nil)

// ListenPacket opens a datagram endpoint bound to address: networks "udp",
// "udp4", "udp6" (address "host:port"; port 0 picks a free port, read it
// with LocalAddr) and "unixgram" (a socket path, removed again by Close, or
// "@name" in the abstract namespace; an empty address is an unnamed
// socket). ctx names the loop. Off Linux it returns an error wrapping
// errors.ErrUnsupported. Task of ctx's loop only.
func ListenPacket(ctx *Context, network, address string, opts ...ListenOption) (*PacketConn, error) {
	ctx.enter("aio.ListenPacket")
	var addr net.Addr
	switch network {
	case "unixgram":
		addr = &net.UnixAddr{Name: address, Net: "unixgram"}
	case "udp", "udp4", "udp6":
		aps, err := resolve(ctx, network, address, true)
		if err != nil {
			return nil, &net.OpError{Op: "listen", Net: network, Err: err}
		}
		addr = net.UDPAddrFromAddrPort(aps[0])
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	fd, err := openDatagram(ctx.task.loop, network, addr, nil, listenOptions(opts))
	if err != nil {
		return nil, err
	}
	return &PacketConn{fd: fd}, nil
}

// DialUDP opens a datagram endpoint connected to address (networks "udp",
// "udp4", "udp6": "host:port"; "unixgram": a socket path): Write sends to
// it, Read receives only from it. Connecting a datagram socket sends
// nothing; a peer that is not listening shows as ECONNREFUSED on a later
// Read or Write. Off Linux it returns an error wrapping
// errors.ErrUnsupported. Task of ctx's loop only.
func DialUDP(ctx *Context, network, address string) (*PacketConn, error) {
	ctx.enter("aio.DialUDP")
	var raddr net.Addr
	switch network {
	case "unixgram":
		raddr = &net.UnixAddr{Name: address, Net: "unixgram"}
	case "udp", "udp4", "udp6":
		aps, err := resolve(ctx, network, address, false)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		raddr = net.UDPAddrFromAddrPort(aps[0])
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	fd, err := openDatagram(ctx.task.loop, network, nil, raddr, listenConfig{})
	if err != nil {
		return nil, err
	}
	return &PacketConn{fd: fd}, nil
}

// ReadFrom reads one datagram into p and returns its length and sender
// (a *net.UDPAddr or *net.UnixAddr), suspending the calling task until one
// arrives (see PacketConn for what ends the wait). Task of the endpoint's
// loop only.
func (c *PacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, ap, ua, err := c.fd.recvFrom("PacketConn.ReadFrom", nil, p, true)
	return c.from(n, ap, ua, err)
}

// ReadFromContext is ReadFrom waiting in the scope ctx, which must be a
// scope of the running task.
func (c *PacketConn) ReadFromContext(ctx *Context, p []byte) (int, net.Addr, error) {
	c.checkCtx("PacketConn.ReadFromContext", ctx)
	n, ap, ua, err := c.fd.recvFrom("PacketConn.ReadFromContext", ctx, p, true)
	return c.from(n, ap, ua, err)
}

// from builds ReadFrom's result.
func (c *PacketConn) from(n int, ap netip.AddrPort, ua net.Addr, err error) (int, net.Addr, error) {
	if err != nil {
		return n, nil, err
	}
	if c.fd.net == "unixgram" {
		return n, ua, nil // nil for an unnamed sender
	}
	return n, net.UDPAddrFromAddrPort(ap), nil
}

// ReadFromUDPAddrPort is ReadFrom returning the sender as a netip.AddrPort
// (UDP only); it allocates nothing. Task of the endpoint's loop only.
func (c *PacketConn) ReadFromUDPAddrPort(p []byte) (int, netip.AddrPort, error) {
	n, ap, _, err := c.fd.recvFrom("PacketConn.ReadFromUDPAddrPort", nil, p, true)
	return n, ap, err
}

// WriteTo sends p as one datagram to addr (a *net.UDPAddr, or a
// *net.UnixAddr for "unixgram"), suspending the calling task while the
// socket's send buffer is full. Task of the endpoint's loop only.
func (c *PacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	return c.fd.sendTo("PacketConn.WriteTo", nil, p, addr, netip.AddrPort{})
}

// WriteToContext is WriteTo waiting in the scope ctx, which must be a
// scope of the running task.
func (c *PacketConn) WriteToContext(ctx *Context, p []byte, addr net.Addr) (int, error) {
	c.checkCtx("PacketConn.WriteToContext", ctx)
	return c.fd.sendTo("PacketConn.WriteToContext", ctx, p, addr, netip.AddrPort{})
}

// WriteToUDPAddrPort is WriteTo with a netip.AddrPort (UDP only); it
// allocates nothing. Task of the endpoint's loop only.
func (c *PacketConn) WriteToUDPAddrPort(p []byte, ap netip.AddrPort) (int, error) {
	return c.fd.sendTo("PacketConn.WriteToUDPAddrPort", nil, p, nil, ap)
}

// Read reads one datagram from the connected peer (DialUDP). Task of the
// endpoint's loop only.
func (c *PacketConn) Read(p []byte) (int, error) {
	n, _, _, err := c.fd.recvFrom("PacketConn.Read", nil, p, false)
	return n, err
}

// ReadContext is Read waiting in the scope ctx.
func (c *PacketConn) ReadContext(ctx *Context, p []byte) (int, error) {
	c.checkCtx("PacketConn.ReadContext", ctx)
	n, _, _, err := c.fd.recvFrom("PacketConn.ReadContext", ctx, p, false)
	return n, err
}

// Write sends p as one datagram to the connected peer (DialUDP). Task of
// the endpoint's loop only.
func (c *PacketConn) Write(p []byte) (int, error) {
	return c.fd.sendTo("PacketConn.Write", nil, p, nil, netip.AddrPort{})
}

// WriteContext is Write waiting in the scope ctx.
func (c *PacketConn) WriteContext(ctx *Context, p []byte) (int, error) {
	c.checkCtx("PacketConn.WriteContext", ctx)
	return c.fd.sendTo("PacketConn.WriteContext", ctx, p, nil, netip.AddrPort{})
}

func (c *PacketConn) checkCtx(op string, ctx *Context) {
	if ctx == nil {
		misuse(op, ErrNotInTask, "pass the *aio.Context of the running task")
	}
	if ctx.task.loop != c.fd.loop {
		misuse(op, ErrWrongLoop, "use an endpoint only on the loop that created it")
	}
}

// Close closes the endpoint: pending and later operations return an error
// wrapping net.ErrClosed; the loop releases the descriptor at its next
// iteration. A second Close returns an error wrapping net.ErrClosed. Any
// goroutine.
func (c *PacketConn) Close() error { return c.fd.close() }

// Control calls f with the endpoint's file descriptor, as Conn.Control
// does (a socket option aio has no method for, say); f must not block,
// close the descriptor or keep it. It returns an error wrapping
// net.ErrClosed on a closed endpoint. Any goroutine.
func (c *PacketConn) Control(f func(fd uintptr)) error { return c.fd.control(f) }

// LocalAddr returns the local address (*net.UDPAddr or *net.UnixAddr). Any
// goroutine.
func (c *PacketConn) LocalAddr() net.Addr { return c.fd.laddr }

// RemoteAddr returns the connected peer's address, or nil for an
// unconnected endpoint. Any goroutine.
func (c *PacketConn) RemoteAddr() net.Addr {
	if c.fd.raddr == nil {
		return nil
	}
	return c.fd.raddr
}

// SetDeadline sets the read and write deadlines, on the loop's clock (see
// Conn.SetDeadline). Any goroutine.
func (c *PacketConn) SetDeadline(t time.Time) error {
	return c.fd.setDeadline("set deadline", t, true, true)
}

// SetReadDeadline sets the read deadline. Any goroutine.
func (c *PacketConn) SetReadDeadline(t time.Time) error {
	return c.fd.setDeadline("set read deadline", t, true, false)
}

// SetWriteDeadline sets the write deadline. Any goroutine.
func (c *PacketConn) SetWriteDeadline(t time.Time) error {
	return c.fd.setDeadline("set write deadline", t, false, true)
}

// Loop returns the endpoint's loop. Any goroutine.
func (c *PacketConn) Loop() *Loop { return c.fd.loop }
