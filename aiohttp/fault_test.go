package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// TestClientFaults: faulty servers on 127.0.0.1 end requests with errors,
// in bounded time, never a hang, and leak no connection.
func TestClientFaults(t *testing.T) {
	handlers := map[string]func(c net.Conn, br *bufio.Reader){
		"hang": func(c net.Conn, br *bufio.Reader) { readReq(br); io.Copy(io.Discard, c) },
		"reset mid-body": func(c net.Conn, br *bufio.Reader) {
			readReq(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		},
		"short Content-Length": func(c net.Conn, br *bufio.Reader) {
			readReq(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
			c.Close()
		},
		"endless chunked": func(c net.Conn, br *bufio.Reader) {
			readReq(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			for {
				if _, err := io.WriteString(c, "400\r\n"+strings.Repeat("x", 1024)+"\r\n"); err != nil {
					return
				}
			}
		},
		"10 MB of headers": func(c net.Conn, br *bufio.Reader) {
			readReq(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			line := "X-Pad: " + strings.Repeat("p", 1000) + "\r\n"
			for range 10_000 {
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
		},
		"garbage status": func(c net.Conn, br *bufio.Reader) {
			readReq(br)
			io.WriteString(c, "HTTP/1.1 2OO \xff\xfe\r\n\r\n")
			c.Close()
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			rs := newRawServer(t, func(_ int, c net.Conn, br *bufio.Reader) { h(c, br) })
			runLoop(t, func(ctx *aio.Context) error {
				defer rs.close()
				c := &aiohttp.Client{Timeout: aiohttp.Timeout{Total: 300 * time.Millisecond}}
				defer c.CloseIdleConnections()
				start := time.Now()
				resp, err := c.Get(ctx, rs.url())
				if err == nil {
					_, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
					resp.Body.Close()
				}
				if err == nil {
					t.Fatal("no error")
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v", d)
				}
				if name == "10 MB of headers" && !errors.Is(err, aiohttp.ErrResponseHeaderTooLarge) {
					t.Errorf("want ErrResponseHeaderTooLarge, got %v", err)
				}
				if (name == "hang" || name == "endless chunked") && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("want a timeout, got %v", err)
				}
				return nil
			})
		})
	}
}

// TestClientInvalidUTF8: bytes that are not UTF-8 in headers and body come
// through unchanged.
func TestClientInvalidUTF8(t *testing.T) {
	rs := newRawServer(t, func(_ int, c net.Conn, br *bufio.Reader) {
		readReq(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Bad: \xff\xfe\r\nContent-Length: 4\r\n\r\n\xc3\x28\xa0\xa1")
	})
	runLoop(t, func(ctx *aio.Context) error {
		defer rs.close()
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		resp, err := c.Get(ctx, rs.url())
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "\xc3\x28\xa0\xa1" || resp.Header.Get("X-Bad") != "\xff\xfe" {
			t.Errorf("got %q %q %v", b, resp.Header.Get("X-Bad"), err)
		}
		return nil
	})
}

// TestClientRetriesOnceOnStaleConnection: a keep-alive connection the
// server drops after reading the next request (no response byte) makes an
// idempotent request retry once on a new connection; a POST is not
// retried.
func TestClientRetriesOnceOnStaleConnection(t *testing.T) {
	rs := newRawServer(t, func(_ int, c net.Conn, br *bufio.Reader) {
		readReq(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		readReq(br) // the next request: drop it unanswered
		c.Close()
	})
	runLoop(t, func(ctx *aio.Context) error {
		defer rs.close()
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		for i := range 2 {
			resp, err := c.Get(ctx, rs.url())
			if err != nil {
				return fmt.Errorf("GET %d: %w", i, err)
			}
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if n := rs.accepted(); n != 2 {
			t.Errorf("%d connections, want 2", n)
		}
		if _, err := c.Post(ctx, rs.url(), "text/plain", strings.NewReader("x")); err == nil {
			t.Error("a POST on a connection dropped without a response must fail, not be retried")
		}
		return nil
	})
}

// TestServerFaults: oversized headers get 431, a slowloris client that
// never finishes its header is cut off by ReadHeaderTimeout, garbage gets
// 400, a client that vanishes mid-response or mid-body ends only its own
// connection task, and Shutdown still completes promptly.
func TestServerFaults(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for range 10_000 {
				if _, err := w.Write(make([]byte, 1024)); err != nil {
					return
				}
			}
		})
		srv := &aiohttp.Server{Handler: big, MaxHeaderBytes: 4096, ReadHeaderTimeout: 100 * time.Millisecond}
		base, stop := serve(t, ctx, srv)
		defer stop()
		got := raw(t, ctx, base, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 20000)+"\r\n\r\n", time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 431 ") {
			t.Errorf("oversized header: %.60q", got)
		}
		start := time.Now()
		got = raw(t, ctx, base, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow:", 2*time.Second)
		if d := time.Since(start); got != "" || d > time.Second {
			t.Errorf("slowloris: %q after %v", got, d)
		}
		got = raw(t, ctx, base, "NOT HTTP\r\n\r\n", time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
			t.Errorf("garbage: %.60q", got)
		}
		for range 3 { // vanish mid-response
			c, err := aio.Dial(ctx, "tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				return err
			}
			c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
			c.Read(make([]byte, 100))
			c.Close()
		}
		c, err := aio.Dial(ctx, "tcp", strings.TrimPrefix(base, "http://")) // vanish mid-body
		if err != nil {
			return err
		}
		c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc"))
		c.Close()
		return nil
	})
}
