//go:build !linux

package aio

import (
	"net"
	"net/netip"
)

func openDatagram(l *Loop, network string, laddr, raddr net.Addr, cfg listenConfig) (*netFD, error) {
	return nil, &net.OpError{Op: "listen", Net: network, Err: errUnsupported}
}

func (fd *netFD) recvFrom(op string, ctx *Context, p []byte, from bool) (int, netip.AddrPort, net.Addr, error) {
	return 0, netip.AddrPort{}, nil, fd.opErr("read", errUnsupported)
}

func (fd *netFD) sendTo(op string, ctx *Context, p []byte, addr net.Addr, ap netip.AddrPort) (int, error) {
	return 0, fd.opErr("write", errUnsupported)
}
