//go:build !linux

package aio

// Off Linux no transport is ever created: Dial, Listen and ListenPacket
// fail with an error wrapping errors.ErrUnsupported first.

func newStreamTransport(fd *netFD, p BaseProtocol, op string) Transport {
	panic("aio: transports need the Linux reactor")
}

type protoServer struct {
	ln       *Listener
	conns    map[struct{}]struct{}
	accepted int
	idle     *Future[struct{}]
}

func newProtoServer(ctx *Context, ln *Listener, factory func() BaseProtocol) *protoServer {
	panic("aio: transports need the Linux reactor")
}

func (s *protoServer) close()        {}
func (s *protoServer) closeClients() {}
func (s *protoServer) abortClients() {}

func newDatagramTransport(fd *netFD, p DatagramProtocol) DatagramTransport {
	panic("aio: transports need the Linux reactor")
}
