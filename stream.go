package aio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
)

// Stream is asyncio's StreamReader and StreamWriter in one: a buffered
// reader and writer over a connection (a *Conn, a *tls.Conn, or any
// net.Conn whose Read and Write suspend only the calling task), for the
// tasks of one loop.
//
// Reading: ReadLine, ReadUntil, ReadExactly, Read and ReadAll take the
// scope ctx they wait in (for a *Conn; a wrapped connection such as a
// *tls.Conn waits in the root scope of the running task). A line or a
// ReadUntil separator must come within the limit (64 KiB by default, see
// NewStream). Only one read may wait at a time: a second concurrent read
// returns ErrConcurrentRead.
//
// Writing: Write buffers; when the buffer reaches the high water mark, it
// flushes down to the low water mark, suspending the writer while the peer
// is slow (backpressure: memory stays bounded); Drain flushes everything.
//
// Goroutines: every method is for the tasks of the connection's loop,
// except Close, LocalAddr and RemoteAddr, which any goroutine may call
// when the connection's own Close and addresses are goroutine-safe (a
// *Conn's are).
type Stream struct {
	c       net.Conn
	ac      *Conn // c, when it is a *Conn: reads and writes take the scope
	raw     *Conn // the *Conn under c (a TLS server's), for Server.CloseClients
	buf     []byte
	r, w    int // unread data is buf[r:w]
	limit   int
	eof     bool
	err     error // a read error other than EOF, returned once more data is needed
	reading bool
	wbuf    []byte
	high    int
	low     int
	closed  bool
}

// StreamOption configures NewStream.
type StreamOption func(*Stream)

// StreamLimit sets the line limit (asyncio's limit): ReadLine and ReadUntil
// fail with LimitOverrunError past it. Default 64 KiB.
func StreamLimit(n int) StreamOption { return func(s *Stream) { s.limit = max(n, 1) } }

// StreamWaterMarks sets the write buffer's high and low water marks:
// Write flushes down to low once high is reached. Defaults 64 KiB and
// 16 KiB.
func StreamWaterMarks(high, low int) StreamOption {
	return func(s *Stream) {
		s.high = max(high, 1)
		s.low = min(max(low, 0), s.high-1)
	}
}

// NewStream returns a Stream over c. Loop goroutine (any task).
func NewStream(c net.Conn, opts ...StreamOption) *Stream {
	s := &Stream{c: c, limit: 64 << 10, high: 64 << 10, low: 16 << 10}
	s.ac, _ = c.(*Conn)
	for _, o := range opts {
		o(s)
	}
	return s
}

// ErrConcurrentRead is returned by a Stream read while another read of the
// same stream is waiting for data.
var ErrConcurrentRead = errors.New("aio: another task is already reading from this stream")

// IncompleteReadError is returned by ReadExactly and ReadUntil when the
// stream ends first (asyncio.IncompleteReadError): Partial holds what was
// read (consumed from the stream), Expected how many bytes were wanted
// (-1 for ReadUntil). It matches io.ErrUnexpectedEOF.
type IncompleteReadError struct {
	Partial  []byte
	Expected int
}

// Error describes the shortfall.
func (e *IncompleteReadError) Error() string {
	want := "undefined"
	if e.Expected >= 0 {
		want = strconv.Itoa(e.Expected)
	}
	return "aio: " + strconv.Itoa(len(e.Partial)) + " bytes read on a total of " + want + " expected bytes"
}

// Is matches io.ErrUnexpectedEOF.
func (e *IncompleteReadError) Is(target error) bool { return target == io.ErrUnexpectedEOF }

// LimitOverrunError is returned by ReadUntil when the separator is not
// found within the limit (asyncio.LimitOverrunError); the data stays in the
// stream's buffer. Consumed is how many bytes are buffered.
type LimitOverrunError struct {
	Consumed int
}

// Error describes the overrun.
func (e *LimitOverrunError) Error() string {
	return "aio: separator is not found, and chunk exceed the limit (" + strconv.Itoa(e.Consumed) + " bytes buffered)"
}

func (s *Stream) beginRead() error {
	if s.reading {
		return ErrConcurrentRead
	}
	s.reading = true
	return nil
}

// fill reads more data into the buffer (at least one byte, or EOF/error).
func (s *Stream) fill(ctx *Context) error {
	if s.eof {
		return io.EOF
	}
	if s.err != nil {
		return s.err
	}
	if s.r > 0 && s.r == s.w {
		s.r, s.w = 0, 0
	}
	if s.w == len(s.buf) {
		if s.r > 0 {
			s.w = copy(s.buf, s.buf[s.r:s.w])
			s.r = 0
		} else {
			nb := make([]byte, max(4096, 2*len(s.buf)))
			copy(nb, s.buf[:s.w])
			s.buf = nb
		}
	}
	n, err := s.readConn(ctx, s.buf[s.w:])
	s.w += n
	return err
}

