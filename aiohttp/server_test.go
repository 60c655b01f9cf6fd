package aiohttp_test

import (
	"bufio"
	"context"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// raw sends b on a new connection and returns everything the server sends
// until it closes the connection or wait passes.
func raw(t *testing.T, ctx *aio.Context, base, b string, wait time.Duration) string {
	t.Helper()
	c, err := aio.Dial(ctx, "tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(b)); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := aio.WithTimeout(ctx, wait)
	defer cancel()
	got, _ := io.ReadAll(c.WithContext(rctx))
	return string(got)
}

func serverMux() http.Handler {
	m := http.NewServeMux()
	m.Handle("/", mux())
	m.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part1")
		w.(http.Flusher).Flush()
		aio.Sleep(aiohttp.TaskContext(r), 5*time.Millisecond)
		io.WriteString(w, "part2")
	})
	m.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>hi</body></html>")
	})
	m.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		brw.WriteString("HIJACKED\n")
		brw.Flush()
	})
	m.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	m.Handle("/blocking", aiohttp.Blocking(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond) // blocks its worker goroutine, not the loop
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "blocking got "+string(b))
	})))
	return m
}

// TestServerProtocol checks the wire format: Content-Length when the
// response fits the buffer, chunked after Flush, content sniffing, Date,
// HEAD, HTTP/1.0 with and without keep-alive, Connection: close,
// pipelined requests answered in order, 100-continue, Hijack, a handler
// panic (500, connection closed, server still up), and Blocking handlers
// running off the loop while the ticker keeps ticking.
func TestServerProtocol(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		srv := &aiohttp.Server{Handler: serverMux(), ErrorLog: discardLog()}
		base, stop := serve(t, ctx, srv)
		defer stop()
		const w = 300 * time.Millisecond
		check := func(name, got string, want ...string) {
			t.Helper()
			for _, s := range want {
				if !strings.Contains(got, s) {
					t.Errorf("%s: %q lacks %q", name, got, s)
				}
			}
		}
		got := raw(t, ctx, base, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", w)
		check("close", got, "HTTP/1.1 200 OK\r\n", "Content-Length: 13\r\n", "Connection: close\r\n", "Date: ", "\r\n\r\nHello, World!")
		got = raw(t, ctx, base, "GET /flush HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", w)
		check("flush", got, "Transfer-Encoding: chunked\r\n", "5\r\npart1\r\n", "5\r\npart2\r\n0\r\n\r\n")
		got = raw(t, ctx, base, "GET /html HTTP/1.0\r\n\r\n", w)
		check("1.0 sniff", got, "HTTP/1.0 200 OK\r\n", "Content-Type: text/html; charset=utf-8", "Connection: close")
		got = raw(t, ctx, base, "HEAD /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello HTTP/1.0\r\n\r\n", w)
		if strings.Count(got, "HTTP/1.0 200 OK") != 2 || strings.Count(got, "Hello, World!") != 1 {
			t.Errorf("1.0 keep-alive + HEAD: %q", got)
		}
		got = raw(t, ctx, base, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", w)
		i1, i2, i3 := strings.Index(got, "Hello, World!"), strings.Index(got, "\r\n\r\nabc"), strings.Index(got, `"seven"`)
		if !(i1 > 0 && i2 > i1 && i3 > i2) {
			t.Errorf("pipelined: %q", got)
		}
		got = raw(t, ctx, base, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n", w)
		check("expect before body", got, "HTTP/1.1 100 Continue\r\n\r\n")
		got = raw(t, ctx, base, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n", w)
		if got != "HIJACKED\n" {
			t.Errorf("hijack: %q", got)
		}
		got = raw(t, ctx, base, "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n", w)
		check("panic", got, "HTTP/1.1 500 ", "Connection: close")
		got = raw(t, ctx, base, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", w)
		check("404", got, "HTTP/1.1 404 ")

		// Blocking handlers: three 100 ms sleeps overlap on worker goroutines.
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		start := time.Now()
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			for range 3 {
				tg.Go(func(ctx *aio.Context) error {
					resp, err := c.Post(ctx, base+"/blocking", "text/plain", strings.NewReader("x"))
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					if string(b) != "blocking got x" {
						t.Errorf("blocking: %q", b)
					}
					return nil
				})
			}
			return nil
		})
		if d := time.Since(start); d > 250*time.Millisecond {
			t.Errorf("3 Blocking handlers took %v", d)
		}
		return err
	})
}

// TestServerRejectsBadVersionAndHost: as net/http's server, a request
// that is not HTTP/1.x gets 505 and one with a malformed Host gets 400,
// whether the request is simple (the fast parser) or not.
func TestServerRejectsBadVersionAndHost(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		srv := &aiohttp.Server{Handler: serverMux(), ErrorLog: discardLog()}
		base, stop := serve(t, ctx, srv)
		defer stop()
		for _, c := range []struct{ req, want string }{
			{"GET /hello HTTP/2.0\r\nHost: x\r\n\r\n", "HTTP/1.1 505 "},
			{"GET /hello HTTP/1.1\r\nHost: bad host\r\n\r\n", "HTTP/1.1 400 "},
			{"POST /echo HTTP/1.1\r\nHost: a/b\r\nContent-Length: 1\r\n\r\nx", "HTTP/1.1 400 "},
			{"GET /hello HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 "},
		} {
			if got := raw(t, ctx, base, c.req, 300*time.Millisecond); !strings.HasPrefix(got, c.want) {
				t.Errorf("%q: got %q, want %q", c.req, got, c.want)
			}
		}
		return nil
	})
}

// TestServerWithNetHTTPClient: net/http's client (goroutines, its own
// connection pool) gets correct answers from the aio server, including a
// 100-continue upload and keep-alive reuse.
func TestServerWithNetHTTPClient(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		base, stop := serve(t, ctx, &aiohttp.Server{Handler: serverMux()})
		defer stop()
		_, err := aio.ToThread(ctx, func(context.Context) (struct{}, error) {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			for range 3 {
				resp, err := hc.Get(base + "/big")
				if err != nil {
					return struct{}{}, err
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if len(b) != 10000 {
					t.Errorf("big: %d", len(b))
				}
			}
			req, _ := http.NewRequest("POST", base+"/echo", strings.NewReader("continued"))
			req.Header.Set("Expect", "100-continue")
			resp, err := hc.Do(req)
			if err != nil {
				return struct{}{}, err
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "continued" {
				t.Errorf("100-continue: %q", b)
			}
			return struct{}{}, nil
		})
		return err
	})
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

var _ = bufio.NewReader
