package aio

import (
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/asyncgo/aio/internal/reactor"
	"golang.org/x/sys/unix"
)

// streamTransport is the Transport of a stream socket, driven by the
// reactor's readiness callbacks (netFD.cb): ready schedules run, a loop
// callback that flushes the write buffer and reads once, then reschedules
// itself while the socket stays readable, so one busy connection cannot
// starve the others. Loop goroutine only.
type streamTransport struct {
	fd    *netFD
	loop  *Loop
	proto BaseProtocol
	data  Protocol         // proto as a Protocol, or nil
	bufp  BufferedProtocol // proto as a BufferedProtocol, or nil
	flow  WriteFlowControl // proto's, or nil

	rbuf      []byte // Protocol's read buffer, allocated at the first read
	wbuf      []byte // unsent data is wbuf[woff:]
	woff      int
	high, low int

	scheduled    bool // run is in the ready queue
	reading      bool // not paused
	eof          bool // the peer's EOF was delivered
	closing      bool // Close, Abort or WriteEOF: no more writes
	closeAfter   bool // close once the buffer is flushed
	eofAfter     bool // shut down writing once the buffer is flushed
	writePaused  bool // PauseWriting was called
	lost         bool // ConnectionLost is scheduled or done
	lostErr      error
	server       *protoServer
	runFn, lostF func()
}

const transportReadSize = 64 << 10

func newStreamTransport(fd *netFD, p BaseProtocol, op string) *streamTransport {
	tr := &streamTransport{fd: fd, loop: fd.loop, proto: p, reading: true, high: 64 << 10, low: 16 << 10}
	tr.data, _ = p.(Protocol)
	tr.bufp, _ = p.(BufferedProtocol)
	tr.flow, _ = p.(WriteFlowControl)
	if tr.data == nil && tr.bufp == nil {
		fd.close()
		misuse(op, ErrInvalidArgument, "the protocol must implement aio.Protocol or aio.BufferedProtocol")
	}
	if tr.bufp != nil {
		tr.data = nil
	}
	tr.runFn = tr.run
	tr.lostF = tr.connectionLost
	fd.cb = tr.ready
	fd.lose = tr.fatal
	p.ConnectionMade(tr)
	tr.schedule()
	return tr
}

// ready is the fd's readiness callback (called by the reactor's dispatch).
func (tr *streamTransport) ready(reactor.Event) int {
	tr.schedule()
	return 1
}

func (tr *streamTransport) schedule() {
	if !tr.scheduled && !tr.lost {
		tr.scheduled = true
		tr.loop.pushFunc(tr.runFn)
	}
}

// run flushes and reads as the socket's readiness allows. A panic in a
// protocol callback aborts the transport (asyncio's fatal error) and is
// reported by the loop.
func (tr *streamTransport) run() {
	tr.scheduled = false
	if tr.lost {
		return
	}
	ok := false
	defer func() {
		if !ok {
			tr.fatal(ErrProtocolPanicked)
		}
	}()
	r := tr.fd.desc.Readiness()
	if r&reactor.Writable != 0 && tr.pending() > 0 {
		tr.flush()
	}
	if !tr.lost && tr.reading && !tr.eof && tr.fd.desc.Readiness()&reactor.Readable != 0 {
		if tr.readOnce() {
			tr.schedule() // maybe more: read again next iteration
		}
	}
	ok = true
}

// readOnce reads once and delivers; it reports whether the socket may
// have more.
func (tr *streamTransport) readOnce() bool {
	var p []byte
	if tr.bufp != nil {
		p = tr.bufp.GetBuffer(transportReadSize)
		if len(p) == 0 {
			tr.fatal(&net.OpError{Op: "read", Net: tr.fd.net, Err: errEmptyBuffer})
			return false
		}
	} else {
		if tr.rbuf == nil {
			tr.rbuf = make([]byte, transportReadSize)
		}
		p = tr.rbuf
	}
	n, err := tr.fd.sysRead(p)
	switch err {
	case nil:
		if tr.bufp != nil {
			tr.bufp.BufferUpdated(n)
		} else {
			tr.data.DataReceived(p[:n])
		}
		// After a short read the next data is a new edge: no read that
		// would only return EAGAIN.
		return !tr.fd.drainedBy(n, len(p))
	case reactor.ErrWouldBlock:
		tr.fd.desc.Clear(reactor.Readable)
		return false
	case io.EOF:
		tr.eof = true
		var keep bool
		if tr.bufp != nil {
			keep = tr.bufp.EOFReceived()
		} else {
			keep = tr.data.EOFReceived()
		}
		if !keep {
			tr.Close()
		}
		return false
	default:
		tr.fatal(tr.fd.opErr("read", os.NewSyscallError("read", err)))
		return false
	}
}

