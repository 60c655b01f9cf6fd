//go:build !linux

package aio

import (
	"net"
	"os"
)

// newPipe off Linux: pipes are not supported (no reactor).
func newPipe(l *Loop, name string) (*Conn, *os.File, error) {
	return nil, nil, &net.OpError{Op: "pipe", Net: "pipe", Err: errUnsupported}
}

// startWaiter off Linux: a goroutine waits for the child.
func startWaiter(c *Cmd) procWaiter { return newThreadWaiter(c) }
