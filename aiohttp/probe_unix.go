//go:build unix

package aiohttp

import (
	"github.com/asyncgo/aio"
	"golang.org/x/sys/unix"
)

// alive probes an idle connection without waiting (a MSG_PEEK|MSG_DONTWAIT
// read): false when the peer closed it or reset it, or when unexpected
// bytes arrived on a plain connection (a TLS peer may send session tickets,
// so pending bytes are fine there).
func alive(c *aio.Conn, isTLS bool) bool {
	ok := false
	var b [1]byte
	err := c.Control(func(fd uintptr) {
		n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		switch {
		case err == unix.EAGAIN || err == unix.EWOULDBLOCK:
			ok = true
		case err == nil && n > 0:
			ok = isTLS
		}
	})
	return err == nil && ok
}
