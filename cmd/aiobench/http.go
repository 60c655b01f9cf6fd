package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// runHTTPServer is the http_server workload: an aiohttp.Server with a
// ServeMux route GET /hello on 127.0.0.1:port until SIGTERM.
func runHTTPServer(args []string, stderr io.Writer) int {
	f, ok := parseFlags(args, stderr)
	if !ok {
		return exitCheckFailed
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(stop)
	if err := serveHTTP(f.port, stop, nil); err != nil {
		fmt.Fprintf(stderr, "aiobench: http_server: %v\n", err)
		return exitError
	}
	return exitOK
}

var helloBody = []byte("Hello, World!")

func helloMux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		w.Write(helloBody)
	})
	return m
}

// serveHTTP serves until stop receives (or is closed); ready, if not nil,
// is called with the address once listening.
func serveHTTP[T any](port int, stop <-chan T, ready func(net.Addr)) error {
	return aio.Run(func(ctx *aio.Context) error {
		cancelOnStop(ctx, stop)
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return err
		}
		if ready != nil {
			ready(ln.Addr())
		}
		srv := &aiohttp.Server{Handler: helloMux()}
		err = srv.Serve(ctx, ln)
		srv.Close()
		if ctx.Err() != nil {
			return nil
		}
		return err
	})
}

// runHTTPFetch is the http_fetch workload: N GETs of {url}/item/{i}
// through one aiohttp.Client (Limit = concurrency) by C worker tasks.
func runHTTPFetch(args []string, stdout, stderr io.Writer) int {
	f, ok := parseFlags(args, stderr)
	if !ok {
		return exitCheckFailed
	}
	n, conc := f.n, f.concurrency
	if n <= 0 {
		n = 20000
	}
	if conc <= 0 {
		conc = 50
	}
	res, err := fetchItems(f.url, n, conc)
	if err != nil {
		if ce, ok := err.(*checkError); ok {
			fmt.Fprintf(stderr, "CHECK FAILED [%s]: http_fetch: %s\n", implName, ce.msg)
			return exitCheckFailed
		}
		fmt.Fprintf(stderr, "aiobench: http_fetch: %v\n", err)
		return exitError
	}
	enc := json.NewEncoder(stdout)
	for _, s := range res {
		enc.Encode(line{Impl: implName, Workload: "http_fetch", Metric: s.Metric, Value: s.Value, Unit: s.Unit, N: n, Gomaxprocs: 1})
	}
	return exitOK
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type fetchedItem struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

func fetchItems(base string, n, conc int) ([]sample, error) {
	var out []sample
	err := aio.Run(func(ctx *aio.Context) error {
		c := &aiohttp.Client{Limit: conc, MaxIdlePerHost: conc}
		defer c.CloseIdleConnections()
		next, sum := 0, 0
		var bad error
		cpu0 := cpuTime()
		t0 := time.Now()
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			for range conc {
				tg.Go(func(ctx *aio.Context) error {
					for next < n {
						i := next
						next++
						resp, err := c.Get(ctx, base+"/item/"+strconv.Itoa(i))
						if err != nil {
							return err
						}
						var it fetchedItem
						err = json.NewDecoder(resp.Body).Decode(&it)
						resp.Body.Close()
						if err != nil {
							return err
						}
						if resp.StatusCode != 200 || it.ID != i {
							bad = checkFailed("item %d: status %d, id %d", i, resp.StatusCode, it.ID)
							return bad
						}
						sum += it.ID
					}
					return nil
				})
			}
			return nil
		})
		elapsed := time.Since(t0)
		cpu := cpuTime() - cpu0
		if bad != nil {
			return bad
		}
		if err != nil {
			return err
		}
		if sum != n*(n-1)/2 {
			return checkFailed("sum %d, want %d", sum, n*(n-1)/2)
		}
		out = []sample{
			{"req_per_s", float64(n) / elapsed.Seconds(), "req/s"},
			{"client_cpu_us_per_req", float64(cpu.Microseconds()) / float64(n), "us"},
		}
		return nil
	})
	return out, err
}
