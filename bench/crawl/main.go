// Command crawl compares aiocrawl (github.com/asyncgo/aio/crawl) with
// colly (github.com/gocolly/colly/v2, async) on the same generated site
// (crawl/demosite) served on 127.0.0.1 by a separate process, with the
// same limits: one host, the same number of requests in flight, robots.txt
// obeyed, no delay, no retries. Each crawler runs in a fresh process of its
// own, which reports pages/second, its peak RSS (VmHWM) and its CPU time.
//
//	go run . -pages 10000 -concurrency 64     # prints a Markdown table
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/crawl"
	"github.com/asyncgo/aio/crawl/demosite"
	"github.com/gocolly/colly/v2"
)

type report struct {
	Impl    string  `json:"impl"`
	Pages   int     `json:"pages"`
	Errors  int     `json:"errors"`
	Seconds float64 `json:"seconds"`
	RSSKB   int     `json:"peak_rss_kb"`
	CPU     float64 `json:"cpu_seconds"`
}

func main() {
	mode := flag.String("mode", "all", "all | serve | aio | colly")
	pages := flag.Int("pages", 10000, "pages of the generated site")
	minLat := flag.Duration("min-latency", 5*time.Millisecond, "least latency per page")
	maxLat := flag.Duration("max-latency", 50*time.Millisecond, "most latency per page")
	conc := flag.Int("concurrency", 64, "requests in flight (per host = total: one host)")
	url := flag.String("url", "", "site to crawl (aio and colly modes)")
	flag.Parse()
	switch *mode {
	case "serve":
		serve(*pages, *minLat, *maxLat)
	case "aio":
		emit(runAio(*url, *conc))
	case "colly":
		emit(runColly(*url, *conc))
	default:
		all(*pages, *minLat, *maxLat, *conc)
	}
}

// serve serves the site until stdin is closed, printing its URL first.
func serve(pages int, minLat, maxLat time.Duration) {
	site := demosite.New(demosite.Config{Pages: pages, BusyEvery: -1, Slow: maxLat, MinLatency: minLat, MaxLatency: maxLat})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = http.Serve(ln, site) }()
	fmt.Printf("http://%s/ %d\n", ln.Addr(), site.Fetchable())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

func all(pages int, minLat, maxLat time.Duration, conc int) {
	self, _ := os.Executable()
	srv := exec.Command(self, "-mode", "serve", "-pages", strconv.Itoa(pages),
		"-min-latency", minLat.String(), "-max-latency", maxLat.String())
	stdin, _ := srv.StdinPipe()
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		panic(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	var url string
	var want int
	fmt.Sscan(line, &url, &want)
	fmt.Fprintf(os.Stderr, "site %s: %d pages, %d URLs to fetch, latency %v–%v, %d in flight\n", url, pages, want, minLat, maxLat, conc)
	var rows []report
	for _, impl := range []string{"aio", "colly"} {
		out, err := exec.Command(self, "-mode", impl, "-url", url, "-concurrency", strconv.Itoa(conc)).Output()
		if err != nil {
			panic(fmt.Sprint(impl, ": ", err))
		}
		var r report
		if err := json.Unmarshal(out, &r); err != nil {
			panic(err)
		}
		rows = append(rows, r)
	}
	stdin.Close()
	_ = srv.Wait()
	fmt.Println("| crawler | URLs fetched | errors | wall time | pages/s | peak RSS | CPU time |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %d | %.2f s | %.0f | %.1f MiB | %.2f s |\n",
			r.Impl, r.Pages, r.Errors, r.Seconds, float64(r.Pages)/r.Seconds, float64(r.RSSKB)/1024, r.CPU)
	}
}

func runAio(url string, conc int) report {
	var st crawl.Stats
	start := time.Now()
	err := aio.Run(func(ctx *aio.Context) error {
		c := &crawl.Crawler{Workers: conc, PerHost: conc, MaxRetries: -1, MaxQueryVariants: -1}
		var err error
		st, err = c.Run(ctx, url)
		return err
	}, aio.WithThreadLimit(conc+4))
	if err != nil {
		panic(err)
	}
	return finish("aiocrawl (ThreadFetcher)", st.Pages+st.FetchErrors, st.Errors, time.Since(start))
}

func runColly(url string, conc int) report {
	c := colly.NewCollector(colly.Async(true), colly.AllowedDomains("127.0.0.1"))
	c.IgnoreRobotsTxt = false
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: conc}); err != nil {
		panic(err)
	}
	pages, errs := 0, 0
	var mu = make(chan struct{}, 1)
	count := func(err bool) {
		mu <- struct{}{}
		pages++
		if err {
			errs++
		}
		<-mu
	}
	c.OnHTML("a[href]", func(e *colly.HTMLElement) { _ = e.Request.Visit(e.Attr("href")) })
	c.OnResponse(func(*colly.Response) { count(false) })
	c.OnError(func(r *colly.Response, _ error) {
		if r.StatusCode != 0 {
			count(true)
		}
	})
	start := time.Now()
	if err := c.Visit(url); err != nil {
		panic(err)
	}
	c.Wait()
	return finish("colly v2 (async)", pages, errs, time.Since(start))
}

func finish(impl string, pages, errs int, d time.Duration) report {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return report{Impl: impl, Pages: pages, Errors: errs, Seconds: d.Seconds(), RSSKB: peakRSS(), CPU: cpu.Seconds()}
}

// peakRSS returns VmHWM from /proc/self/status, in KiB.
func peakRSS() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

func emit(r report) { _ = json.NewEncoder(os.Stdout).Encode(r) }