// readConn reads once from the connection into p. It returns what was
// read, or 0 and the error: io.EOF (recorded), or an error that stays for
// the next reads unless it is a timeout or a cancellation. Data that came
// with an error is returned alone; the error shows at the next read.
func (s *Stream) readConn(ctx *Context, p []byte) (int, error) {
	var n int
	var err error
	if s.ac != nil && ctx != nil {
		n, err = s.ac.ReadContext(ctx, p)
	} else {
		n, err = s.c.Read(p)
	}
	if err == nil || n > 0 {
		if err == io.EOF {
			s.eof = true
		}
		return n, nil
	}
	if err == io.EOF {
		s.eof = true
		return 0, err
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		s.err = err // sticky, except for timeouts and cancellations
	}
	return 0, err
}

// ReadUntil reads until sep (asyncio's readuntil) and returns the data
// including sep. If sep is not found within the limit it returns a
// *LimitOverrunError and leaves the data buffered; if the stream ends
// first it returns an *IncompleteReadError with the rest of the data.
func (s *Stream) ReadUntil(ctx *Context, sep []byte) ([]byte, error) {
	if err := s.beginRead(); err != nil {
		return nil, err
	}
	defer func() { s.reading = false }()
	if len(sep) == 0 {
		return nil, errors.New("aio: ReadUntil: empty separator")
	}
	off := 0
	for {
		if i := bytes.Index(s.buf[s.r+off:s.w], sep); i >= 0 {
			end := s.r + off + i + len(sep)
			if end-s.r > s.limit {
				return nil, &LimitOverrunError{Consumed: s.w - s.r}
			}
			line := bytes.Clone(s.buf[s.r:end])
			s.r = end
			return line, nil
		}
		if s.w-s.r > s.limit {
			return nil, &LimitOverrunError{Consumed: s.w - s.r}
		}
		off = max(0, s.w-s.r-len(sep)+1)
		if err := s.fill(ctx); err != nil {
			if err == io.EOF {
				rest := bytes.Clone(s.buf[s.r:s.w])
				s.r = s.w
				return nil, &IncompleteReadError{Partial: rest, Expected: -1}
			}
			return nil, err
		}
	}
}

// ReadLine reads one line, including its "\n" (asyncio's readline). At the
// end of the stream it returns the last, unterminated, line (empty at EOF,
// with io.EOF). A line longer than the limit is discarded up to and
// including its newline (reading on as needed, in bounded memory) and a
// *LimitOverrunError returned: the next ReadLine reads the next line.
func (s *Stream) ReadLine(ctx *Context) ([]byte, error) {
	line, err := s.ReadUntil(ctx, []byte{'\n'})
	var ie *IncompleteReadError
	var le *LimitOverrunError
	switch {
	case errors.As(err, &ie):
		if len(ie.Partial) == 0 {
			return nil, io.EOF
		}
		return ie.Partial, nil
	case errors.As(err, &le):
		// Skip the rest of the long line, reading as far as needed, so
		// the next ReadLine starts at the next line.
		s.reading = true
		for {
			if i := bytes.IndexByte(s.buf[s.r:s.w], '\n'); i >= 0 {
				s.r += i + 1
				break
			}
			s.r = s.w
			if s.fill(ctx) != nil {
				break
			}
		}
		s.reading = false
		return nil, err
	}
	return line, err
}

// ReadExactly reads exactly n bytes, or returns an *IncompleteReadError
// with what there was if the stream ends first.
func (s *Stream) ReadExactly(ctx *Context, n int) ([]byte, error) {
	if err := s.beginRead(); err != nil {
		return nil, err
	}
	defer func() { s.reading = false }()
	for s.w-s.r < n {
		if err := s.fill(ctx); err != nil {
			if err == io.EOF {
				rest := bytes.Clone(s.buf[s.r:s.w])
				s.r = s.w
				return nil, &IncompleteReadError{Partial: rest, Expected: n}
			}
			return nil, err
		}
	}
	out := bytes.Clone(s.buf[s.r : s.r+n])
	s.r += n
	return out, nil
}

// ReadInto reads up to len(p) bytes into p: what is buffered, or else what
// one read of the connection returns, like Read but without allocating
// (the io.Reader shape, with the scope to wait in). At the end of the
// stream it returns 0, io.EOF. Loop goroutine, from a task; a concurrent
// read on the stream is ErrConcurrentRead.
func (s *Stream) ReadInto(ctx *Context, p []byte) (int, error) {
	if err := s.beginRead(); err != nil {
		return 0, err
	}
	defer func() { s.reading = false }()
	if s.r == s.w && len(p) >= len(s.buf) && !s.eof && s.err == nil {
		// Nothing buffered and p is at least as large as the buffer:
		// read straight into p, as bufio.Reader does, saving a copy.
		return s.readConn(ctx, p)
	}
	if s.r == s.w {
		if err := s.fill(ctx); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.buf[s.r:s.w])
	s.r += n
	return n, nil
}

