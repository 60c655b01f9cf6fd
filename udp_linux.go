package aio

import (
	"net"
	"net/netip"
	"os"
	"unsafe"

	"github.com/asyncgo/aio/internal/reactor"
	"golang.org/x/sys/unix"
)

// dgramBuf holds the kernel-form addresses of a datagram socket's current
// receive and send, so that recvfrom and sendto allocate nothing. rsa is
// used under the read side's lock, wsa under the write side's. Loop
// goroutine.
type dgramBuf struct {
	rsa, wsa   unix.RawSockaddrAny
	rlen, wlen uint32
}

// openDatagram creates a datagram socket of network's family, bound to
// laddr (if not nil) and connected to raddr (if not nil), registered with
// l's reactor.
func openDatagram(l *Loop, network string, laddr, raddr net.Addr, cfg listenConfig) (*netFD, error) {
	op, addr := "listen", laddr
	if raddr != nil {
		op, addr = "dial", raddr
	}
	fail := func(err error) (*netFD, error) {
		return nil, &net.OpError{Op: op, Net: network, Addr: addr, Err: err}
	}
	family, lsa, unlink := dgramSockaddr(laddr)
	rfamily, rsa, _ := dgramSockaddr(raddr)
	if laddr == nil {
		family = rfamily
	}
	if cfg.backlog > 0 {
		return fail(errBacklogDgram)
	}
	s, err := reactor.Socket(family, unix.SOCK_DGRAM, 0)
	if err != nil {
		return fail(os.NewSyscallError("socket", err))
	}
	for _, o := range [...]struct {
		on  bool
		opt int
	}{{cfg.reusePort, unix.SO_REUSEPORT}, {cfg.broadcast, unix.SO_BROADCAST}} {
		if o.on {
			if err := unix.SetsockoptInt(s, unix.SOL_SOCKET, o.opt, 1); err != nil {
				unix.Close(s)
				return fail(os.NewSyscallError("setsockopt", err))
			}
		}
	}
	if lsa != nil {
		if err := unix.Bind(s, lsa); err != nil {
			unix.Close(s)
			return fail(os.NewSyscallError("bind", err))
		}
	}
	if rsa != nil {
		if err := unix.Connect(s, rsa); err != nil {
			unix.Close(s)
			if unlink != "" {
				os.Remove(unlink)
			}
			return fail(os.NewSyscallError("connect", err))
		}
	}
	fd := newFD(l, s, family, unix.SOCK_DGRAM, network)
	fd.dg = &dgramBuf{}
	fd.unlink = unlink
	fd.laddr = laddr
	if sa, err := unix.Getsockname(s); err == nil {
		if a := sockaddrToAddr(network, sa); a != nil {
			fd.laddr = a
		}
	}
	if raddr != nil {
		fd.raddr = raddr
		if sa, err := unix.Getpeername(s); err == nil {
			if a := sockaddrToAddr(network, sa); a != nil {
				fd.raddr = a
			}
		}
	}
	if err := l.netp.register(fd); err != nil {
		fd.closeSys()
		return fail(err)
	}
	return fd, nil
}

// dgramSockaddr converts a *net.UDPAddr or *net.UnixAddr (or nil) to the
// kernel's form; an unnamed Unix address gives a nil Sockaddr (no bind).
func dgramSockaddr(a net.Addr) (family int, sa unix.Sockaddr, unlink string) {
	switch a := a.(type) {
	case *net.UDPAddr:
		family, sa = ipSockaddr(a.AddrPort())
		return family, sa, ""
	case *net.UnixAddr:
		if a.Name == "" {
			return unix.AF_UNIX, nil, ""
		}
		if a.Name[0] != '@' {
			unlink = a.Name
		}
		return unix.AF_UNIX, &unix.SockaddrUnix{Name: a.Name}, unlink
	}
	return unix.AF_INET, nil, ""
}

// recvFrom receives one datagram into p. For a UDP socket the sender is
// returned as ap (no allocation); for a Unix socket as ua (nil for an
// unnamed sender). from false: the sender is not wanted (Read).
func (fd *netFD) recvFrom(op string, ctx *Context, p []byte, from bool) (n int, ap netip.AddrPort, ua net.Addr, err error) {
	t, ctx := fd.enter(op, ctx)
	if err := fd.begin("read", ctx, &fd.rs, t); err != nil {
		return 0, ap, nil, err
	}
	defer fd.rs.unlock()
	dg := fd.dg
	for {
		if err := fd.check("read", &fd.rd); err != nil {
			return 0, ap, nil, err
		}
		dg.rlen = unix.SizeofSockaddrAny
		n, errno := recvfrom(fd.sysfd, p, &dg.rsa, &dg.rlen)
		switch errno {
		case 0:
			if from {
				ap, ua = rawToAddr(fd.net, &dg.rsa, dg.rlen)
			}
			return n, ap, ua, nil
		case unix.EAGAIN:
			fd.desc.Clear(reactor.Readable)
			if err := fd.rs.wait(ctx, t); err != nil {
				return 0, ap, nil, fd.opErr("read", &InterruptedError{Cause: err})
			}
		default:
			return 0, ap, nil, fd.opErr("read", os.NewSyscallError("recvfrom", errno))
		}
	}
}

