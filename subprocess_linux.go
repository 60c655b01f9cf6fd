package aio

import (
	"net"
	"os"

	"github.com/asyncgo/aio/internal/reactor"
	"golang.org/x/sys/unix"
)

// newPipe creates a pipe for a child's standard stream name ("|stdin",
// "|stdout" or "|stderr"): the parent's end is non-blocking, close-on-exec
// and registered with l's reactor, wrapped in a *Conn; the child's end is
// returned as a blocking *os.File (programs expect blocking standard
// streams; O_NONBLOCK belongs to each end's open file description).
func newPipe(l *Loop, name string) (*Conn, *os.File, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	parent, child := p[0], p[1]
	if name == "|stdin" {
		parent, child = p[1], p[0]
	}
	if err := unix.SetNonblock(child, false); err != nil {
		unix.Close(parent)
		unix.Close(child)
		return nil, nil, os.NewSyscallError("fcntl", err)
	}
	fd := newFD(l, parent, 0, 0, "pipe")
	if err := l.netp.register(fd); err != nil {
		unix.Close(parent)
		unix.Close(child)
		return nil, nil, &net.OpError{Op: "pipe", Net: "pipe", Err: err}
	}
	return &Conn{fd: fd}, os.NewFile(uintptr(child), name), nil
}

// noPidfd makes startWaiter use the goroutine fallback (tests).
var noPidfd bool

// pidfdWaiter learns of the child's exit from a pidfd registered with the
// loop's reactor: it becomes readable when the child exits.
type pidfdWaiter struct {
	c  *Cmd
	fd *netFD
}

// startWaiter returns the waiter of a started child: a pidfd if the kernel
// has pidfd_open (Linux 5.3), else a goroutine.
func startWaiter(c *Cmd) procWaiter {
	if noPidfd {
		return newThreadWaiter(c)
	}
	pfd, err := unix.PidfdOpen(c.cmd.Process.Pid, 0) // close-on-exec
	if err != nil {
		return newThreadWaiter(c)
	}
	fd := newFD(c.loop, pfd, 0, 0, "pidfd")
	if err := c.loop.netp.register(fd); err != nil {
		unix.Close(pfd)
		return newThreadWaiter(c)
	}
	return &pidfdWaiter{c: c, fd: fd}
}

func (w *pidfdWaiter) wait(ctx *Context, t *task) error {
	fd := w.fd
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	if fd.closed.Load() {
		return ErrLoopClosed
	}
	if err := fd.rs.lock(ctx, t); err != nil {
		return err
	}
	defer fd.rs.unlock()
	for !w.c.done {
		fd.desc.Clear(reactor.Readable)
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PIDFD, fd.sysfd, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err == nil && info.Signo != 0 {
			w.c.reap() // exited: reaping does not block
			break
		}
		if err != nil && err != unix.EINTR {
			w.c.reap() // ECHILD: nothing left to wait for; let os/exec say why
			break
		}
		if fd.closed.Load() {
			return ErrLoopClosed
		}
		if err := fd.rs.wait(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func (w *pidfdWaiter) close() { _ = w.fd.close() }
