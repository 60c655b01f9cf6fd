package aio

import (
	"errors"
	"net"
)

// BaseProtocol is what every stream protocol implements (asyncio's
// BaseProtocol): ConnectionMade is called once the transport is ready,
// ConnectionLost once it is closed (err nil for a regular close or EOF,
// else the error that ended it; ErrLoopClosed when the transport was still
// open as its loop closed, for instance when Run's main returned without
// closing it). A protocol implements Protocol or BufferedProtocol as well,
// and may implement WriteFlowControl.
//
// # Goroutines
//
// Protocol callbacks run on the loop goroutine, as callbacks of the loop
// (not in a task): they must not block or await. Start a task (Go) for
// work that waits. The reactor's readiness runs them: no task per
// connection exists.
type BaseProtocol interface {
	ConnectionMade(t Transport)
	ConnectionLost(err error)
}

// Protocol is a stream protocol receiving data as it arrives (asyncio's
// Protocol). DataReceived's data is valid only during the call (the
// transport reuses its read buffer): copy what you keep. EOFReceived is
// called when the peer shuts down its writing side; returning true keeps
// the transport open for writing (half-close), false closes it.
type Protocol interface {
	BaseProtocol
	DataReceived(data []byte)
	EOFReceived() (keepOpen bool)
}

// BufferedProtocol is a stream protocol that receives into buffers it
// provides (asyncio's BufferedProtocol): GetBuffer returns where the next
// read goes (sizeHint is the transport's preferred size; a non-empty
// buffer of any size is fine), BufferUpdated says how many bytes were
// written into it.
type BufferedProtocol interface {
	BaseProtocol
	GetBuffer(sizeHint int) []byte
	BufferUpdated(n int)
	EOFReceived() (keepOpen bool)
}

// WriteFlowControl is implemented by protocols that want to hear about the
// transport's write buffer (asyncio's pause_writing and resume_writing):
// PauseWriting is called when the buffer goes above the high water mark,
// ResumeWriting when it drains to the low water mark. Loop goroutine.
type WriteFlowControl interface {
	PauseWriting()
	ResumeWriting()
}

// Transport is a stream connection driven by callbacks (asyncio's
// Transport): writes are buffered and flushed when the socket is writable;
// reads are delivered to the protocol. CreateConnection and CreateServer
// create them. Every method is for the loop goroutine (protocol callbacks
// and tasks of the transport's loop).
type Transport interface {
	// Write sends data: what the socket does not take at once is copied to
	// the write buffer and flushed on writability. After Close, Abort or
	// WriteEOF it returns ErrTransportClosing and drops data.
	Write(data []byte) error
	// WriteEOF shuts down the writing side once the buffer is flushed (the
	// peer reads EOF); reading goes on.
	WriteEOF() error
	// CanWriteEOF reports whether WriteEOF is supported (true for TCP and
	// Unix sockets).
	CanWriteEOF() bool
	// Close flushes the write buffer, then closes the connection; the
	// protocol's ConnectionLost(nil) follows. Reading stops at once.
	Close()
	// Abort closes at once, dropping the write buffer; ConnectionLost(nil)
	// follows.
	Abort()
	// IsClosing reports whether Close or Abort was called, or the
	// connection was lost.
	IsClosing() bool
	// PauseReading stops delivering data until ResumeReading (the kernel's
	// receive buffer then fills and the peer is held back).
	PauseReading()
	// ResumeReading resumes delivering data.
	ResumeReading()
	// IsReading reports whether data is being delivered.
	IsReading() bool
	// SetWriteBufferLimits sets the write buffer's high and low water
	// marks (defaults 64 KiB and 16 KiB; a negative high means the
	// default, a negative low high/4). Above high the protocol's
	// PauseWriting is called, and ResumeWriting once the buffer drains to
	// low. It panics if low > high.
	SetWriteBufferLimits(high, low int)
	// GetWriteBufferLimits returns the low and high water marks.
	GetWriteBufferLimits() (low, high int)
	// GetWriteBufferSize returns how many bytes are buffered.
	GetWriteBufferSize() int
	// LocalAddr and RemoteAddr return the socket's addresses.
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	// Loop returns the transport's loop.
	Loop() *Loop
}

// ErrTransportClosing is returned by a Transport's Write and WriteEOF after
// Close, Abort or WriteEOF, and by a DatagramTransport's SendTo after Close
// or Abort.
var ErrTransportClosing = errors.New("aio: transport is closing")

// ErrProtocolPanicked is the error ConnectionLost receives when a callback
// of the protocol panicked: the transport was aborted (the loop reports the
// panic itself, as for any callback).
var ErrProtocolPanicked = errors.New("aio: a protocol callback panicked; the transport was aborted")

// DatagramProtocol receives datagrams from a DatagramTransport (asyncio's
// DatagramProtocol). DatagramReceived's data is valid only during the call;
// addr is the sender (nil for an unnamed Unix sender). ErrorReceived
// reports a non-fatal error of a send or receive (for example
// ECONNREFUSED after sending to a closed port). Callbacks run on the loop
// goroutine, as for BaseProtocol.
type DatagramProtocol interface {
	ConnectionMade(t DatagramTransport)
	DatagramReceived(data []byte, addr net.Addr)
	ErrorReceived(err error)
	ConnectionLost(err error)
}

// DatagramTransport sends datagrams for a DatagramProtocol (asyncio's
// DatagramTransport). Loop goroutine only.
type DatagramTransport interface {
	// SendTo sends data as one datagram to addr (nil: the connected peer).
	// A datagram the socket cannot take at once is buffered (copied) and
	// sent on writability.
	SendTo(data []byte, addr net.Addr) error
	// Close closes once the buffer is flushed; Abort at once. Either is
	// followed by ConnectionLost(nil).
	Close()
	Abort()
	IsClosing() bool
	// GetWriteBufferSize returns how many bytes of datagrams are buffered.
	GetWriteBufferSize() int
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	Loop() *Loop
}

