package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/asyncgo/aio"
)

// runEcho is the echo_tcp workload: an echo server on 127.0.0.1:port that
// serves until SIGTERM (or until stop is closed, in tests), one task per
// connection. --api stream (the default) uses aio.StartServer and
// aio.Stream; --api conn uses the Listener and Conn directly; --api
// protocol uses aio.CreateServer, asyncio's callback form: no task per
// connection, the reactor's readiness runs the protocol's callbacks.
func runEcho(args []string, stderr io.Writer) int {
	f, ok := parseFlags(args, stderr)
	if !ok {
		return exitCheckFailed
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(stop)
	err := serveEcho(f.port, f.api, stop, nil)
	if err != nil {
		fmt.Fprintf(stderr, "aiobench: echo_tcp: %v\n", err)
		return exitError
	}
	return exitOK
}

// cancelOnStop cancels the running task of ctx once stop receives or is
// closed. A task awaits the channel (aio.Recv), so nothing outlives the
// run: when the run ends first, the task is cancelled with it.
func cancelOnStop[T any](ctx *aio.Context, stop <-chan T) {
	main := aio.CurrentTask(ctx)
	aio.Go(ctx, func(ctx *aio.Context) error {
		if _, _, err := aio.Recv(ctx, stop); err == nil {
			main.Cancel("stop")
		}
		return nil
	})
}

// serveEcho serves until stop receives (or is closed); ready, if not nil,
// is called with the address once listening.
func serveEcho[T any](port int, api string, stop <-chan T, ready func(net.Addr)) error {
	if api != "stream" && api != "conn" && api != "protocol" {
		return errors.New("--api must be stream, conn or protocol")
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	return aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		cancelOnStop(ctx, stop)
		if api == "protocol" {
			srv, err := aio.CreateServer(ctx, func() *echoProtocol { return &echoProtocol{} }, "tcp", addr)
			if err != nil {
				return err
			}
			if ready != nil {
				ready(srv.Addr())
			}
			// Serve until stop cancels this task (WaitClosed returns the
			// cancellation), then stop accepting and drop the clients.
			err = srv.WaitClosed(ctx)
			srv.Close()
			srv.AbortClients()
			if err != nil && ctx.Err() == nil {
				return err
			}
			return nil
		}
		if api == "stream" {
			srv, err := aio.StartServer(ctx, "tcp", addr, echoStream)
			if err != nil {
				return err
			}
			if ready != nil {
				ready(srv.Addr())
			}
			if err := srv.Serve(ctx); err != nil && ctx.Err() == nil {
				return err
			}
			srv.CloseClients()
			return nil
		}
		ln, err := aio.Listen(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		if ready != nil {
			ready(ln.Addr())
		}
		for {
			c, err := ln.AcceptConn(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				continue
			}
			aio.Go(l, func(ctx *aio.Context) error { return echoConn(c) })
		}
	})
}

// echoStream is the Stream API handler: read what is there, write it back.
func echoStream(ctx *aio.Context, s *aio.Stream) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := s.ReadInto(ctx, buf)
		if err != nil {
			return nil
		}
		if err := s.Write(ctx, buf[:n]); err != nil {
			return nil
		}
		if err := s.Drain(ctx); err != nil {
			return nil
		}
	}
}

// echoConn is the Conn handler: one buffer, Read then Write.
func echoConn(c *aio.Conn) error {
	defer c.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return nil
		}
	}
}

// echoProtocol is the protocol handler: every chunk received is written
// back (the transport buffers what the socket does not take, and reading
// pauses while the write buffer is over its high water mark).
type echoProtocol struct {
	t aio.Transport
}

func (p *echoProtocol) ConnectionMade(t aio.Transport) { p.t = t }
func (p *echoProtocol) DataReceived(b []byte)          { _ = p.t.Write(b) }
func (p *echoProtocol) EOFReceived() bool              { return false }
func (p *echoProtocol) ConnectionLost(error)           {}
func (p *echoProtocol) PauseWriting()                  { p.t.PauseReading() }
func (p *echoProtocol) ResumeWriting()                 { p.t.ResumeReading() }
