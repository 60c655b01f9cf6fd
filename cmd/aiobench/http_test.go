package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestHTTPServerAnswersTheLoadGeneratorsRequest sends the exact request of
// the http_server workload on one keep-alive connection, several times,
// and checks each response as strictly as the load generator does.
func TestHTTPServerAnswersTheLoadGeneratorsRequest(t *testing.T) {
	stop := make(chan struct{})
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serveHTTP(0, stop, func(a net.Addr) { addrc <- a }) }()
	addr := (<-addrc).String()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for range 3 {
		fmt.Fprintf(c, "GET /hello HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Proto != "HTTP/1.1" || string(b) != "Hello, World!" ||
			resp.Header.Get("Content-Type") != "text/plain" || len(resp.Header["Content-Length"]) != 1 ||
			resp.ContentLength != 13 || len(resp.TransferEncoding) != 0 || resp.Close {
			t.Fatalf("bad response: %+v %q", resp, b)
		}
	}
	fmt.Fprintf(c, "GET /other HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 404 {
		t.Fatalf("other path: %v %v", resp, err)
	}
	c.Close()
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestHTTPFetchAgainstAReferenceServer runs http_fetch against a local
// net/http server shaped like the harness's reference server: every id is
// requested once, at most C connections are used, both metrics print.
func TestHTTPFetchAgainstAReferenceServer(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	conns := map[string]bool{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/item/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		seen[id]++
		conns[r.RemoteAddr] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%s,"title":"item %s"}`, id, id)
	}))
	defer hs.Close()
	code, stdout, stderr := runArgs("--workload", "http_fetch", "--url", hs.URL, "--n", "500", "--concurrency", "10")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var metrics []string
	dec := json.NewDecoder(bytes.NewBufferString(stdout))
	for dec.More() {
		var l line
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		if l.Value <= 0 {
			t.Errorf("%s = %v", l.Metric, l.Value)
		}
		metrics = append(metrics, l.Metric)
	}
	if fmt.Sprint(metrics) != "[req_per_s client_cpu_us_per_req]" {
		t.Errorf("metrics %v", metrics)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 500 || len(conns) > 10 {
		t.Errorf("%d ids, %d connections", len(seen), len(conns))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("id %s requested %d times", id, n)
		}
	}
}
