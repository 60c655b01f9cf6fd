package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestProxyFlagSendsEveryRequestThroughTheProxy: with -proxy, robots.txt
// and every page go to the proxy in absolute form; a -proxy that is not an
// http:// URL is a usage error.
func TestProxyFlagSendsEveryRequestThroughTheProxy(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.RequestURI)
		mu.Unlock()
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()

	var stdout, stderr bytes.Buffer
	code := run([]string{"-demo", "-demo-pages", "20", "-demo-latency", "1ms", "-proxy", proxy.URL}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	pages := strings.Count(stdout.String(), "\n")
	mu.Lock()
	defer mu.Unlock()
	robots := 0
	for _, u := range seen {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("the proxy got %q, want an absolute http URL", u)
		}
		if strings.HasSuffix(u, "/robots.txt") {
			robots++
		}
	}
	if robots != 1 || len(seen) < pages+1 {
		t.Errorf("the proxy saw %d requests (%d for robots.txt) for %d crawled URLs", len(seen), robots, pages)
	}

	for _, bad := range []string{"socks5://127.0.0.1:1080", "127.0.0.1:3128"} {
		stderr.Reset()
		if code := run([]string{"-proxy", bad, "http://127.0.0.1:1/"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "-proxy") {
			t.Errorf("-proxy %q: exit %d, stderr %q; want 2 and a message", bad, code, stderr.String())
		}
	}
}
