package aio

import (
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncgo/aio/internal/reactor"
	"github.com/asyncgo/aio/internal/timerheap"
	"github.com/asyncgo/aio/internal/waitq"
	"golang.org/x/sys/unix"
)

// netFD is one of aio's own sockets: a non-blocking close-on-exec fd
// registered with the loop's reactor, with one side (ioSide) for reads and
// accepts and one for writes and connects. Every operation tries the
// syscall first and parks the calling task only on EAGAIN (package
// internal/reactor, readiness protocol).
//
// Goroutines: the operations, ready and release run on the loop goroutine;
// close, the deadline setters, shutdown and the address getters are safe
// from any goroutine (closed, the deadlines and parked are atomics, and the
// loop's side of a close or of a deadline change is posted through the
// inbox).
type netFD struct {
	loop   *Loop
	desc   reactor.Desc
	sysfd  int
	family int
	sotype int
	net    string
	laddr  net.Addr  // set before the fd is shared; immutable after
	raddr  net.Addr  // set before the fd is shared; immutable after
	unlink string    // unix socket path a listener removes when closed
	dg     *dgramBuf // datagram sockets: the addresses of the current recvfrom and sendto

	closed    atomic.Bool  // Close was called
	mu        sync.Mutex   // orders shutdown and close of sysfd
	sysClosed bool         // sysfd is closed (under mu)
	rd, wd    atomic.Int64 // read and write deadlines in loop nanoseconds; 0 = none
	parked    atomic.Int32 // operations parked on readiness
	dlPosted  atomic.Bool  // a deadline change is posted to the loop

	rs, ws     ioSide
	onClose    func() // release, posted by close
	onDeadline func() // deadlineChanged, posted by the deadline setters
	// cb, if set, replaces the wake-ups of ready: the fd is driven by
	// callbacks (a protocol's transport), not by parked tasks. Loop
	// goroutine.
	cb func(ev reactor.Event) int
	// lose, set with cb, ends the transport with an error (its
	// ConnectionLost follows); Loop.Close calls it. Loop goroutine.
	lose func(err error)
	// released, created by waitReleased, is resolved by release once the
	// descriptor is closed. Loop goroutine.
	released *Future[struct{}]
	// drained: the last read of a stream socket came back short, so its
	// receive queue was empty then (drainedBy, readLocked). Loop
	// goroutine.
	drained bool
}

func newFD(l *Loop, sysfd, family, sotype int, network string) *netFD {
	fd := &netFD{loop: l, sysfd: sysfd, family: family, sotype: sotype, net: network}
	fd.rs.fd, fd.rs.mode, fd.rs.dl = fd, reactor.Readable, &fd.rd
	fd.ws.fd, fd.ws.mode, fd.ws.dl = fd, reactor.Writable, &fd.wd
	fd.rs.timer.Owner, fd.ws.timer.Owner = &fd.rs, &fd.ws
	fd.onClose = fd.release
	fd.onDeadline = fd.deadlineChanged
	return fd
}

// ioSide is the read (or write) half of a netFD: the task parked on
// readiness, its deadline timer, and a FIFO lock that makes each Read (each
// Write) whole with respect to the others, as net.Conn requires. Loop
// goroutine.
//
// The deadline timer is lazy, as the runtime's netpoller deadlines are: a
// wait arms it only if it is not queued or would fire too late, and a
// finished wait leaves it queued. When it fires (deadlineFired) it wakes
// the parked operation if the deadline has passed, re-arms itself if the
// deadline moved later, and otherwise lapses. A request-response
// connection whose read deadline moves forward with every request thus
// costs no timer-heap operation per request; the fd's release removes it.
// On a virtual clock the timer is removed when the wait ends, as the clock
// jumps to queued timers when the loop idles.
type ioSide struct {
	fd    *netFD
	mode  reactor.Event
	dl    *atomic.Int64   // the side's deadline (fd.rd or fd.wd)
	t     *task           // parked until mode readiness
	timer timerheap.Entry // fires at or before the deadline of a parked operation; Owner is the side
	busy  bool            // an operation holds the side
	queue waitq.Queue[*lockWaiter]
}

// abort withdraws a readiness wait (the parker of ioSide.wait). The
// deadline timer stays queued (see the type's doc).
func (s *ioSide) abort(error, bool) bool {
	s.t = nil
	return true
}