// CreateConnection connects to address (see Dial; the connect suspends the
// calling task, bounded by ctx) and drives the connection with a protocol
// made by factory (asyncio's loop.create_connection): ConnectionMade is
// called before it returns, then data is delivered by readiness callbacks
// on the loop goroutine. P implements Protocol or BufferedProtocol (else
// it panics with a *MisuseError). Off Linux it returns an error wrapping
// errors.ErrUnsupported. Task of ctx's loop only.
func CreateConnection[P BaseProtocol](ctx *Context, factory func() P, network, address string) (Transport, P, error) {
	var zero P
	if factory == nil {
		misuse("aio.CreateConnection", ErrNilFunc, "pass the protocol factory")
	}
	c, err := Dial(ctx, network, address)
	if err != nil {
		return nil, zero, err
	}
	p := factory()
	tr := newStreamTransport(c.fd, p, "aio.CreateConnection")
	return tr, p, nil
}

// ProtocolServer accepts connections and drives each with a protocol
// (asyncio's Server from loop.create_server): accepting and every protocol
// callback run as readiness callbacks on the loop goroutine, with no task
// per connection. CreateServer creates one. Every method is for the loop
// goroutine, except Addr.
type ProtocolServer struct {
	ps *protoServer
}

// CreateServer listens on address (see Listen, and ListenOption for opts)
// and serves each accepted
// connection with a new protocol from factory (asyncio's
// loop.create_server); P implements Protocol or BufferedProtocol. Accept
// errors for lack of descriptors make it back off (100 ms) and retry. Off
// Linux it returns an error wrapping errors.ErrUnsupported. Task of ctx's
// loop only.
func CreateServer[P BaseProtocol](ctx *Context, factory func() P, network, address string, opts ...ListenOption) (*ProtocolServer, error) {
	if factory == nil {
		misuse("aio.CreateServer", ErrNilFunc, "pass the protocol factory")
	}
	ln, err := Listen(ctx, network, address, opts...)
	if err != nil {
		return nil, err
	}
	ps := newProtoServer(ctx, ln, func() BaseProtocol { return factory() })
	return &ProtocolServer{ps: ps}, nil
}

// Addr returns the address listened on. Any goroutine.
func (s *ProtocolServer) Addr() net.Addr { return s.ps.ln.Addr() }

// Close stops accepting; connections being served go on (asyncio's
// Server.close). Calling it again does nothing.
func (s *ProtocolServer) Close() { s.ps.close() }

// CloseClients closes every connection being served (Transport.Close:
// buffered data is flushed first).
func (s *ProtocolServer) CloseClients() { s.ps.closeClients() }

// AbortClients aborts every connection being served.
func (s *ProtocolServer) AbortClients() { s.ps.abortClients() }

// Connections returns how many connections are being served.
func (s *ProtocolServer) Connections() int { return len(s.ps.conns) }

// Accepted returns how many connections were accepted so far.
func (s *ProtocolServer) Accepted() int { return s.ps.accepted }

// WaitClosed waits until the server is closed and every connection is
// lost (asyncio's Server.wait_closed). Task of the loop only.
func (s *ProtocolServer) WaitClosed(ctx *Context) error {
	_, err := Shield(ctx, s.ps.idle)
	return err
}

// CreateDatagramEndpoint opens a datagram endpoint (see ListenPacket and
// DialUDP: localAddr binds it, remoteAddr connects it; at least one is
// given; for "unixgram" they are paths) and drives it with a protocol
// made by factory (asyncio's loop.create_datagram_endpoint): datagrams are
// delivered by readiness callbacks on the loop goroutine. Off Linux it
// returns an error wrapping errors.ErrUnsupported. Task of ctx's loop only.
func CreateDatagramEndpoint[P DatagramProtocol](ctx *Context, factory func() P, network, localAddr, remoteAddr string) (DatagramTransport, P, error) {
	var zero P
	if factory == nil {
		misuse("aio.CreateDatagramEndpoint", ErrNilFunc, "pass the protocol factory")
	}
	var pc *PacketConn
	var err error
	switch {
	case remoteAddr != "" && localAddr == "":
		pc, err = DialUDP(ctx, network, remoteAddr)
	case remoteAddr != "":
		pc, err = dialUDPFrom(ctx, network, localAddr, remoteAddr)
	default:
		pc, err = ListenPacket(ctx, network, localAddr)
	}
	if err != nil {
		return nil, zero, err
	}
	p := factory()
	return newDatagramTransport(pc.fd, p), p, nil
}

// dialUDPFrom opens an endpoint bound to laddr and connected to raddr.
func dialUDPFrom(ctx *Context, network, laddr, raddr string) (*PacketConn, error) {
	ctx.enter("aio.CreateDatagramEndpoint")
	var la, ra net.Addr
	if network == "unixgram" {
		la, ra = &net.UnixAddr{Name: laddr, Net: network}, &net.UnixAddr{Name: raddr, Net: network}
	} else {
		l, err := resolve(ctx, network, laddr, true)
		if err != nil {
			return nil, &net.OpError{Op: "listen", Net: network, Err: err}
		}
		r, err := resolve(ctx, network, raddr, false)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		la, ra = net.UDPAddrFromAddrPort(l[0]), net.UDPAddrFromAddrPort(r[0])
	}
	fd, err := openDatagram(ctx.task.loop, network, la, ra, listenConfig{})
	if err != nil {
		return nil, err
	}
	return &PacketConn{fd: fd}, nil
}
