package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The network workloads of bench/WORKLOADS.md. The servers run until the
// process is terminated (SIGTERM's default action); http_fetch prints its
// metrics like the micro workloads.

// netFlags parses the flags of the network workloads.
func netFlags(args []string) (port int, url string, n, conc int, err error) {
	fs := flag.NewFlagSet("goroutines", flag.ContinueOnError)
	fs.String("workload", "", "workload name")
	fs.IntVar(&port, "port", 0, "port to listen on (127.0.0.1)")
	fs.StringVar(&url, "url", "", "http_fetch: base URL of the reference server")
	fs.IntVar(&n, "n", 0, "http_fetch: requests (≤ 0: 20000)")
	fs.IntVar(&conc, "concurrency", 50, "http_fetch: requests in flight")
	fs.String("variant", "", "ignored")
	fs.String("api", "", "ignored")
	err = fs.Parse(args)
	if n <= 0 {
		n = 20000
	}
	return
}

// serveEcho: a goroutine per connection, read into a 64 KiB buffer and
// write back what was read.
func serveEcho(port int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
	}
}

var helloBody = []byte("Hello, World!")

// serveHTTP: net/http with a ServeMux route GET /hello.
func serveHTTP(port int) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		w.Write(helloBody)
	})
	return http.ListenAndServe("127.0.0.1:"+strconv.Itoa(port), mux)
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// httpFetch: one net/http client (MaxIdleConnsPerHost = conc), conc worker
// goroutines taking the next index from a shared counter, each GET
// {url}/item/{i} decoded and checked.
func httpFetch(url string, n, conc int) ([]metric, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var (
		mu   sync.Mutex
		next int
		sum  int64
		errs = make([]error, conc)
		wg   sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	cpu0, t0 := cpuTime(), time.Now()
	for k := range conc {
		wg.Go(func() {
			for {
				i, ok := take()
				if !ok {
					return
				}
				resp, err := client.Get(url + "/item/" + strconv.Itoa(i))
				if err != nil {
					errs[k] = err
					return
				}
				var it struct {
					ID    int    `json:"id"`
					Title string `json:"title"`
				}
				err = json.NewDecoder(resp.Body).Decode(&it)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					errs[k] = fmt.Errorf("item %d: %v", i, err)
					return
				}
				if resp.StatusCode != 200 || it.ID != i {
					errs[k] = checkFailed("http_fetch: item %d: status %d, id %d", i, resp.StatusCode, it.ID)
					return
				}
				mu.Lock()
				sum += int64(it.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(t0), cpuTime()-cpu0
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := checkSum("http_fetch", sum, n); err != nil {
		return nil, err
	}
	return []metric{
		{"req_per_s", float64(n) / elapsed.Seconds(), "req/s"},
		{"client_cpu_us_per_req", float64(cpu.Microseconds()) / float64(n), "us"},
	}, nil
}

// netMain runs a network workload and returns the exit status.
func netMain(name string, args []string) int {
	port, url, n, conc, err := netFlags(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "goroutines: %s: %v\n", name, err)
		return exitCheck
	}
	switch name {
	case "echo_tcp":
		err = serveEcho(port)
	case "http_server":
		err = serveHTTP(port)
	case "http_fetch":
		var ms []metric
		if ms, err = httpFetch(url, n, max(1, conc)); err == nil {
			printMetrics(name, n, ms)
			return 0
		}
	}
	if ce, ok := err.(checkError); ok {
		fmt.Fprintf(os.Stderr, "CHECK FAILED [goroutines]: %s\n", ce)
		return exitCheck
	}
	fmt.Fprintf(os.Stderr, "goroutines: %s: %v\n", name, err)
	return 1
}
