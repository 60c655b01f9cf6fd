package aio

import (
	"net"
	"os"

	"github.com/asyncgo/aio/internal/reactor"
	"golang.org/x/sys/unix"
)

// dgramTransport is the DatagramTransport of a datagram socket, driven by
// readiness callbacks like streamTransport. Loop goroutine only.
type dgramTransport struct {
	fd      *netFD
	loop    *Loop
	proto   DatagramProtocol
	rbuf    []byte
	queue   []queuedDatagram
	queued  int // bytes in queue
	sched   bool
	closing bool
	lost    bool
	lostErr error
	runFn   func()
	lostF   func()
}

type queuedDatagram struct {
	data []byte
	addr net.Addr
}

// maxDatagram is the read buffer: the largest UDP payload.
const maxDatagram = 64 << 10

func newDatagramTransport(fd *netFD, p DatagramProtocol) *dgramTransport {
	tr := &dgramTransport{fd: fd, loop: fd.loop, proto: p}
	tr.runFn = tr.run
	tr.lostF = func() { tr.proto.ConnectionLost(tr.lostErr) }
	fd.cb = func(reactor.Event) int {
		tr.schedule()
		return 1
	}
	fd.lose = tr.finish
	p.ConnectionMade(tr)
	tr.schedule()
	return tr
}

func (tr *dgramTransport) schedule() {
	if !tr.sched && !tr.lost {
		tr.sched = true
		tr.loop.pushFunc(tr.runFn)
	}
}

// run sends what is queued and receives up to 32 datagrams, then yields.
func (tr *dgramTransport) run() {
	tr.sched = false
	if tr.lost {
		return
	}
	ok := false
	defer func() {
		if !ok {
			tr.finish(ErrProtocolPanicked)
		}
	}()
	if len(tr.queue) > 0 && tr.fd.desc.Readiness()&reactor.Writable != 0 {
		tr.flush()
	}
	for i := 0; i < 32 && !tr.lost && !tr.closing; i++ {
		if tr.fd.desc.Readiness()&reactor.Readable == 0 {
			break
		}
		if tr.rbuf == nil {
			tr.rbuf = make([]byte, maxDatagram)
		}
		dg := tr.fd.dg
		dg.rlen = unix.SizeofSockaddrAny
		n, errno := recvfrom(tr.fd.sysfd, tr.rbuf, &dg.rsa, &dg.rlen)
		switch errno {
		case 0:
			ap, ua := rawToAddr(tr.fd.net, &dg.rsa, dg.rlen)
			if tr.fd.net != "unixgram" {
				ua = net.UDPAddrFromAddrPort(ap)
			}
			tr.proto.DatagramReceived(tr.rbuf[:n], ua)
			if i == 31 {
				tr.schedule()
			}
		case unix.EAGAIN:
			tr.fd.desc.Clear(reactor.Readable)
			i = 32
		default:
			tr.proto.ErrorReceived(tr.fd.opErr("read", os.NewSyscallError("recvfrom", errno)))
		}
	}
	ok = true
}

// send tries to send one datagram now; it reports false if the socket
// would block.
func (tr *dgramTransport) send(data []byte, addr net.Addr) bool {
	dg := tr.fd.dg
	dg.wlen = 0
	switch a := addr.(type) {
	case *net.UDPAddr:
		dg.wlen = tr.fd.putInet(&dg.wsa, a.AddrPort())
	case *net.UnixAddr:
		dg.wlen = putUnix(&dg.wsa, a.Name)
	}
	_, errno := sendto(tr.fd.sysfd, data, &dg.wsa, dg.wlen)
	switch errno {
	case 0:
		return true
	case unix.EAGAIN:
		tr.fd.desc.Clear(reactor.Writable)
		return false
	default:
		tr.proto.ErrorReceived(tr.fd.opErr("write", os.NewSyscallError("sendto", errno)))
		return true
	}
}

func (tr *dgramTransport) flush() {
	i := 0
	for ; i < len(tr.queue) && !tr.lost; i++ {
		q := tr.queue[i]
		if !tr.send(q.data, q.addr) {
			break
		}
		tr.queued -= len(q.data)
		tr.queue[i] = queuedDatagram{}
	}
	tr.queue = tr.queue[i:]
	if len(tr.queue) == 0 {
		tr.queue = nil
		if tr.closing {
			tr.finish(nil)
		}
	}
}

func (tr *dgramTransport) SendTo(data []byte, addr net.Addr) error {
	tr.loop.checkCaller("DatagramTransport.SendTo")
	if tr.closing || tr.lost {
		return ErrTransportClosing
	}
	if addr != nil && tr.fd.raddr != nil {
		return tr.fd.opErr("write", net.ErrWriteToConnected)
	}
	if addr == nil && tr.fd.raddr == nil {
		return tr.fd.opErr("write", errMissingAddress)
	}
	switch addr.(type) {
	case nil, *net.UDPAddr, *net.UnixAddr:
	default:
		return tr.fd.opErr("write", &net.AddrError{Err: "unexpected address type", Addr: addr.String()})
	}
	if len(tr.queue) == 0 && tr.fd.desc.Readiness()&reactor.Writable != 0 && tr.send(data, addr) {
		return nil
	}
	tr.queue = append(tr.queue, queuedDatagram{data: append([]byte(nil), data...), addr: addr})
	tr.queued += len(data)
	return nil
}

func (tr *dgramTransport) Close() {
	tr.loop.checkCaller("DatagramTransport.Close")
	if tr.closing || tr.lost {
		return
	}
	tr.closing = true
	if len(tr.queue) == 0 {
		tr.finish(nil)
	}
}

func (tr *dgramTransport) Abort() {
	tr.loop.checkCaller("DatagramTransport.Abort")
	tr.finish(nil)
}

func (tr *dgramTransport) finish(err error) {
	if tr.lost {
		return
	}
	tr.lost, tr.lostErr, tr.closing = true, err, true
	tr.queue, tr.queued = nil, 0
	_ = tr.fd.close()
	tr.loop.pushFunc(tr.lostF)
}

func (tr *dgramTransport) IsClosing() bool { return tr.closing || tr.lost }

func (tr *dgramTransport) GetWriteBufferSize() int { return tr.queued }

func (tr *dgramTransport) LocalAddr() net.Addr { return tr.fd.laddr }

func (tr *dgramTransport) RemoteAddr() net.Addr {
	if tr.fd.raddr == nil {
		return nil
	}
	return tr.fd.raddr
}

func (tr *dgramTransport) Loop() *Loop { return tr.loop }
