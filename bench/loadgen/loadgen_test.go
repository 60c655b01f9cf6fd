package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHistogramBucketsAreContiguousAndNarrow(t *testing.T) {
	prevEnd := uint64(0)
	for i := range histBuckets - 1 {
		lo, w := bucketRange(i)
		if lo != prevEnd {
			t.Fatalf("bucket %d starts at %d, the previous ended at %d", i, lo, prevEnd)
		}
		if bucket(lo) != i || bucket(lo+w-1) != i {
			t.Fatalf("bucket %d [%d, +%d) maps to %d..%d", i, lo, w, bucket(lo), bucket(lo+w-1))
		}
		if lo >= subCount && float64(w)/float64(lo) > 1.0/subCount+1e-12 {
			t.Fatalf("bucket %d is %d wide at %d", i, w, lo)
		}
		prevEnd = lo + w
	}
	if bucket(math.MaxUint64) != histBuckets-1 {
		t.Error("huge values do not land in the last bucket")
	}
}

func TestHistogramQuantilesOfFixedInput(t *testing.T) {
	var a, b hist
	for v := int64(1); v <= 50; v++ {
		a.record(v * 1000) // 1..50 µs
	}
	for v := int64(51); v <= 100; v++ {
		b.record(v * 1000)
	}
	a.merge(&b)
	if a.n != 100 {
		t.Fatalf("n = %d", a.n)
	}
	for q, want := range map[float64]float64{0.5: 50_000, 0.99: 99_000, 1: 100_000, 0.01: 1000} {
		got := a.quantile(q)
		if math.Abs(got-want)/want > 1.0/subCount {
			t.Errorf("quantile(%v) = %v, want %v within 1/64", q, got, want)
		}
	}
	var small hist
	for _, v := range []int64{3, 3, 7, -5} {
		small.record(v)
	}
	if small.quantile(0.5) != 3 || small.quantile(1) != 7 || small.quantile(0.25) != 0 {
		t.Errorf("exact small buckets: %v %v %v", small.quantile(0.5), small.quantile(1), small.quantile(0.25))
	}
	var empty hist
	if empty.quantile(0.5) != 0 {
		t.Error("empty histogram")
	}
}

