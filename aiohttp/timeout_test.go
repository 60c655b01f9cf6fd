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
