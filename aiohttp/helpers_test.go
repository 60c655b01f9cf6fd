package aiohttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func countFDs() int {
	es, _ := os.ReadDir("/proc/self/fd")
	return len(es)
}

// runLoop runs body in a fresh loop with a ticker task that must keep
// ticking (no gap over 250 ms: nothing blocks the loop), and checks that
// no file descriptor is left open afterwards.
func runLoop(t *testing.T, body func(ctx *aio.Context) error) {
	t.Helper()
	fds := countFDs()
	var maxGap time.Duration
	err := aio.Run(func(ctx *aio.Context) error {
		tick := aio.Go(ctx.Loop(), func(ctx *aio.Context) error {
			last := time.Now()
			for {
				if err := aio.Sleep(ctx, 5*time.Millisecond); err != nil {
					return nil
				}
				now := time.Now()
				maxGap = max(maxGap, now.Sub(last))
				last = now
			}
		})
		err := body(ctx)
		tick.Cancel("done")
		_, _ = tick.Await(aio.WithoutCancel(ctx))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if maxGap > 250*time.Millisecond {
		t.Errorf("the ticker stalled for %v: something blocked the loop", maxGap)
	}
	deadline := time.Now().Add(2 * time.Second)
	for countFDs() > fds && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := countFDs(); n > fds {
		t.Errorf("file descriptors leaked: %d before, %d after", fds, n)
	}
}

// serve starts s on an ephemeral loopback port; stop shuts it down.
func serve(t testing.TB, ctx *aio.Context, s *aiohttp.Server) (base string, stop func()) {
	t.Helper()
	l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	task := aio.Go(ctx.Loop(), func(ctx *aio.Context) error {
		if err := s.Serve(ctx, l); err != aiohttp.ErrServerClosed {
			t.Errorf("Serve: %v", err)
		}
		return nil
	})
	return "http://" + l.Addr().String(), func() {
		sctx, cancel := aio.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := s.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		_, _ = task.Await(ctx)
	}
}

// helloHandler answers every request with "Hello, World!" as text/plain.
var helloHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header()["Content-Type"] = []string{"text/plain"}
	io.WriteString(w, "Hello, World!")
})

// rawServer is a goroutine TCP server on 127.0.0.1 whose handler speaks
// raw bytes (for faulty peers). close waits for every goroutine.
type rawServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	cs   []net.Conn
	n    int // connections accepted
	once sync.Once
}

func newRawServer(t *testing.T, handle func(n int, c net.Conn, br *bufio.Reader)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.cs = append(s.cs, c)
			s.n++
			n := s.n
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				handle(n, c, bufio.NewReader(c))
			}()
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() }

func (s *rawServer) accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *rawServer) close() { s.once.Do(s.doClose) }

func (s *rawServer) doClose() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.cs {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// readReq reads one request (header and body) from br.
func readReq(br *bufio.Reader) (*http.Request, error) {
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, req.Body)
	return req, err
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