var errEmptyBuffer = errors.New("aio: BufferedProtocol.GetBuffer returned an empty buffer")

func (tr *streamTransport) pending() int { return len(tr.wbuf) - tr.woff }

// flush writes buffered data until the socket would block.
func (tr *streamTransport) flush() {
	for tr.pending() > 0 {
		n, err := tr.fd.sysWrite(tr.wbuf[tr.woff:])
		tr.woff += n
		if err == reactor.ErrWouldBlock {
			tr.fd.desc.Clear(reactor.Writable)
			break
		}
		if err != nil {
			tr.fatal(tr.fd.opErr("write", os.NewSyscallError("write", err)))
			return
		}
	}
	if tr.pending() == 0 {
		tr.wbuf, tr.woff = tr.wbuf[:0], 0
		if tr.eofAfter {
			tr.eofAfter = false
			_ = tr.fd.shutdown("close", unix.SHUT_WR)
		}
		if tr.closeAfter {
			tr.finish(nil)
			return
		}
	} else if tr.woff > len(tr.wbuf)/2 {
		k := copy(tr.wbuf, tr.wbuf[tr.woff:])
		tr.wbuf, tr.woff = tr.wbuf[:k], 0
	}
	tr.checkResume()
}

func (tr *streamTransport) checkPause() {
	if !tr.writePaused && tr.pending() > tr.high {
		tr.writePaused = true
		if tr.flow != nil {
			tr.flow.PauseWriting()
		}
	}
}

func (tr *streamTransport) checkResume() {
	if tr.writePaused && tr.pending() <= tr.low {
		tr.writePaused = false
		if tr.flow != nil && !tr.lost {
			tr.flow.ResumeWriting()
		}
	}
}

func (tr *streamTransport) Write(data []byte) error {
	tr.loop.checkCaller("Transport.Write")
	if tr.closing || tr.lost {
		return ErrTransportClosing
	}
	if len(data) == 0 {
		return nil
	}
	if tr.pending() == 0 && tr.fd.desc.Readiness()&reactor.Writable != 0 {
		for len(data) > 0 {
			n, err := tr.fd.sysWrite(data)
			data = data[n:]
			if err == reactor.ErrWouldBlock {
				tr.fd.desc.Clear(reactor.Writable)
				break
			}
			if err != nil {
				tr.fatal(tr.fd.opErr("write", os.NewSyscallError("write", err)))
				return nil // reported through ConnectionLost
			}
		}
		if len(data) == 0 {
			return nil
		}
	}
	tr.wbuf = append(tr.wbuf, data...)
	tr.checkPause()
	return nil
}

func (tr *streamTransport) WriteEOF() error {
	tr.loop.checkCaller("Transport.WriteEOF")
	if tr.closing || tr.lost {
		return ErrTransportClosing
	}
	tr.closing = true
	if tr.pending() == 0 {
		return tr.fd.shutdown("close", unix.SHUT_WR)
	}
	tr.eofAfter = true
	return nil
}

func (tr *streamTransport) CanWriteEOF() bool { return true }

func (tr *streamTransport) Close() {
	tr.loop.checkCaller("Transport.Close")
	if tr.lost || tr.closeAfter {
		return
	}
	tr.closing = true
	tr.reading = false
	if tr.pending() == 0 {
		tr.finish(nil)
		return
	}
	tr.closeAfter = true
}

func (tr *streamTransport) Abort() {
	tr.loop.checkCaller("Transport.Abort")
	tr.finish(nil)
}

// fatal ends the connection with err (asyncio's _fatal_error).
func (tr *streamTransport) fatal(err error) { tr.finish(err) }

// finish closes the socket at once and schedules ConnectionLost(err).
func (tr *streamTransport) finish(err error) {
	if tr.lost {
		return
	}
	tr.lost, tr.lostErr = true, err
	tr.closing = true
	tr.reading = false
	tr.wbuf, tr.woff = nil, 0
	_ = tr.fd.close()
	tr.loop.pushFunc(tr.lostF)
}