// deadlineFired is the side's timer firing. Loop goroutine.
func (s *ioSide) deadlineFired() {
	if s.t == nil {
		return // nothing waits: the timer lapses; the next wait re-arms it
	}
	d := s.dl.Load()
	if d == 0 {
		return // the deadline was cleared
	}
	if d > s.fd.loop.now() {
		s.timer.When = d // moved later while parked
		s.fd.loop.timers.Push(&s.timer)
		return
	}
	s.t.wakeUp() // the operation sees the deadline passed
}

// stopTimer removes the deadline timer (the fd is released).
func (s *ioSide) stopTimer() {
	if s.timer.Queued() {
		s.fd.loop.timers.Remove(&s.timer)
	}
}

type lockWaiter struct {
	s *ioSide
	n *waitq.Node[*lockWaiter]
	t *task
}

func (w *lockWaiter) abort(error, bool) bool {
	w.s.queue.Remove(w.n)
	return true
}

// lock takes the side for one operation, waiting behind earlier ones.
func (s *ioSide) lock(ctx *Context, t *task) error {
	if !s.busy {
		s.busy = true
		return nil
	}
	w := &lockWaiter{s: s, t: t}
	w.n = s.queue.Get(w)
	s.queue.PushBack(w.n)
	err := t.park(ctx, w)
	s.queue.Put(w.n)
	return err // nil: unlock handed the side over (busy stayed true)
}

func (s *ioSide) unlock() {
	if n := s.queue.PopFront(); n != nil {
		n.Val.t.wakeUp()
		return
	}
	s.busy = false
}

// wait parks t until the side's readiness, its deadline, the scope ctx's
// cancellation, a deadline change or the close of the fd; the caller
// re-checks all of them and retries the syscall.
func (s *ioSide) wait(ctx *Context, t *task) error {
	fd := s.fd
	fd.parked.Add(1)
	if d := s.dl.Load(); d != 0 {
		switch {
		case !s.timer.Queued():
			s.timer.When = d
			fd.loop.timers.Push(&s.timer)
		case d < s.timer.When:
			fd.loop.timers.Remove(&s.timer)
			s.timer.When = d
			fd.loop.timers.Push(&s.timer)
		}
	}
	s.t = t
	fd.loop.mx.ioWaits.Add(1)
	err := t.park(ctx, s)
	s.t = nil
	fd.parked.Add(-1)
	if !fd.loop.realTime {
		// On a virtual clock a queued timer is a place the clock may jump
		// to when the loop idles: keep none that nothing waits for.
		s.stopTimer()
	}
	return err
}

// ready wakes the tasks parked on the readiness the reactor reported.
func (fd *netFD) ready(ev reactor.Event) int {
	if fd.cb != nil {
		return fd.cb(ev)
	}
	n := 0
	if ev&reactor.Readable != 0 && fd.rs.t != nil {
		fd.rs.t.wakeUp()
		n++
	}
	if ev&reactor.Writable != 0 && fd.ws.t != nil {
		fd.ws.t.wakeUp()
		n++
	}
	return n
}

func (fd *netFD) wakeAll() {
	if fd.rs.t != nil {
		fd.rs.t.wakeUp()
	}
	if fd.ws.t != nil {
		fd.ws.t.wakeUp()
	}
}

// deadlineChanged makes parked operations re-read their deadline. Loop
// goroutine (posted by setDeadline).
func (fd *netFD) deadlineChanged() {
	fd.dlPosted.Store(false)
	fd.wakeAll()
}

// expired reports whether the deadline d has passed. Loop goroutine.
func (fd *netFD) expired(d *atomic.Int64) bool {
	v := d.Load()
	return v != 0 && fd.loop.now() >= v
}

// check is the common prologue of an operation's attempt.
func (fd *netFD) check(op string, d *atomic.Int64) error {
	if fd.closed.Load() {
		return fd.opErr(op, net.ErrClosed)
	}
	if fd.expired(d) {
		return fd.opErr(op, &InterruptedError{})
	}
	return nil
}

func (fd *netFD) read(op string, ctx *Context, p []byte) (int, error) {
	t, ctx := fd.enter(op, ctx)
	if err := fd.begin("read", ctx, &fd.rs, t); err != nil {
		return 0, err
	}
	n, err := fd.readLocked(ctx, t, p)
	fd.rs.unlock()
	return n, err
}

// begin checks the scope and the fd and takes the side.
func (fd *netFD) begin(op string, ctx *Context, s *ioSide, t *task) error {
	if err := ctx.checkCancel(); err != nil {
		return fd.opErr(op, &InterruptedError{Cause: err})
	}
	if fd.closed.Load() {
		return fd.opErr(op, net.ErrClosed)
	}
	if err := s.lock(ctx, t); err != nil {
		return fd.opErr(op, &InterruptedError{Cause: err})
	}
	return nil
}

