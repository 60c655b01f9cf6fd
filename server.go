package aio

import (
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// Server accepts connections and runs a handler in a task of its own for
// each of them (asyncio's start_server and Server). StartServer creates
// one and starts serving. Every method is for the tasks and callbacks of
// the server's loop, except Addr.
type Server struct {
	ln       *Listener
	handler  func(ctx *Context, s *Stream) error
	cfg      serverConfig
	accept   *Task[struct{}]
	conns    map[*Stream]*Task[struct{}]
	closed   bool
	idle     *Future[struct{}] // resolved when closed and no connection task is left
	accepted int
}

type serverConfig struct {
	tls       *tls.Config
	handshake time.Duration
	stream    []StreamOption
	listen    []ListenOption
}

// ServerOption configures StartServer.
type ServerOption func(*serverConfig)

// ServerTLSConfig makes the server speak TLS: each connection task runs the
// server handshake (bounded by ServerHandshakeTimeout) before the handler.
func ServerTLSConfig(cfg *tls.Config) ServerOption {
	return func(c *serverConfig) { c.tls = cfg }
}

// ServerHandshakeTimeout bounds each TLS handshake (default 10s).
func ServerHandshakeTimeout(d time.Duration) ServerOption {
	return func(c *serverConfig) { c.handshake = d }
}

// ServerListen passes options to the server's listening socket (ReusePort,
// Backlog; see ListenOption).
func ServerListen(opts ...ListenOption) ServerOption {
	return func(c *serverConfig) { c.listen = append(c.listen, opts...) }
}

// ServerStreamOptions configures the Stream of each connection.
func ServerStreamOptions(opts ...StreamOption) ServerOption {
	return func(c *serverConfig) { c.stream = opts }
}

// StartServer listens on address (see Listen) and serves it: an accept
// task accepts connections and runs handler(ctx, stream) for each in a new
// task, closing the stream when the handler returns. A handler's error is
// the task's (report it yourself if it matters: the task is awaited by
// nobody, so the loop reports unretrieved errors). Accept errors for lack
// of descriptors (EMFILE, ENFILE) or memory make the accept task back off
// (5 ms doubling up to 1 s) and try again: the server never spins and
// never stops. Task of ctx's loop only.
func StartServer(ctx *Context, network, address string, handler func(ctx *Context, s *Stream) error, opts ...ServerOption) (*Server, error) {
	if handler == nil {
		misuse("aio.StartServer", ErrNilFunc, "pass the connection handler")
	}
	srv := &Server{handler: handler, conns: make(map[*Stream]*Task[struct{}])}
	srv.cfg.handshake = 10 * time.Second
	for _, o := range opts {
		o(&srv.cfg)
	}
	ln, err := Listen(ctx, network, address, srv.cfg.listen...)
	if err != nil {
		return nil, err
	}
	srv.ln = ln
	srv.idle = NewFuture[struct{}](ctx)
	srv.accept = Go(ctx.task.loop, srv.acceptLoop)
	srv.accept.SetName("aio.Server accept " + ln.Addr().String())
	return srv, nil
}

func (srv *Server) acceptLoop(ctx *Context) error {
	backoff := time.Duration(0)
	for {
		c, err := srv.ln.AcceptConn(ctx)
		if err != nil {
			if srv.closed || errors.Is(err, net.ErrClosed) || ctx.cancelErr() != nil {
				srv.checkIdle()
				return nil
			}
			var ne interface{ Temporary() bool }
			if errors.As(err, &ne) && ne.Temporary() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				if Sleep(ctx, backoff) != nil {
					srv.checkIdle()
					return nil
				}
				continue
			}
			srv.checkIdle()
			return err
		}
		backoff = 0
		srv.accepted++
		s := NewStream(c, srv.cfg.stream...)
		srv.conns[s] = Go(ctx.task.loop, func(ctx *Context) error { return srv.serveConn(ctx, s) })
	}
}

func (srv *Server) serveConn(ctx *Context, s *Stream) error {
	defer func() {
		s.Close()
		delete(srv.conns, s)
		srv.checkIdle()
	}()
	if srv.cfg.tls != nil {
		hctx, cancel := WithTimeout(ctx, srv.cfg.handshake)
		tc, err := ServerTLS(hctx, s.ac, srv.cfg.tls)
		cancel()
		if err != nil {
			return nil // a failed handshake is the client's problem
		}
		raw := s.ac
		*s = *NewStream(tc, srv.cfg.stream...)
		s.raw = raw
	}
	return srv.handler(ctx, s)
}

func (srv *Server) checkIdle() {
	if srv.closed && len(srv.conns) == 0 && (srv.accept == nil || srv.accept.Done() || srv.accept.Context().cancelErr() != nil) && !srv.idle.Done() {
		srv.idle.SetResult(struct{}{})
	}
}

// Addr returns the address the server listens on. Any goroutine.
func (srv *Server) Addr() net.Addr { return srv.ln.Addr() }

// Accepted returns how many connections the server accepted so far.
func (srv *Server) Accepted() int { return srv.accepted }

// Connections returns how many connection tasks are running.
func (srv *Server) Connections() int { return len(srv.conns) }

// Close stops accepting (the listener is closed); connections being served
// go on. Calling it again does nothing.
func (srv *Server) Close() {
	if srv.closed {
		return
	}
	srv.closed = true
	srv.ln.Close()
	srv.accept.Cancel("server closed")
	srv.checkIdle()
}

// CloseClients closes every connection being served; their handlers' reads
// and writes fail with net.ErrClosed.
func (srv *Server) CloseClients() {
	for s := range srv.conns {
		// The *Conn itself: its Close never waits (a tls.Conn's would
		// write an alert, maybe behind a parked writer's lock).
		if s.raw != nil {
			s.raw.Close()
		} else {
			s.c.Close()
		}
	}
}

// Serve waits until the server is closed and every connection task has
// ended (asyncio's serve_forever; cancelling ctx, as a signal handler
// would, closes the server and returns the cancellation).
func (srv *Server) Serve(ctx *Context) error {
	_, err := srv.idle.Await(ctx)
	if err != nil {
		srv.Close()
	}
	return err
}

// WaitClosed waits until the server is closed and every connection task
// has ended.
func (srv *Server) WaitClosed(ctx *Context) error {
	_, err := Shield(ctx, srv.idle)
	return err
}

// Shutdown stops accepting and waits for the connection tasks to finish,
// at most until ctx ends (use WithTimeout for a grace period); then it
// closes the remaining connections, waits for their tasks, and returns
// ctx's error. A graceful shutdown.
func (srv *Server) Shutdown(ctx *Context) error {
	srv.Close()
	_, err := Shield(ctx, srv.idle)
	if err == nil {
		return nil
	}
	srv.CloseClients()
	_, _ = Shield(WithoutCancel(ctx), srv.idle)
	return err
}