// Read reads up to n bytes: what is buffered, or else what one read of
// the connection returns (asyncio's read(n)). At the end of the stream it
// returns io.EOF. The bytes are a new slice; ReadInto reads into the
// caller's buffer instead.
func (s *Stream) Read(ctx *Context, n int) ([]byte, error) {
	if err := s.beginRead(); err != nil {
		return nil, err
	}
	defer func() { s.reading = false }()
	if s.r == s.w {
		if err := s.fill(ctx); err != nil {
			return nil, err
		}
	}
	m := min(n, s.w-s.r)
	out := bytes.Clone(s.buf[s.r : s.r+m])
	s.r += m
	return out, nil
}

// ReadAll reads until the end of the stream (asyncio's read()).
func (s *Stream) ReadAll(ctx *Context) ([]byte, error) {
	if err := s.beginRead(); err != nil {
		return nil, err
	}
	defer func() { s.reading = false }()
	for {
		if err := s.fill(ctx); err != nil {
			if err == io.EOF {
				out := bytes.Clone(s.buf[s.r:s.w])
				s.r = s.w
				return out, nil
			}
			return nil, err
		}
	}
}

// Buffered returns how many bytes are read and not yet consumed.
func (s *Stream) Buffered() int { return s.w - s.r }

// AtEOF reports whether the stream ended and its buffer is empty.
func (s *Stream) AtEOF() bool { return s.eof && s.r == s.w }

// Write buffers p. Once the buffer holds the high water mark or more, it
// writes to the connection until no more than the low water mark is left,
// suspending the task while the peer does not keep up. The error is the
// connection's.
func (s *Stream) Write(ctx *Context, p []byte) error {
	if s.closed {
		return net.ErrClosed
	}
	s.wbuf = append(s.wbuf, p...)
	if len(s.wbuf) >= s.high {
		return s.flush(ctx, len(s.wbuf)-s.low)
	}
	return nil
}

// Drain writes everything buffered (asyncio's drain, which waits until the
// transport's buffer is below its low water mark: here the buffer is
// emptied).
func (s *Stream) Drain(ctx *Context) error { return s.flush(ctx, len(s.wbuf)) }

func (s *Stream) flush(ctx *Context, n int) error {
	if n <= 0 {
		return nil
	}
	var err error
	var m int
	if s.ac != nil && ctx != nil {
		m, err = s.ac.WriteContext(ctx, s.wbuf[:n])
	} else {
		m, err = s.c.Write(s.wbuf[:n])
	}
	k := copy(s.wbuf, s.wbuf[m:])
	s.wbuf = s.wbuf[:k]
	return err
}

// WriteBuffered returns how many bytes Write buffered and did not send yet.
func (s *Stream) WriteBuffered() int { return len(s.wbuf) }

// CloseWrite drains the buffer and shuts the writing side down (asyncio's
// write_eof): the peer reads EOF; this side can still read. It needs a
// connection with CloseWrite (*Conn, *tls.Conn, *net.TCPConn).
func (s *Stream) CloseWrite(ctx *Context) error {
	if err := s.Drain(ctx); err != nil {
		return err
	}
	cw, ok := s.c.(interface{ CloseWrite() error })
	if !ok {
		return errors.ErrUnsupported
	}
	return cw.CloseWrite()
}

// Close closes the connection without draining (asyncio's close; call
// Drain first to send what is buffered). Buffered data is dropped.
func (s *Stream) Close() error {
	s.closed = true
	s.wbuf = nil
	return s.c.Close()
}

// WaitClosed waits until the connection is closed (asyncio's
// wait_closed): for a *Conn (or a TLS connection over one), until the loop
// has released the descriptor after Close, which happens at the loop's
// next iteration; the wait ends early, with the error, if ctx is
// cancelled. Called before Close it waits for Close. For other
// connections it returns nil at once.
func (s *Stream) WaitClosed(ctx *Context) error {
	c := s.raw
	if c == nil {
		c = s.ac
	}
	if c == nil {
		if nc, ok := s.c.(interface{ NetConn() net.Conn }); ok {
			switch u := nc.NetConn().(type) {
			case *Conn:
				c = u
			case *scopedConn:
				c = u.Conn
			}
		}
	}
	if c == nil {
		ctx.enter("Stream.WaitClosed")
		return nil
	}
	return c.fd.waitReleased("Stream.WaitClosed", ctx)
}

// Conn returns the underlying connection.
func (s *Stream) Conn() net.Conn { return s.c }

// LocalAddr returns the connection's local address.
func (s *Stream) LocalAddr() net.Addr { return s.c.LocalAddr() }

// RemoteAddr returns the peer's address.
func (s *Stream) RemoteAddr() net.Addr { return s.c.RemoteAddr() }

// OpenConnection dials address and returns a Stream over the connection
// (asyncio's open_connection). Task of ctx's loop only.
func OpenConnection(ctx *Context, network, address string, opts ...StreamOption) (*Stream, error) {
	c, err := Dial(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return NewStream(c, opts...), nil
}