func (fd *netFD) readLocked(ctx *Context, t *task, p []byte) (int, error) {
	for {
		if err := fd.check("read", &fd.rd); err != nil {
			return 0, err
		}
		if fd.drained && fd.desc.Readiness()&reactor.Readable == 0 {
			// The last read came back short (see drainedBy): park without
			// the read that would only return EAGAIN (one system call less
			// per request-response).
			if err := fd.rs.wait(ctx, t); err != nil {
				return 0, fd.opErr("read", &InterruptedError{Cause: err})
			}
			continue
		}
		fd.drained = false
		n, err := fd.sysRead(p)
		switch err {
		case nil:
			fd.drained = fd.drainedBy(n, len(p))
			return n, nil
		case io.EOF:
			return 0, io.EOF
		case reactor.ErrWouldBlock:
			fd.desc.Clear(reactor.Readable)
			if err := fd.rs.wait(ctx, t); err != nil {
				return 0, fd.opErr("read", &InterruptedError{Cause: err})
			}
		default:
			return 0, fd.opErr("read", os.NewSyscallError("read", err))
		}
	}
}

func (fd *netFD) write(op string, ctx *Context, p []byte) (int, error) {
	t, ctx := fd.enter(op, ctx)
	if err := fd.begin("write", ctx, &fd.ws, t); err != nil {
		return 0, err
	}
	nn := 0
	var err error
	for {
		if err = fd.check("write", &fd.wd); err != nil {
			break
		}
		var n int
		n, err = fd.sysWrite(p[nn:])
		nn += n
		if nn == len(p) {
			err = nil
			break
		}
		if err == reactor.ErrWouldBlock {
			fd.desc.Clear(reactor.Writable)
			if werr := fd.ws.wait(ctx, t); werr != nil {
				err = fd.opErr("write", &InterruptedError{Cause: werr})
				break
			}
			continue
		}
		if err != nil {
			err = fd.opErr("write", os.NewSyscallError("write", err))
			break
		}
	}
	fd.ws.unlock()
	return nn, err
}

// drainedBy reports whether a read of n bytes into a buffer of size bytes
// emptied the socket's receive queue: a short read of a stream socket.
// Then it clears Readable, since whatever arrives next is a new edge the
// reactor reports, unless a hang-up was reported already (no edge would
// announce it again, so it must still be read). Loop goroutine.
func (fd *netFD) drainedBy(n, size int) bool {
	if n >= size || fd.sotype != unix.SOCK_STREAM ||
		fd.desc.Readiness()&(reactor.ReadHup|reactor.Hup|reactor.Error) != 0 {
		return false
	}
	fd.desc.Clear(reactor.Readable)
	return true
}

// sysRead and sysWrite are the non-blocking syscalls of read and write:
// recvfrom/sendto for stream sockets, read/write for pipes.
func (fd *netFD) sysRead(p []byte) (int, error) {
	if fd.sotype == unix.SOCK_STREAM {
		return reactor.Recv(fd.sysfd, p)
	}
	return reactor.Read(fd.sysfd, p)
}

func (fd *netFD) sysWrite(p []byte) (int, error) {
	if fd.sotype == unix.SOCK_STREAM {
		return reactor.Send(fd.sysfd, p)
	}
	return reactor.Write(fd.sysfd, p)
}

// accept accepts one connection on a listening fd.
func (fd *netFD) accept(op string, ctx *Context) (*netFD, error) {
	t, ctx := fd.enter(op, ctx)
	if err := fd.begin("accept", ctx, &fd.rs, t); err != nil {
		return nil, err
	}
	defer fd.rs.unlock()
	for {
		if err := fd.check("accept", &fd.rd); err != nil {
			return nil, err
		}
		nfd, err := fd.acceptOne()
		switch err {
		case nil:
			return nfd, nil
		case reactor.ErrWouldBlock:
			fd.desc.Clear(reactor.Readable)
			if err := fd.rs.wait(ctx, t); err != nil {
				return nil, fd.opErr("accept", &InterruptedError{Cause: err})
			}
		default:
			return nil, err
		}
	}
}

