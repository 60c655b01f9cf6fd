package aiohttp

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/asyncgo/aio"
	"golang.org/x/net/http/httpguts"
)

// Server serves HTTP/1.1 (and 1.0) on aio listeners (aiohttp's
// web.Application with AppRunner and TCPSite, with net/http's Handler
// type): one task per connection parses requests with http.ReadRequest
// and calls Handler in that task, so a handler may await
// (aio.ContextOf(r.Context()), or TaskContext(r), gives its *aio.Context).
// A handler that blocks (a mutex, a slow syscall) blocks the whole loop:
// wrap it in Blocking.
//
// It keeps connections alive (HTTP/1.1 by default, HTTP/1.0 with
// "Connection: keep-alive"), honours "Connection: close", answers
// pipelined requests in order, sends "100 Continue" when the handler reads
// the body of an "Expect: 100-continue" request, and drains an unread
// request body (up to 256 KiB, else it closes the connection). A response
// that fits its 4 KiB buffer when the handler returns gets a
// Content-Length; a longer one, or one flushed early (http.Flusher), is
// chunked unless the handler set Content-Length (HTTP/1.0: the connection
// is closed instead). A response without Content-Type gets one from
// http.DetectContentType; every response gets a Date. The ResponseWriter
// implements http.Flusher and http.Hijacker.
//
// Set the fields before Serve; they must not change afterwards.
//
// Goroutines: Serve, ListenAndServe, ServeTLS, Shutdown and Close are for
// the tasks of one loop (the server's); handlers run in the connection
// tasks of that loop, and their ResponseWriter and Request.Body are for
// that task only.
type Server struct {
	// Handler answers requests; nil means http.NotFoundHandler.
	Handler http.Handler
	// MaxHeaderBytes caps the request line and header; a larger one is
	// answered with 431 and the connection closed. 0 means 1 MiB.
	MaxHeaderBytes int
	// ReadHeaderTimeout bounds reading a request's line and header, from
	// its first byte (the first request of a connection: from the
	// accept). 0 means ReadTimeout; both 0, 60 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (0: none).
	ReadTimeout time.Duration
	// WriteTimeout bounds writing the response, from the end of the
	// request header (0: none).
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a keep-alive
	// connection. 0 means ReadTimeout; both 0, 120 s.
	IdleTimeout time.Duration
	// TLSConfig is used by ServeTLS (nil: certificates must be passed to
	// ServeTLS). ALPN "http/1.1" is added when NextProtos is empty.
	TLSConfig *tls.Config
	// ErrorLog receives handler panics and other errors (nil: the log
	// package's standard logger).
	ErrorLog *log.Logger

	loop      *aio.Loop
	listeners map[*aio.Listener]struct{}
	conns     map[*serverConn]struct{}
	shutdown  bool
	idle      *aio.Event // set when shut down and no connection is left
}

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown
// or Close.
var ErrServerClosed = http.ErrServerClosed

// TaskContext returns the *aio.Context of the connection task serving r
// (a scope of it that ends when the handler returns), for awaiting in a
// handler. It panics if r was not received from an aiohttp Server or
// another aio task's context.
func TaskContext(r *http.Request) *aio.Context {
	ctx, ok := aio.ContextOf(r.Context())
	if !ok {
		panic("aiohttp.TaskContext: the request's context is not an aio task's")
	}
	return ctx
}

func (s *Server) logf(format string, a ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, a...)
	} else {
		log.Printf(format, a...)
	}
}

func (s *Server) bind(ctx *aio.Context) error {
	if s.loop == nil {
		s.loop = ctx.Loop()
		s.listeners = make(map[*aio.Listener]struct{})
		s.conns = make(map[*serverConn]struct{})
		s.idle = &aio.Event{}
	} else if s.loop != ctx.Loop() {
		return errors.New("aiohttp: Server is bound to another loop")
	}
	if s.shutdown {
		return ErrServerClosed
	}
	return nil
}