// sendTo sends p as one datagram to addr, or to ap when addr is nil and ap
// is valid, or to the connected peer when neither is given.
func (fd *netFD) sendTo(op string, ctx *Context, p []byte, addr net.Addr, ap netip.AddrPort) (int, error) {
	t, ctx := fd.enter(op, ctx)
	if err := fd.begin("write", ctx, &fd.ws, t); err != nil {
		return 0, err
	}
	defer fd.ws.unlock()
	dg := fd.dg
	dg.wlen = 0
	switch a := addr.(type) {
	case nil:
		if ap.IsValid() {
			dg.wlen = fd.putInet(&dg.wsa, ap)
		}
	case *net.UDPAddr:
		if a == nil {
			return 0, fd.opErr("write", errMissingAddress)
		}
		dg.wlen = fd.putInet(&dg.wsa, a.AddrPort())
	case *net.UnixAddr:
		if a == nil {
			return 0, fd.opErr("write", errMissingAddress)
		}
		dg.wlen = putUnix(&dg.wsa, a.Name)
	default:
		return 0, fd.opErr("write", &net.AddrError{Err: "unexpected address type", Addr: addr.String()})
	}
	if dg.wlen != 0 && fd.raddr != nil {
		return 0, fd.opErr("write", net.ErrWriteToConnected)
	}
	if dg.wlen == 0 && fd.raddr == nil {
		return 0, fd.opErr("write", errMissingAddress)
	}
	for {
		if err := fd.check("write", &fd.wd); err != nil {
			return 0, err
		}
		n, errno := sendto(fd.sysfd, p, &dg.wsa, dg.wlen)
		switch errno {
		case 0:
			return n, nil
		case unix.EAGAIN:
			fd.desc.Clear(reactor.Writable)
			if err := fd.ws.wait(ctx, t); err != nil {
				return 0, fd.opErr("write", &InterruptedError{Cause: err})
			}
		default:
			return 0, fd.opErr("write", os.NewSyscallError("sendto", errno))
		}
	}
}

var errMissingAddress = &net.AddrError{Err: "missing address"}

// putInet writes ap in the kernel's form for fd's family (an IPv4 address
// on an IPv6 socket is v4-mapped) and returns its length.
func (fd *netFD) putInet(rsa *unix.RawSockaddrAny, ap netip.AddrPort) uint32 {
	ip := ap.Addr()
	port := ap.Port()
	if fd.family == unix.AF_INET && (ip.Is4() || ip.Is4In6()) {
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: ip.Unmap().As4()}
		pp := (*[2]byte)(unsafe.Pointer(&sa.Port))
		pp[0], pp[1] = byte(port>>8), byte(port)
		return unix.SizeofSockaddrInet4
	}
	sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
	*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ip.As16()}
	pp := (*[2]byte)(unsafe.Pointer(&sa.Port))
	pp[0], pp[1] = byte(port>>8), byte(port)
	return unix.SizeofSockaddrInet6
}

func putUnix(rsa *unix.RawSockaddrAny, name string) uint32 {
	sa := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
	*sa = unix.RawSockaddrUnix{Family: unix.AF_UNIX}
	n := copy(unsafe.Slice((*byte)(unsafe.Pointer(&sa.Path[0])), len(sa.Path)-1), name)
	if n > 0 && name[0] == '@' {
		sa.Path[0] = 0
	}
	return uint32(2 + n)
}

// rawToAddr converts a received sender address.
func rawToAddr(network string, rsa *unix.RawSockaddrAny, n uint32) (netip.AddrPort, net.Addr) {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		pp := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(pp[0])<<8|uint16(pp[1])), nil
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		pp := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(pp[0])<<8|uint16(pp[1])), nil
	case unix.AF_UNIX:
		sa := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
		if n <= 2 {
			return netip.AddrPort{}, nil
		}
		b := unsafe.Slice((*byte)(unsafe.Pointer(&sa.Path[0])), int(n)-2)
		if b[0] == 0 {
			return netip.AddrPort{}, &net.UnixAddr{Name: "@" + string(b[1:]), Net: network}
		}
		for i, c := range b {
			if c == 0 {
				b = b[:i]
				break
			}
		}
		return netip.AddrPort{}, &net.UnixAddr{Name: string(b), Net: network}
	}
	return netip.AddrPort{}, nil
}

var zeroByte byte

func recvfrom(fd int, p []byte, rsa *unix.RawSockaddrAny, rlen *uint32) (int, unix.Errno) {
	base := unsafe.Pointer(&zeroByte)
	if len(p) > 0 {
		base = unsafe.Pointer(&p[0])
	}
	for {
		n, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(base), uintptr(len(p)), 0,
			uintptr(unsafe.Pointer(rsa)), uintptr(unsafe.Pointer(rlen)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}

func sendto(fd int, p []byte, rsa *unix.RawSockaddrAny, n uint32) (int, unix.Errno) {
	base := unsafe.Pointer(&zeroByte)
	if len(p) > 0 {
		base = unsafe.Pointer(&p[0])
	}
	var sa unsafe.Pointer
	if n > 0 {
		sa = unsafe.Pointer(rsa)
	}
	for {
		r, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(base), uintptr(len(p)), 0,
			uintptr(sa), uintptr(n))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), 0
	}
}