// acceptOne accepts one connection without waiting: the new fd, registered
// with the reactor, or reactor.ErrWouldBlock, or a *net.OpError. Loop
// goroutine.
func (fd *netFD) acceptOne() (*netFD, error) {
	s, sa, err := reactor.Accept(fd.sysfd)
	if err == reactor.ErrWouldBlock {
		return nil, err
	}
	if err != nil {
		return nil, fd.opErr("accept", os.NewSyscallError("accept4", err))
	}
	nfd := newFD(fd.loop, s, fd.family, fd.sotype, fd.net)
	if err := fd.loop.netp.register(nfd); err != nil {
		unix.Close(s)
		return nil, fd.opErr("accept", err)
	}
	nfd.laddr = fd.laddr
	if fd.family == unix.AF_UNIX {
		if lsa, err := unix.Getsockname(s); err == nil {
			nfd.laddr = sockaddrToAddr(fd.net, lsa)
		}
	} else {
		_ = unix.SetsockoptInt(s, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	nfd.raddr = sockaddrToAddr(fd.net, sa)
	return nfd, nil
}

// close marks the fd closed and posts the loop's side (deregister, wake
// the parked tasks, close the fd). Any goroutine.
func (fd *netFD) close() error {
	if !fd.closed.CompareAndSwap(false, true) {
		return fd.opErr("close", net.ErrClosed)
	}
	// Shut the socket down at once, so the peer sees it now and the
	// reactor reports a hang-up to the tasks parked on it.
	fd.mu.Lock()
	if !fd.sysClosed && fd.sotype == unix.SOCK_STREAM {
		_ = unix.Shutdown(fd.sysfd, unix.SHUT_RDWR)
	}
	fd.mu.Unlock()
	if err := fd.loop.inbox.post(fd.onClose); err != nil {
		fd.closeSys() // the loop is closed: nothing is registered any more
	}
	return nil
}

// release is the loop's side of close. Loop goroutine.
func (fd *netFD) release() {
	fd.loop.netp.deregister(fd)
	fd.rs.stopTimer()
	fd.ws.stopTimer()
	fd.wakeAll()
	fd.closeSys()
	if f := fd.released; f != nil && !f.Done() && !fd.loop.IsClosed() {
		f.SetResult(struct{}{})
	}
}

// waitReleased waits in ctx until the descriptor is closed (the loop's
// side of close ran). Loop goroutine (a task of fd's loop).
func (fd *netFD) waitReleased(op string, ctx *Context) error {
	ctx.enter(op)
	fd.mu.Lock()
	done := fd.sysClosed
	fd.mu.Unlock()
	if done {
		return nil
	}
	if fd.released == nil {
		fd.released = NewFuture[struct{}](ctx)
	}
	_, err := Shield(ctx, fd.released)
	return err
}

func (fd *netFD) closeSys() {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.sysClosed {
		return
	}
	fd.sysClosed = true
	unix.Close(fd.sysfd)
	if fd.unlink != "" {
		os.Remove(fd.unlink)
	}
}

// shutdown half-closes the socket (unix.SHUT_WR or SHUT_RD). Any goroutine.
func (fd *netFD) shutdown(op string, how int) error {
	if fd.closed.Load() {
		return fd.opErr(op, net.ErrClosed)
	}
	if fd.sotype == 0 && how == unix.SHUT_WR {
		return fd.close() // a pipe's write end: closing it is its EOF
	}
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.sysClosed {
		return fd.opErr(op, net.ErrClosed)
	}
	if err := unix.Shutdown(fd.sysfd, how); err != nil {
		return fd.opErr(op, os.NewSyscallError("shutdown", err))
	}
	return nil
}

// setDeadline stores a deadline (t on the loop's clock; zero: none) and, if
// an operation is parked, posts the loop's re-check. Any goroutine.
func (fd *netFD) setDeadline(op string, t time.Time, read, write bool) error {
	if fd.closed.Load() {
		return fd.opErr(op, net.ErrClosed)
	}
	var v int64
	if !t.IsZero() {
		v = fd.loop.fromTime(t)
		if v == 0 {
			v = 1
		}
	}
	if read {
		fd.rd.Store(v)
	}
	if write {
		fd.wd.Store(v)
	}
	if fd.parked.Load() > 0 && !fd.dlPosted.Swap(true) {
		_ = fd.loop.inbox.post(fd.onDeadline)
	}
	return nil
}

// sockaddrToAddr converts a kernel address to a *net.TCPAddr, *net.UDPAddr
// or *net.UnixAddr, depending on the network.
func sockaddrToAddr(network string, sa unix.Sockaddr) net.Addr {
	var ip netip.Addr
	var port int
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		ip, port = netip.AddrFrom4(a.Addr), a.Port
	case *unix.SockaddrInet6:
		ip, port = netip.AddrFrom16(a.Addr), a.Port
	case *unix.SockaddrUnix:
		n := "unix"
		if network == "unixgram" {
			n = "unixgram"
		}
		return &net.UnixAddr{Name: a.Name, Net: n}
	default:
		return nil
	}
	ap := netip.AddrPortFrom(ip, uint16(port))
	if len(network) >= 3 && network[:3] == "udp" {
		return net.UDPAddrFromAddrPort(ap)
	}
	return net.TCPAddrFromAddrPort(ap)
}

// ipSockaddr converts an address to the kernel's form, for the family the
// socket will have.
func ipSockaddr(ap netip.AddrPort) (int, unix.Sockaddr) {
	ip := ap.Addr()
	if ip.Is4() || ip.Is4In6() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.Unmap().As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
}

// dialStream connects a stream socket (TCP or Unix) to addr, bounded by
// ctx. t is the running task.
func dialStream(ctx *Context, t *task, network string, addr net.Addr) (*netFD, error) {
	l := t.loop
	var family int
	var sa unix.Sockaddr
	switch a := addr.(type) {
	case *net.TCPAddr:
		family, sa = ipSockaddr(a.AddrPort())
	case *net.UnixAddr:
		family, sa = unix.AF_UNIX, &unix.SockaddrUnix{Name: a.Name}
	}
	s, err := reactor.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: os.NewSyscallError("socket", err)}
	}
	fd := newFD(l, s, family, unix.SOCK_STREAM, network)
	fd.raddr = addr
	if err := l.netp.register(fd); err != nil {
		unix.Close(s)
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: err}
	}
	fail := func(err error) (*netFD, error) {
		fd.closed.Store(true)
		fd.release()
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: err}
	}
	inProgress, err := reactor.Connect(s, sa)
	if err != nil {
		return fail(os.NewSyscallError("connect", err))
	}
	if inProgress {
		for fd.desc.Readiness()&reactor.Writable == 0 {
			if err := fd.ws.wait(ctx, t); err != nil {
				return fail(&InterruptedError{Cause: err})
			}
		}
		if err := reactor.SocketError(s); err != nil {
			return fail(os.NewSyscallError("connect", err))
		}
		if _, err := unix.Getpeername(s); err != nil {
			return fail(os.NewSyscallError("connect", err))
		}
	}
	if lsa, err := unix.Getsockname(s); err == nil {
		fd.laddr = sockaddrToAddr(network, lsa)
	}
	if family != unix.AF_UNIX {
		_ = unix.SetsockoptInt(s, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if psa, err := unix.Getpeername(s); err == nil {
			fd.raddr = sockaddrToAddr(network, psa)
		}
	}
	return fd, nil
}