func TestProcStatLinesGiveBusyShares(t *testing.T) {
	const before = "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 10 1 9 80 5 2 3 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\nintr 1 2 3\n"
	const after = "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 40 1 19 100 5 2 13 0 7 0\ncpu1 50 0 50 500 0 0 0 0 0 0\n"
	a, err := parseCPUTicks(before, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseCPUTicks(after, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if a[0] != (cpuTicks{busy: 25, total: 110}) {
		t.Errorf("cpu0 before %+v", a[0])
	}
	// cpu0: busy +50 (user 30, system 10, softirq 10), idle +20 → 50/70.
	if got := busyFraction(a[0], b[0]); math.Abs(got-50.0/70) > 1e-12 {
		t.Errorf("cpu0 busy %v", got)
	}
	if got := busyFraction(a[1], b[1]); got != 0 {
		t.Errorf("idle cpu1 busy %v", got)
	}
	if _, err := parseCPUTicks(before, []int{2}); err == nil {
		t.Error("a missing CPU was accepted")
	}
}

func TestResponsesAreCheckedStrictly(t *testing.T) {
	good := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: x\r\n\r\nHello, World!"
	cases := map[string]string{
		good: "",
		strings.Replace(good, "text/plain", "text/plain; charset=utf-8", 1):          "",
		strings.Replace(good, "text/plain", "text/html", 1):                          "Content-Type",
		strings.Replace(good, "text/plain", "text/plain; charset=latin1", 1):         "Content-Type",
		strings.Replace(good, "200 OK", "404 Not Found", 1):                          "status line",
		strings.Replace(good, "HTTP/1.1 200", "HTTP/1.0 200", 1):                     "status line",
		strings.Replace(good, "HTTP/1.1 200 OK", "HTTP/1.1 2000", 1):                 "status line",
		strings.Replace(good, "World", "Wörld", 1):                                   "body",
		strings.Replace(good, "Content-Length: 13", "Transfer-Encoding: chunked", 1): "Transfer-Encoding",
		strings.Replace(good, "Date: x", "Connection: close", 1):                     "Connection: close",
		strings.Replace(good, "Date: x", "Content-Length: 13", 1):                    "Content-Length",
		strings.Replace(good, "\r\nDate: x", "\nDate: x", 1):                         "CRLF",
	}
	for resp, want := range cases {
		err := readHello(bufio.NewReader(strings.NewReader(resp)))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: error %v, want one containing %q", resp, err, want)
		}
	}
	// Two responses back to back on one connection are read one at a time.
	br := bufio.NewReader(strings.NewReader(good + good))
	first, second, third := readHello(br), readHello(br), readHello(br)
	if first != nil || second != nil || third != io.EOF {
		t.Error("keep-alive sequence not read response by response")
	}
}

// echoServer echoes on a local port until the test ends; bad, if not nil,
// corrupts what it echoes.
func echoServer(t *testing.T, bad func([]byte)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if bad != nil {
						bad(buf[:n])
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

func short() options {
	return options{conns: 4, size: 3000, warmup: 50 * time.Millisecond, duration: 200 * time.Millisecond, cpus: []int{0}}
}

func TestEchoLoadCountsCheckedRequests(t *testing.T) {
	o := short()
	o.mode, o.addr = "echo", echoServer(t, nil)
	res, err := drive(o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.ReqPerS <= 0 || res.P50us <= 0 || res.P99us < res.P50us || res.Connections != 4 {
		t.Errorf("result %+v", res)
	}
	if b, ok := res.CPUBusy["0"]; !ok || b < 0 || b > 1 {
		t.Errorf("cpu_busy %v", res.CPUBusy)
	}
}

func TestEchoLoadFailsOnACorruptedByte(t *testing.T) {
	var mu sync.Mutex
	count := 0
	o := short()
	o.mode = "echo"
	o.addr = echoServer(t, func(b []byte) {
		mu.Lock()
		defer mu.Unlock()
		if count++; count%50 == 0 {
			b[len(b)/2]++
		}
	})
	_, err := drive(o)
	if _, ok := err.(interface{ Unwrap() []error }); !ok || !strings.Contains(err.Error(), "echo message") {
		t.Fatalf("error %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-mode", "echo", "-addr", o.addr, "-c", "2", "-warmup", "0s", "-duration", "300ms"}, &stdout, &stderr); code != exitCheck || !strings.HasPrefix(stderr.String(), "CHECK FAILED") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestHTTPLoadAgainstNetHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		w.Write(helloBody)
	})
	mux.HandleFunc("GET /wrong", func(w http.ResponseWriter, r *http.Request) { w.Write(helloBody) })
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"-mode", "http", "-addr", ln.Addr().String(), "-c", "3", "-warmup", "50ms", "-duration", "200ms", "-cpus", "0"}, &stdout, &stderr)
	var res result
	if code != 0 || json.Unmarshal(stdout.Bytes(), &res) != nil || res.Requests == 0 || res.Mode != "http" || res.P99us <= 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestRefServerAnswersItemsAndCountsConnections(t *testing.T) {
	stats := filepath.Join(t.TempDir(), "stats.json")
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serveRef(ctx, "127.0.0.1:0", stats, func(a net.Addr) { addrc <- a }) }()
	addr := (<-addrc).String()
	probe, err := net.Dial("tcp", addr) // a readiness probe: not counted
	if err != nil {
		t.Fatal(err)
	}
	probe.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 2}
	cl := &http.Client{Transport: tr}
	for i := range 5 {
		resp, err := cl.Get(fmt.Sprintf("http://%s/item/%d", addr, i*7))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf(`{"id":%d,"title":"item %d"}`, i*7, i*7); string(b) != want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("item %d: %q %q", i*7, b, resp.Header.Get("Content-Type"))
		}
	}
	resp, err := cl.Get("http://" + addr + "/item/x")
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("bad item: %v %v", resp, err)
	}
	resp.Body.Close()
	tr.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	var s refStats
	if json.Unmarshal(b, &s) != nil || s != (refStats{Connections: 1, MaxOpen: 1, Requests: 5}) {
		t.Errorf("stats %s", b)
	}
}
