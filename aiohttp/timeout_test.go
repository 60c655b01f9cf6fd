package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// Timeout.SockRead bounds each read (aiohttp's sock_read): a server that
// sends the headers and then goes silent mid-body fails the body read with
// a timeout, while a slow but steady body within the bound completes.
func TestClientSockReadTimeout(t *testing.T) {
	rs := newRawServer(t, func(_ int, c net.Conn, br *bufio.Reader) {
		req, err := readReq(br)
		if err != nil {
			return
		}
		if req.URL.Path == "/steady" {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
			for _, b := range "hello" {
				time.Sleep(20 * time.Millisecond)
				io.WriteString(c, string(b))
			}
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart")
		io.Copy(io.Discard, c) // then silence
	})
	runLoop(t, func(ctx *aio.Context) error {
		defer rs.close()
		c := &aiohttp.Client{Timeout: aiohttp.Timeout{SockRead: 150 * time.Millisecond}}
		defer c.CloseIdleConnections()
		resp, err := c.Get(ctx, rs.url()+"/steady")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "hello" || err != nil {
			t.Errorf("steady body = %q, %v; each gap is within SockRead", b, err)
		}
		start := time.Now()
		resp, err = c.Get(ctx, rs.url()+"/silent")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("silent body: %v, want a timeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the silent body took %v to time out", d)
		}
		return nil
	})
}

// The server's ReadTimeout bounds reading a whole request, body included:
// a client that sends the headers and then trickles nothing of its body is
// cut off. Its IdleTimeout closes a keep-alive connection that sends no
// next request.
func TestServerReadAndIdleTimeouts(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		s := &aiohttp.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := io.ReadAll(r.Body); err != nil {
					return
				}
				io.WriteString(w, "ok")
			}),
			ReadTimeout: 200 * time.Millisecond,
			IdleTimeout: 150 * time.Millisecond,
			ErrorLog:    discardLog(),
		}
		base, stop := serve(t, ctx, s)
		defer stop()

		// A body that never comes: the handler's read fails (it writes
		// nothing, so the answer is empty, as net/http's would be) and the
		// connection ends, well before the 3 s the reader waits.
		start := time.Now()
		got := raw(t, ctx, base, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", 3*time.Second)
		if strings.HasSuffix(got, "ok") {
			t.Errorf("the handler read a body that never arrived: %q", got)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("ReadTimeout took %v to end the connection", d)
		}

		// A served keep-alive connection, then silence: closed after about
		// IdleTimeout, not kept for the 3 s the reader waits.
		start = time.Now()
		got = raw(t, ctx, base, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second)
		if !strings.Contains(got, "200 OK") {
			t.Errorf("the request was not answered: %q", got)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the idle connection stayed open %v (IdleTimeout 150ms)", d)
		}
		return nil
	})
}

// Timeout.Connect bounds getting a connection: the wait for a permit when
// LimitPerHost is taken, and a TLS handshake with a server that accepts
// and never answers. Both fail with a timeout well before the request's
// other bounds, and the held request is unaffected.
func TestClientConnectTimeout(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		held, release := &aio.Event{}, &aio.Event{}
		srv := &aiohttp.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hold" {
				held.Set() // the client's one permit for this host is taken
				_ = release.Wait(aiohttp.TaskContext(r))
			}
			io.WriteString(w, "ok")
		})}
		base, stop := serve(t, ctx, srv)
		defer stop()
		c := &aiohttp.Client{LimitPerHost: 1, Timeout: aiohttp.Timeout{Connect: 100 * time.Millisecond}}
		defer c.CloseIdleConnections()

		holder := aio.Go(ctx.Loop(), func(ctx *aio.Context) error {
			resp, err := c.Get(ctx, base+"/hold")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.ReadAll(resp.Body)
			return err
		})
		if err := held.Wait(ctx); err != nil {
			return err
		}
		start := time.Now()
		_, err := c.Get(ctx, base+"/other")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiting for the permit: %v, want a timeout", err)
		}
		if d := time.Since(start); d < 90*time.Millisecond || d > time.Second {
			t.Errorf("the permit wait ended after %v, want about 100ms", d)
		}
		release.Set()
		if _, err := holder.Await(ctx); err != nil {
			t.Errorf("the held request: %v", err)
		}

		silent := newRawServer(t, func(_ int, c net.Conn, _ *bufio.Reader) {
			io.Copy(io.Discard, c) // accepts, never speaks TLS
		})
		start = time.Now()
		_, err = c.Get(ctx, "https://"+silent.ln.Addr().String()+"/")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("TLS handshake with a silent server: %v, want a timeout", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("the silent handshake ended after %v, want about 100ms", d)
		}
		silent.close()
		return nil
	})
}

// The server's WriteTimeout bounds writing a response: a client that
// sends a request and never reads makes the handler's writes fail once
// the socket buffers are full and the timeout has passed, and the
// connection is closed; the loop keeps running meanwhile (runLoop's
// ticker).
func TestServerWriteTimeout(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		var werr error
		written := 0
		failed := &aio.Event{}
		srv := &aiohttp.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				chunk := make([]byte, 256<<10)
				for written < 1<<30 {
					n, err := w.Write(chunk)
					written += n
					if err != nil {
						werr = err
						failed.Set()
						return
					}
				}
			}),
			WriteTimeout: 200 * time.Millisecond,
			ErrorLog:     discardLog(),
		}
		base, stop := serve(t, ctx, srv)
		defer stop()
		c, err := aio.Dial(ctx, "tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			return err
		}
		defer c.Close()
		start := time.Now()
		if _, err := c.Write([]byte("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			return err
		}
		// Do not read until the handler has given up (at most 3 s).
		wctx, wcancel := aio.WithTimeout(ctx, 3*time.Second)
		_ = failed.Wait(wctx)
		wcancel()
		if werr == nil {
			t.Fatalf("the handler's writes still succeed after %v (%d bytes)", time.Since(start), written)
		}
		var ne net.Error
		if !errors.As(werr, &ne) || !ne.Timeout() || !errors.Is(werr, os.ErrDeadlineExceeded) {
			t.Errorf("write error %v, want a deadline timeout", werr)
		}
		if d := time.Since(start); d < 190*time.Millisecond || d > 2*time.Second {
			t.Errorf("the write failed after %v, want about 200ms", d)
		}
		// The server closed the connection: reading drains what was
		// buffered and then ends.
		rctx, cancel := aio.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		n, err := io.Copy(io.Discard, c.WithContext(rctx))
		if rctx.Err() != nil {
			t.Errorf("the connection stayed open after the write timeout (%d bytes read, %v)", n, err)
		}
		return nil
	})
}