// ListenAndServe listens on the TCP address addr and calls Serve. Task of
// the server's loop.
func (s *Server) ListenAndServe(ctx *aio.Context, addr string) error {
	if err := s.bind(ctx); err != nil {
		return err
	}
	l, err := aio.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// Serve accepts connections on l and serves each in a task of its own,
// until ctx is cancelled (then l is closed and Serve returns the
// cancellation; connections being served go on: use Shutdown) or
// Shutdown/Close (ErrServerClosed). It closes l when it returns. Task of
// the server's loop.
func (s *Server) Serve(ctx *aio.Context, l *aio.Listener) error {
	return s.serve(ctx, l, nil)
}

// ServeTLS is Serve speaking TLS: each connection task runs the server
// handshake (bounded by ReadHeaderTimeout) before reading requests.
// certFile and keyFile are loaded when TLSConfig has no certificate. Task
// of the server's loop.
func (s *Server) ServeTLS(ctx *aio.Context, l *aio.Listener, certFile, keyFile string) error {
	var cfg *tls.Config
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{"http/1.1"}
	}
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			l.Close()
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return s.serve(ctx, l, cfg)
}

func (s *Server) serve(ctx *aio.Context, l *aio.Listener, cfg *tls.Config) error {
	if err := s.bind(ctx); err != nil {
		l.Close()
		return err
	}
	s.listeners[l] = struct{}{}
	defer func() {
		l.Close()
		delete(s.listeners, l)
	}()
	backoff := time.Duration(0)
	for {
		c, err := l.AcceptConn(ctx)
		if err != nil {
			if s.shutdown {
				return ErrServerClosed
			}
			if ctx.Err() != nil {
				return ctx.Cause()
			}
			var ne interface{ Temporary() bool }
			if errors.As(err, &ne) && ne.Temporary() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				if err := aio.Sleep(ctx, backoff); err != nil {
					return err
				}
				continue
			}
			return err
		}
		backoff = 0
		sc := newServerConn(s, c)
		s.conns[sc] = struct{}{}
		t := aio.Go(s.loop, func(ctx *aio.Context) error {
			sc.serve(ctx, cfg)
			return nil
		})
		t.SetName("aiohttp conn " + c.RemoteAddr().String())
	}
}

// Shutdown stops the server gracefully: it closes the listeners and the
// idle connections, lets the requests being served finish (their
// connections close after the response), and waits for every connection
// task, at most until ctx ends; then it closes the remaining connections
// and returns ctx's error. Task of the server's loop.
func (s *Server) Shutdown(ctx *aio.Context) error {
	if s.loop == nil {
		s.shutdown = true
		return nil
	}
	s.shutdown = true
	for l := range s.listeners {
		l.Close()
	}
	for sc := range s.conns {
		if sc.idle {
			sc.raw.Close()
		}
	}
	s.checkIdle()
	if err := s.idle.Wait(ctx); err != nil {
		s.Close()
		return err
	}
	return nil
}

// Close closes the listeners and every connection at once. Loop goroutine
// of the server.
func (s *Server) Close() error {
	s.shutdown = true
	for l := range s.listeners {
		l.Close()
	}
	for sc := range s.conns {
		sc.raw.Close()
	}
	if s.idle != nil {
		s.checkIdle()
	}
	return nil
}

func (s *Server) checkIdle() {
	if s.shutdown && len(s.conns) == 0 {
		s.idle.Set()
	}
}

// serverConn is one connection being served. Loop goroutine, its task.
type serverConn struct {
	s        *Server
	raw      *aio.Conn
	io       ioConn
	conn     net.Conn // &io or a *tls.Conn over it
	br       *bufio.Reader
	bw       *bufio.Writer
	idle     bool // waiting for the next request
	hijacked bool
	buf      []byte // response body buffer
	remote   string // RemoteAddr().String(), made once
	wdSet    bool   // the connection has a write deadline set
	resp     response
}

const (
	bufSize        = 4096
	maxDrain       = 256 << 10
	defaultMaxHdr  = 1 << 20
	defaultHdrWait = 60 * time.Second
	defaultIdle    = 120 * time.Second
)

// errHeaderTooLarge is the read error past MaxHeaderBytes.
var errHeaderTooLarge = errors.New("aiohttp: request header too large")

func newServerConn(s *Server, c *aio.Conn) *serverConn {
	sc := &serverConn{s: s, raw: c, idle: true}
	sc.io = ioConn{Conn: c, limit: -1, errLimit: errHeaderTooLarge}
	sc.conn = &sc.io
	return sc
}

