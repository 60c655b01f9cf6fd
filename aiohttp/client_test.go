package aiohttp_test

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

func mux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	})
	m.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, r.Body)
	})
	m.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":7,"title":"seven"}`)
	})
	m.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		for i := range 1000 {
			fmt.Fprintf(w, "line %04d\n", i)
		}
	})
	m.HandleFunc("GET /sleep", func(w http.ResponseWriter, r *http.Request) {
		// An await in a handler: the connection task sleeps, the loop serves others.
		if err := aio.Sleep(aiohttp.TaskContext(r), 30*time.Millisecond); err != nil {
			return
		}
		io.WriteString(w, "slept")
	})
	return m
}

// TestClientServerRoundTrip: the aio client against the aio server: plain
// GET, POST echo, JSON, a chunked 10 KB body, HEAD, 404, all on one
// reused keep-alive connection (httptrace reports the reuse).
func TestClientServerRoundTrip(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		base, stop := serve(t, ctx, &aiohttp.Server{Handler: mux()})
		defer stop()
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()

		var reused []bool
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }}
		get := func(path string) (*http.Response, string) {
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", base+path, nil)
			resp, err := c.Do(ctx, req)
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("GET %s body: %v", path, err)
			}
			resp.Body.Close()
			return resp, string(b)
		}
		resp, b := get("/hello")
		if resp.StatusCode != 200 || b != "Hello, World!" || resp.ContentLength != 13 || resp.Header.Get("Date") == "" {
			t.Errorf("/hello: %d %q %d %v", resp.StatusCode, b, resp.ContentLength, resp.Header)
		}
		resp, b = get("/big")
		if len(b) != 10000 || resp.TransferEncoding[0] != "chunked" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("/big: %d bytes, %v %v", len(b), resp.TransferEncoding, resp.Header)
		}
		resp, _ = get("/nope")
		if resp.StatusCode != 404 {
			t.Errorf("/nope: %d", resp.StatusCode)
		}
		resp, err := c.Post(ctx, base+"/echo", "text/plain", strings.NewReader("ping"))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != "ping" {
			t.Errorf("echo: %q", b)
		}
		resp.Body.Close()
		req, _ := http.NewRequest("HEAD", base+"/hello", nil)
		resp, err = c.Do(ctx, req)
		if err != nil || resp.ContentLength != 13 {
			t.Errorf("HEAD: %v %v", resp, err)
		}
		resp.Body.Close()
		type item struct {
			ID    int
			Title string
		}
		it, err := aiohttp.GetJSON[item](ctx, c, base+"/json")
		if err != nil || it.ID != 7 || it.Title != "seven" {
			t.Errorf("GetJSON: %+v %v", it, err)
		}
		if _, err := aiohttp.GetJSON[item](ctx, c, base+"/missing"); !isStatus(err, 404) {
			t.Errorf("GetJSON 404: %v", err)
		}
		if fmt.Sprint(reused) != "[false true true]" {
			t.Errorf("connection reuse: %v", reused)
		}
		rc := &aiohttp.Client{RaiseForStatus: true}
		defer rc.CloseIdleConnections()
		if _, err := rc.Get(ctx, base+"/missing"); !isStatus(err, 404) {
			t.Errorf("RaiseForStatus: %v", err)
		}
		return nil
	})
}

func isStatus(err error, code int) bool {
	se, ok := errors.AsType[*aiohttp.StatusError](err)
	return ok && se.StatusCode == code
}

// TestConcurrentRequestsOverlap: 20 requests to a handler that awaits 30 ms
// finish in far less than 20×30 ms: handlers and clients are concurrent
// tasks on one loop.
func TestConcurrentRequestsOverlap(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		base, stop := serve(t, ctx, &aiohttp.Server{Handler: mux()})
		defer stop()
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		start := time.Now()
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			for range 20 {
				tg.Go(func(ctx *aio.Context) error {
					resp, err := c.Get(ctx, base+"/sleep")
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					b, err := io.ReadAll(resp.Body)
					if string(b) != "slept" {
						return fmt.Errorf("got %q, %v", b, err)
					}
					return nil
				})
			}
			return nil
		})
		if d := time.Since(start); d > 300*time.Millisecond {
			t.Errorf("20 concurrent 30 ms requests took %v", d)
		}
		return err
	})
}

