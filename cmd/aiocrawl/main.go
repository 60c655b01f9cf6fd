// Command aiocrawl crawls web sites politely on one aio event loop and
// writes one JSON line per URL.
//
//	aiocrawl [flags] URL...
//	aiocrawl -demo            # crawl a generated local site, offline
//
// It stays on the start URLs' origins (or -domains), obeys robots.txt,
// limits requests per host, backs off on 429/503 (Retry-After), retries
// transient errors, and prints a summary on stderr. A live progress line
// is shown when stderr is a terminal. Ctrl-C stops the crawl promptly and
// still writes every result recorded so far.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/crawl"
	"github.com/asyncgo/aio/crawl/demosite"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// proxyFunc turns the -proxy flag into the crawler's proxy function: the
// environment's proxies by default (as curl and wget use them), none for
// "direct", else the given http:// proxy.
func proxyFunc(flag string) (func(*http.Request) (*url.URL, error), error) {
	switch flag {
	case "":
		return http.ProxyFromEnvironment, nil
	case "direct":
		return nil, nil
	}
	u, err := url.Parse(flag)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("-proxy %q: want an http://host:port URL or \"direct\"", flag)
	}
	return http.ProxyURL(u), nil
}

// run is the program: it parses args, crawls, and returns the exit status
// (0 done, 1 failed, 2 bad usage, 130 interrupted).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aiocrawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out        = fs.String("o", "", "write JSON lines to this file instead of stdout")
		depth      = fs.Int("depth", 3, "follow links up to this many hops from the start URLs (0: no limit, -1: start URLs only)")
		domains    = fs.String("domains", "", "comma-separated domains to stay in (with subdomains); default: the start URLs' origins")
		workers    = fs.Int("workers", 16, "requests in flight overall (worker tasks)")
		perHost    = fs.Int("per-host", 2, "requests in flight per host")
		delay      = fs.Duration("delay", 100*time.Millisecond, "least time between request starts to one host")
		timeout    = fs.Duration("timeout", 15*time.Second, "timeout per request, body included")
		retries    = fs.Int("retries", 3, "retries after transient errors, 429 and 5xx (-1: none)")
		maxBody    = fs.Int64("max-body", 5<<20, "most body bytes read per response (longer ones are truncated)")
		maxQueue   = fs.Int("max-queue", crawl.DefaultMaxQueued, "most URLs waiting in the frontier (more are dropped and counted)")
		maxPages   = fs.Int("max-pages", 0, "stop after this many URLs (0: no limit)")
		variants   = fs.Int("max-variants", 100, "most distinct query strings per path (-1: no cap)")
		agent      = fs.String("user-agent", crawl.DefaultUserAgent, "User-Agent header, also matched against robots.txt")
		noRobots   = fs.Bool("ignore-robots", false, "do not fetch or obey robots.txt")
		proxyFlag  = fs.String("proxy", "", "send requests through this http:// proxy (\"direct\": none; default: $HTTP_PROXY, $HTTPS_PROXY and $NO_PROXY)")
		progress   = fs.Bool("progress", true, "show a live progress line when stderr is a terminal")
		demo       = fs.Bool("demo", false, "serve a generated site on 127.0.0.1 and crawl it (no URLs needed)")
		serveDemo  = fs.Bool("serve-demo", false, "same as -demo")
		demoPages  = fs.Int("demo-pages", 200, "pages of the -demo site")
		demoLatent = fs.Duration("demo-latency", 5*time.Millisecond, "latency of each -demo answer")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: aiocrawl [flags] URL...\n       aiocrawl -demo\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	seeds := fs.Args()
	if *demo || *serveDemo {
		// Two busy pages: each 429 pauses the whole (only) origin for a
		// second or two, which is the point, but a demo should not crawl.
		site := demosite.New(demosite.Config{Pages: *demoPages, BusyEvery: max(25, *demoPages/2),
			MinLatency: *demoLatent, MaxLatency: 2 * *demoLatent})
		srv, base, err := serve(site)
		if err != nil {
			fmt.Fprintln(stderr, "aiocrawl: demo site:", err)
			return 1
		}
		defer srv.Close()
		fmt.Fprintf(stderr, "demo site: %s (%d pages, %d URLs to fetch; robots.txt disallows /private/)\n", base, site.Pages(), site.Fetchable())
		seeds = append(seeds, base+"/")
		// A local site needs no politeness delay unless asked for.
		if !set["delay"] {
			*delay = 0
		}
		if !set["per-host"] {
			*perHost = 8
		}
		if !set["depth"] {
			*depth = 0
		}
	}
	if len(seeds) == 0 {
		fs.Usage()
		return 2
	}
	proxy, err := proxyFunc(*proxyFlag)
	if err != nil {
		fmt.Fprintln(stderr, "aiocrawl:", err)
		return 2
	}

	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(stderr, "aiocrawl:", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	c := &crawl.Crawler{
		MaxDepth:         *depth,
		MaxPages:         *maxPages,
		UserAgent:        *agent,
		IgnoreRobots:     *noRobots,
		Workers:          *workers,
		PerHost:          *perHost,
		Delay:            *delay,
		Timeout:          *timeout,
		MaxRetries:       *retries,
		MaxBody:          *maxBody,
		MaxQueued:        *maxQueue,
		MaxQueryVariants: *variants,
		Proxy:            proxy,
		Output:           w,
	}
	if *domains != "" {
		for _, d := range strings.Split(*domains, ",") {
			if d = strings.TrimSpace(d); d != "" {
				c.AllowedDomains = append(c.AllowedDomains, d)
			}
		}
	}
	showBar := *progress && isTerminal(stderr)

	var stats crawl.Stats
	err = aio.Run(func(ctx *aio.Context) error {
		var bar *aio.Task[struct{}]
		if showBar {
			bar = aio.Go(ctx, func(ctx *aio.Context) error { return showProgress(ctx, c, stderr) })
		}
		var err error
		stats, err = c.Run(ctx, seeds...)
		if bar != nil {
			bar.Cancel()
			_, _ = aio.GatherSettled(aio.WithoutCancel(ctx), bar)
		}
		return err
	}, aio.WithThreadLimit(max(*workers+2, 8)))
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	interrupted := errors.Is(err, context.Canceled)
	if interrupted {
		fmt.Fprintln(stderr, "interrupted: stopped the crawl; the results so far are written")
	}
	_ = stats.WriteSummary(stderr)
	switch {
	case interrupted:
		return 130
	case err != nil:
		fmt.Fprintln(stderr, "aiocrawl:", err)
		return 1
	}
	return 0
}

// serve starts site on a free port of 127.0.0.1.
func serve(site http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// showProgress redraws a progress line from the crawler's counters every
// 200ms until cancelled. It reads the counters on the loop and draws on a
// pool worker, so a slow terminal never stalls the loop.
func showProgress(ctx *aio.Context, c *crawl.Crawler, w io.Writer) error {
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("crawling"),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	defer func() {
		_, _ = aio.ToThread(aio.WithoutCancel(ctx), func(context.Context) (struct{}, error) {
			return struct{}{}, bar.Finish()
		})
	}()
	for {
		s := c.Stats()
		desc := fmt.Sprintf("%d done, %d queued, %d errors, %.1f/s", s.Pages+s.FetchErrors, s.Queued, s.Errors, s.Rate())
		done := s.Pages + s.FetchErrors
		if _, err := aio.ToThread(ctx, func(context.Context) (struct{}, error) {
			bar.Describe(desc)
			return struct{}{}, bar.Set(done)
		}); err != nil {
			return err
		}
		if err := aio.Sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}
