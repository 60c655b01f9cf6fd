//go:build !linux

package aio

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/asyncgo/aio/internal/reactor"
)

// netFD off Linux: never created (Dial and Listen fail with
// ErrUnsupported); the methods exist so that the package builds.
type netFD struct {
	loop         *Loop
	net          string
	laddr, raddr net.Addr
	closed       atomic.Bool
}

const (
	shutRD = 0
	shutWR = 1
)

var errUnsupported = reactor.ErrUnsupported

func (fd *netFD) read(op string, ctx *Context, p []byte) (int, error) {
	return 0, fd.opErr("read", errUnsupported)
}

func (fd *netFD) write(op string, ctx *Context, p []byte) (int, error) {
	return 0, fd.opErr("write", errUnsupported)
}

func (fd *netFD) accept(op string, ctx *Context) (*netFD, error) {
	return nil, fd.opErr("accept", errUnsupported)
}

func (fd *netFD) close() error { return nil }

func (fd *netFD) shutdown(op string, how int) error { return fd.opErr(op, errUnsupported) }

func (fd *netFD) setDeadline(op string, t time.Time, read, write bool) error {
	return fd.opErr(op, errUnsupported)
}

func dialStream(ctx *Context, t *task, network string, addr net.Addr) (*netFD, error) {
	return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: errUnsupported}
}

func listenStream(l *Loop, network string, addr net.Addr, cfg listenConfig) (*netFD, error) {
	return nil, &net.OpError{Op: "listen", Net: network, Addr: addr, Err: errUnsupported}
}

func (fd *netFD) control(f func(sysfd uintptr)) error        { return fd.opErr("control", errUnsupported) }
func (fd *netFD) waitReleased(op string, ctx *Context) error { return nil }