func (s *Server) timeouts() (hdr, idle time.Duration) {
	hdr = s.ReadHeaderTimeout
	if hdr <= 0 {
		hdr = s.ReadTimeout
	}
	if hdr <= 0 {
		hdr = defaultHdrWait
	}
	idle = s.IdleTimeout
	if idle <= 0 {
		idle = s.ReadTimeout
	}
	if idle <= 0 {
		idle = defaultIdle
	}
	return hdr, idle
}

func (sc *serverConn) serve(ctx *aio.Context, cfg *tls.Config) {
	s := sc.s
	defer func() {
		if !sc.hijacked {
			sc.raw.Close()
		}
		delete(s.conns, sc)
		s.checkIdle()
	}()
	hdrWait, idleWait := s.timeouts()
	if cfg != nil {
		hctx, cancel := aio.WithTimeout(ctx, hdrWait)
		sc.io.rctx, sc.io.wctx = hctx, hctx
		tc := tls.Server(&sc.io, cfg)
		err := tc.Handshake()
		cancel()
		sc.io.rctx, sc.io.wctx = nil, nil
		if err != nil {
			return
		}
		sc.conn = tc
	}
	sc.br = bufio.NewReaderSize(sc.conn, bufSize)
	sc.bw = bufio.NewWriterSize(sc.conn, bufSize)
	sc.buf = make([]byte, 0, bufSize)
	maxHdr := int64(s.MaxHeaderBytes)
	if maxHdr <= 0 {
		maxHdr = defaultMaxHdr
	}
	first := true
	for {
		if s.shutdown {
			return
		}
		// Wait for the first byte of the next request (idle), then read
		// its header (bounded by ReadHeaderTimeout). The bounds are the
		// connection's read deadline, not scopes: a deadline is one store
		// and arms a loop timer only if the read has to wait, where a
		// scope costs allocations and a timer per request.
		sc.idle = true
		sc.io.rctx, sc.io.wctx = nil, nil // the task's own scope, until the next handler
		if sc.br.Buffered() == 0 {
			wait := idleWait
			if first {
				wait = hdrWait
			}
			_ = sc.raw.SetReadDeadline(s.loop.Time().Add(wait))
			if _, err := sc.br.Peek(1); err != nil {
				return
			}
		}
		first = false
		sc.idle = false
		// The header's deadline matters only if reading it has to wait:
		// when the whole header is buffered already (the common case on
		// a keep-alive connection), the clock is not read for it.
		var start time.Time
		end := headerEnd(sc.br)
		if end < 0 {
			start = s.loop.Time()
			_ = sc.raw.SetReadDeadline(start.Add(hdrWait))
		}
		sc.io.limit = maxHdr + bufSize
		// The request's scope: r.Context() is done once the handler
		// returns (as net/http's is), and the body reads and response
		// writes wait in it.
		rctx, rcancel := aio.WithCancel(ctx)
		req, err := readRequest(rctx, sc.br, end)
		sc.io.limit = -1
		if err == nil {
			err = checkRequest(req)
		}
		if err != nil {
			rcancel()
			switch {
			case errors.Is(err, errHeaderTooLarge):
				sc.reject(ctx, "431 Request Header Fields Too Large")
			case errors.Is(err, errVersion):
				sc.reject(ctx, "505 HTTP Version Not Supported")
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), isNetErr(err):
			default:
				sc.reject(ctx, "400 Bad Request")
			}
			return
		}
		ok := sc.handle(rctx, req, start)
		rcancel()
		if !ok {
			return
		}
	}
}

// errVersion: the request is not HTTP/1.x.
var errVersion = errors.New("aiohttp: unsupported protocol version")