func (tr *streamTransport) connectionLost() {
	if tr.server != nil {
		tr.server.lost(tr)
	}
	tr.proto.ConnectionLost(tr.lostErr)
}

func (tr *streamTransport) IsClosing() bool { return tr.closing || tr.lost }

func (tr *streamTransport) PauseReading() {
	tr.loop.checkCaller("Transport.PauseReading")
	tr.reading = false
}

func (tr *streamTransport) ResumeReading() {
	tr.loop.checkCaller("Transport.ResumeReading")
	if tr.reading || tr.closing || tr.lost {
		return
	}
	tr.reading = true
	tr.schedule()
}

func (tr *streamTransport) IsReading() bool { return tr.reading && !tr.lost }

func (tr *streamTransport) SetWriteBufferLimits(high, low int) {
	tr.loop.checkCaller("Transport.SetWriteBufferLimits")
	if high < 0 {
		high = 64 << 10
	}
	if low < 0 {
		low = high / 4
	}
	if low > high {
		misuse("Transport.SetWriteBufferLimits", ErrInvalidArgument, "low must not exceed high")
	}
	tr.high, tr.low = high, low
	tr.checkPause()
	tr.checkResume()
}

func (tr *streamTransport) GetWriteBufferLimits() (low, high int) { return tr.low, tr.high }

func (tr *streamTransport) GetWriteBufferSize() int { return tr.pending() }

func (tr *streamTransport) LocalAddr() net.Addr { return tr.fd.laddr }

func (tr *streamTransport) RemoteAddr() net.Addr { return tr.fd.raddr }

func (tr *streamTransport) Loop() *Loop { return tr.loop }

// protoServer is the implementation of ProtocolServer: the listener's fd
// is driven by a readiness callback that accepts.
type protoServer struct {
	ln       *Listener
	loop     *Loop
	factory  func() BaseProtocol
	conns    map[*streamTransport]struct{}
	idle     *Future[struct{}]
	closed   bool
	accepted int
	runFn    func()
	sched    bool
	backoff  *Handle
}

func newProtoServer(ctx *Context, ln *Listener, factory func() BaseProtocol) *protoServer {
	s := &protoServer{ln: ln, loop: ctx.task.loop, factory: factory, conns: make(map[*streamTransport]struct{})}
	s.idle = NewFuture[struct{}](ctx)
	s.runFn = s.acceptSome
	ln.fd.cb = func(reactor.Event) int {
		s.schedule()
		return 1
	}
	s.schedule()
	return s
}

func (s *protoServer) schedule() {
	if !s.sched && !s.closed && s.backoff == nil {
		s.sched = true
		s.loop.pushFunc(s.runFn)
	}
}

// acceptSome accepts up to 64 connections, then yields to the loop.
func (s *protoServer) acceptSome() {
	s.sched = false
	fd := s.ln.fd
	for i := 0; i < 64 && !s.closed; i++ {
		if fd.desc.Readiness()&reactor.Readable == 0 {
			return
		}
		nfd, err := fd.acceptOne()
		switch {
		case err == reactor.ErrWouldBlock:
			fd.desc.Clear(reactor.Readable)
			return
		case err != nil:
			// Out of descriptors or memory (or a listener error): back
			// off instead of spinning.
			s.backoff = s.loop.CallLater(100*time.Millisecond, func() {
				s.backoff = nil
				s.schedule()
			})
			return
		}
		s.accepted++
		tr := newStreamTransport(nfd, s.factory(), "aio.CreateServer")
		if !tr.lost {
			tr.server = s
			s.conns[tr] = struct{}{}
		}
	}
	s.schedule()
}

func (s *protoServer) lost(tr *streamTransport) {
	delete(s.conns, tr)
	s.checkIdle()
}

func (s *protoServer) close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.backoff != nil {
		s.backoff.Cancel()
		s.backoff = nil
	}
	s.ln.Close()
	s.checkIdle()
}

func (s *protoServer) checkIdle() {
	if s.closed && len(s.conns) == 0 && !s.idle.Done() {
		s.idle.SetResult(struct{}{})
	}
}

func (s *protoServer) closeClients() {
	for tr := range s.conns {
		tr.Close()
	}
}

func (s *protoServer) abortClients() {
	for tr := range s.conns {
		tr.Abort()
	}
}