// TestLimitPerHost: with LimitPerHost 2, never more than 2 requests are at
// the server at once, they are served in the order they were sent (FIFO
// permits), and 2 connections carry all 8 requests.
func TestLimitPerHost(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		inFlight, peak := 0, 0
		var order []string
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inFlight++
			peak = max(peak, inFlight)
			order = append(order, r.URL.Query().Get("i"))
			aio.Sleep(aiohttp.TaskContext(r), 10*time.Millisecond)
			inFlight--
		})
		var conns int
		srv := &aiohttp.Server{Handler: h}
		base, stop := serve(t, ctx, srv)
		defer stop()
		c := &aiohttp.Client{LimitPerHost: 2}
		defer c.CloseIdleConnections()
		trace := &httptrace.ClientTrace{ConnectStart: func(string, string) { conns++ }}
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			for i := range 8 {
				tg.Go(func(ctx *aio.Context) error {
					req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", fmt.Sprintf("%s/?i=%d", base, i), nil)
					resp, err := c.Do(ctx, req)
					if err != nil {
						return err
					}
					return resp.Body.Close()
				})
			}
			return nil
		})
		if peak != 2 || conns != 2 || strings.Join(order, "") != "01234567" {
			t.Errorf("peak %d, connections %d, order %v", peak, conns, order)
		}
		return err
	})
}

// TestAgainstNetHTTPServer: the client against net/http's server: gzip is
// asked for and decoded, a connection the server closed while idle is
// noticed before reuse, and http.Client with the aio Client as Transport
// follows redirects, keeps cookies and stops a redirect loop.
func TestAgainstNetHTTPServer(t *testing.T) {
	m := http.NewServeMux()
	m.HandleFunc("/gz", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "no gzip", 400)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, strings.Repeat("compressed ", 1000))
		zw.Close()
	})
	m.HandleFunc("/br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		bw := brotli.NewWriter(w)
		io.WriteString(bw, strings.Repeat("brotli ", 1000))
		bw.Close()
	})
	m.HandleFunc("/zstd", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "zstd")
		zw, _ := zstd.NewWriter(w)
		io.WriteString(zw, strings.Repeat("zstd ", 1000))
		zw.Close()
	})
	m.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "k", Value: "v"})
		http.Redirect(w, r, "/get", http.StatusFound)
	})
	m.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		ck, _ := r.Cookie("k")
		if ck != nil {
			io.WriteString(w, "cookie "+ck.Value)
		}
	})
	m.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	hs := httptest.NewServer(m)
	defer hs.Close()
	runLoop(t, func(ctx *aio.Context) error {
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		resp, err := c.Get(ctx, hs.URL+"/gz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(b) != 11000 || !resp.Uncompressed {
			t.Errorf("gzip: %d bytes, uncompressed %v", len(b), resp.Uncompressed)
		}
		for path, want := range map[string]int{"/br": 7000, "/zstd": 5000} {
			resp, err := c.Get(ctx, hs.URL+path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if len(b) != want || err != nil || !resp.Uncompressed {
				t.Errorf("%s: %d bytes (%v), uncompressed %v; want %d", path, len(b), err, resp.Uncompressed, want)
			}
		}
		hs.CloseClientConnections() // the pooled connection dies while idle
		aio.Sleep(ctx, 20*time.Millisecond)
		resp, err = c.Get(ctx, hs.URL+"/gz")
		if err != nil {
			t.Fatalf("after the server closed the idle connection: %v", err)
		}
		resp.Body.Close()

		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Transport: c, Jar: jar}
		req, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+"/set", nil)
		resp, err = hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "cookie v" {
			t.Errorf("redirect with cookie: %q", b)
		}
		req, _ = http.NewRequestWithContext(ctx, "GET", hs.URL+"/loop", nil)
		if _, err := hc.Do(req); err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
			t.Errorf("redirect loop: %v", err)
		}
		// http.Client.Timeout layers a standard deadline over the task's
		// context: it ends the request too.
		hc2 := &http.Client{Transport: c, Timeout: 50 * time.Millisecond}
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		defer slow.Close()
		req, _ = http.NewRequestWithContext(ctx, "GET", slow.URL, nil)
		start := time.Now()
		if _, err := hc2.Do(req); err == nil || time.Since(start) > time.Second {
			t.Errorf("http.Client.Timeout: %v after %v", err, time.Since(start))
		}
		return nil
	})
}

// TestRoundTripOutsideTask: a request whose context is not a task's fails
// with ErrNotInTask instead of blocking or panicking.
func TestRoundTripOutsideTask(t *testing.T) {
	c := &aiohttp.Client{}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "http://127.0.0.1:1/", nil)
	if _, err := c.RoundTrip(req); !errors.Is(err, aiohttp.ErrNotInTask) {
		t.Fatalf("got %v", err)
	}
}

var _ sync.Mutex