// checkRequest applies net/http's server checks that http.ReadRequest
// leaves to the server: HTTP/1.x only, and a Host (header or URL) that
// is a valid host[:port].
func checkRequest(req *http.Request) error {
	if req.ProtoMajor != 1 {
		return errVersion
	}
	if !httpguts.ValidHostHeader(req.Host) {
		return errors.New("aiohttp: malformed Host header")
	}
	return nil
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// reject answers a request that could not be parsed and lets the
// connection close.
func (sc *serverConn) reject(ctx *aio.Context, status string) {
	_ = sc.raw.SetWriteDeadline(sc.s.loop.Time().Add(time.Second))
	sc.wdSet = true
	fmt.Fprintf(sc.bw, "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", status, len(status), status)
	sc.bw.Flush()
}

// handle serves one request; it reports whether the connection stays open.
func (sc *serverConn) handle(rctx *aio.Context, req *http.Request, start time.Time) bool {
	s := sc.s
	// ReadTimeout and WriteTimeout are the connection's deadlines.
	var rd, wd time.Time
	if s.ReadTimeout > 0 {
		if start.IsZero() {
			start = s.loop.Time() // the header was buffered: it arrived just now
		}
		rd = start.Add(s.ReadTimeout)
	}
	if s.WriteTimeout > 0 {
		wd = s.loop.Time().Add(s.WriteTimeout)
	}
	_ = sc.raw.SetReadDeadline(rd)
	if !wd.IsZero() || sc.wdSet {
		_ = sc.raw.SetWriteDeadline(wd)
		sc.wdSet = !wd.IsZero()
	}
	sc.io.rctx, sc.io.wctx = rctx, rctx
	if sc.remote == "" {
		sc.remote = sc.raw.RemoteAddr().String()
	}
	req.RemoteAddr = sc.remote
	if tc, ok := sc.conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		req.TLS = &st
	}
	w := sc.newResponse(req)
	w.closeAfter = req.Close || s.shutdown
	if expect := get(req.Header, "Expect"); expect == "" {
		// the common case: nothing to check
	} else if req.ProtoAtLeast(1, 1) && httpguts.HeaderValuesContainsToken(req.Header["Expect"], "100-continue") {
		delete(req.Header, "Expect")
		if req.Body != http.NoBody {
			w.reqBody = &continueReader{w: w, rc: req.Body}
			req.Body = w.reqBody
		}
	} else {
		w.closeAfter = true
		w.WriteHeader(http.StatusExpectationFailed)
		w.finish()
		return false
	}
	origBody := req.Body
	h := s.Handler
	if h == nil {
		h = http.NotFoundHandler()
	}
	if !sc.call(h, w, req) {
		return false
	}
	if sc.hijacked {
		return false
	}
	w.finish()
	if w.err != nil {
		return false
	}
	// Drain what the handler left of the body, so the next request can
	// be read; a large remainder closes the connection instead.
	if !w.closeAfter && origBody != http.NoBody {
		if w.reqBody != nil && !w.reqBody.sent {
			return false // the client waits for 100 Continue: just close
		}
		n, err := io.CopyN(io.Discard, origBody, maxDrain+1)
		if err != io.EOF || n > maxDrain {
			return false
		}
	}
	return !w.closeAfter
}

// newResponse returns the connection's response writer, reset for req.
// One per connection, reused: a ResponseWriter may not be used after its
// handler returns (net/http's contract), and by then the next request has
// not been read yet. The header map is emptied, not reallocated.
func (sc *serverConn) newResponse(req *http.Request) *response {
	w := &sc.resp
	h := w.header
	if h == nil || len(h) > 32 {
		h = make(http.Header)
	} else {
		clear(h)
	}
	*w = response{sc: sc, req: req, header: h, contentLength: -1, buf: sc.buf[:0]}
	return w
}

// call runs the handler, turning a panic into a logged error (and a 500
// if nothing was sent yet); it reports whether the connection may go on.
func (sc *serverConn) call(h http.Handler, w *response, req *http.Request) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				return
			}
			sc.s.logf("aiohttp: panic serving %s: %v\n%s", req.RemoteAddr, r, debug.Stack())
			if !sc.hijacked && !w.headerSent {
				w.header = make(http.Header)
				w.status, w.wroteHeader = 0, false
				w.buf = w.buf[:0]
				w.closeAfter = true
				http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
				w.finish()
			}
			ok = false
		}
	}()
	h.ServeHTTP(w, req)
	return true
}

// continueReader sends "100 Continue" before the first read of the body.
type continueReader struct {
	w    *response
	rc   io.ReadCloser
	sent bool
}

func (c *continueReader) Read(p []byte) (int, error) {
	if !c.sent {
		c.sent = true
		if !c.w.headerSent {
			sc := c.w.sc
			sc.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			if err := sc.bw.Flush(); err != nil {
				return 0, err
			}
		}
	}
	return c.rc.Read(p)
}

func (c *continueReader) Close() error { return c.rc.Close() }