// listenStream creates a listening stream socket on addr.
func listenStream(l *Loop, network string, addr net.Addr, cfg listenConfig) (*netFD, error) {
	var family int
	var sa unix.Sockaddr
	unlink := ""
	switch a := addr.(type) {
	case *net.TCPAddr:
		family, sa = ipSockaddr(a.AddrPort())
	case *net.UnixAddr:
		family, sa = unix.AF_UNIX, &unix.SockaddrUnix{Name: a.Name}
		if a.Name != "" && a.Name[0] != '@' {
			unlink = a.Name
		}
	}
	if cfg.broadcast {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: addr, Err: errBroadcastStream}
	}
	backlog := listenBacklog
	if cfg.backlog > 0 {
		backlog = cfg.backlog
	}
	s, err := reactor.Listen(family, unix.SOCK_STREAM, sa, backlog, cfg.reusePort)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: addr, Err: os.NewSyscallError("listen", err)}
	}
	fd := newFD(l, s, family, unix.SOCK_STREAM, network)
	fd.unlink = unlink
	if lsa, err := unix.Getsockname(s); err == nil {
		fd.laddr = sockaddrToAddr(network, lsa)
	} else {
		fd.laddr = addr
	}
	if err := l.netp.register(fd); err != nil {
		fd.closeSys()
		return nil, &net.OpError{Op: "listen", Net: network, Addr: addr, Err: err}
	}
	return fd, nil
}

// listenBacklog is the listen(2) backlog; the kernel caps it at
// net.core.somaxconn.
const listenBacklog = 4096

var errUnsupported = reactor.ErrUnsupported

const (
	shutRD = unix.SHUT_RD
	shutWR = unix.SHUT_WR
)

// control calls f with the descriptor while it is open (under mu, so a
// concurrent close waits). Any goroutine.
func (fd *netFD) control(f func(sysfd uintptr)) error {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.sysClosed || fd.closed.Load() {
		return fd.opErr("control", net.ErrClosed)
	}
	f(uintptr(fd.sysfd))
	return nil
}
