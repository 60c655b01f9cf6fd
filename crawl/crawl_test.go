package crawl_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiotest"
	"github.com/asyncgo/aio/crawl"
	"github.com/asyncgo/aio/crawl/demosite"
)

// TestDemoSiteCrawledOncePolitely crawls the generated site over a real
// 127.0.0.1 server: every fetchable URL exactly once (the busy pages
// twice: a 429 with Retry-After, then 200), nothing under /private/
// (robots.txt), the redirect followed into the seen set, the query
// variants merged, non-HTML files not parsed, and counters that match the
// JSON lines.
func TestDemoSiteCrawledOncePolitely(t *testing.T) {
	site := demosite.New(demosite.Config{Pages: 30, RetryAfter: time.Second, Slow: 20 * time.Millisecond})
	srv := httptest.NewServer(site)
	defer srv.Close()
	c := &crawl.Crawler{Workers: 6, PerHost: 4, BackoffBase: time.Millisecond}
	stats, results := crawlReal(t, c, srv.URL)
	m := byURL(t, results)

	if got, want := len(results), site.Fetchable(); got != want {
		t.Errorf("%d results, want %d", got, want)
	}
	for path, n := range site.Hits() {
		want := 1
		if strings.HasPrefix(path, "/busy/") {
			want = 2
		}
		if strings.HasPrefix(path, "/private/") {
			t.Errorf("%s fetched although robots.txt disallows it", path)
		}
		if n != want {
			t.Errorf("%s requested %d times, want %d", path, n, want)
		}
	}
	busy := m[srv.URL+"/busy/25"]
	if busy.Status != 200 || busy.Attempts != 2 || busy.ElapsedMS < 1000 {
		t.Errorf("busy page: status %d after %d attempts in %vms, want 200 after 2, ≥ 1s", busy.Status, busy.Attempts, busy.ElapsedMS)
	}
	if r := m[srv.URL+"/old"]; r.Status != 301 || r.Redirect != srv.URL+"/page/1" {
		t.Errorf("/old: %+v", r)
	}
	if r := m[srv.URL+"/files/report.pdf"]; r.Status != 200 || len(r.Links) != 0 {
		t.Errorf("pdf parsed for links: %+v", r)
	}
	if r := m[srv.URL+"/missing"]; r.Status != 404 || r.Error == "" {
		t.Errorf("/missing: %+v", r)
	}
	variants := 0
	for u := range m {
		if strings.Contains(u, "/catalog?") {
			variants++
		}
	}
	if variants != demosite.CatalogVariants {
		t.Errorf("%d catalog variants fetched, want %d", variants, demosite.CatalogVariants)
	}

	// The counters agree with the lines.
	var ok, redir, httpErr, fetchErr, withErr, notHTML int
	for _, r := range results {
		switch {
		case r.Status == 0:
			fetchErr++
		case r.Status < 300:
			ok++
			if !strings.HasPrefix(r.ContentType, "text/html") {
				notHTML++
			}
		case r.Status < 400:
			redir++
		default:
			httpErr++
		}
		if r.Error != "" {
			withErr++
		}
	}
	if stats.OK != ok || stats.Redirects != redir || stats.HTTPErrors != httpErr || stats.FetchErrors != fetchErr ||
		stats.Errors != withErr || stats.NotHTML != notHTML {
		t.Errorf("stats %+v disagree with the lines: ok %d redirects %d http %d fetch %d errors %d notHTML %d",
			stats, ok, redir, httpErr, fetchErr, withErr, notHTML)
	}
	if stats.Retries != 1 || stats.RobotsFiles != 1 || stats.Queued != 0 || stats.Disallowed == 0 {
		t.Errorf("stats %+v: want 1 retry, 1 robots.txt, nothing queued, some disallowed", stats)
	}
	if stats.Seen != len(results)+stats.Disallowed {
		t.Errorf("seen %d, want results %d + disallowed %d", stats.Seen, len(results), stats.Disallowed)
	}
}

// TestLinkLoopsAndQueryFloodStayBounded: pages that link to each other in
// a cycle are fetched once each, and a page with thousands of query-string
// variants (each linking to more) is cut at MaxQueryVariants; variants
// that differ only in parameter order or fragment are one URL.
func TestLinkLoopsAndQueryFloodStayBounded(t *testing.T) {
	srv, h := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			page(w, "root", "/a", "/item?x=1&y=2", "/item?y=2&x=1", "/item?x=1&y=2#frag")
		case "/a":
			page(w, "a", "/b", "/")
		case "/b":
			page(w, "b", "/a", "/", "/b")
		case "/item":
			id, _ := strconv.Atoi(r.URL.Query().Get("id"))
			var links []string
			for i := range 1000 {
				links = append(links, fmt.Sprintf("/item?id=%d&session=%d", id*1000+i+1, i))
			}
			page(w, "item", links...)
		default:
			http.NotFound(w, r)
		}
	})
	c := &crawl.Crawler{Workers: 4, PerHost: 4, MaxQueryVariants: 20}
	stats, results := crawlReal(t, c, srv.URL+"/")
	for _, p := range []string{"/", "/a", "/b", "/item?x=1&y=2"} {
		if n := h.get(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}
	items := 0
	for k := range h.snapshot() {
		if strings.HasPrefix(k, "/item") {
			items++
		}
	}
	if items != 20 {
		t.Errorf("%d /item variants fetched, want the cap, 20", items)
	}
	if len(results) != 23 || stats.Variants == 0 {
		t.Errorf("%d results (want 23), %d variants dropped (want > 0)", len(results), stats.Variants)
	}
}

// TestRobotsDisallowingHalfTheSite: nothing under the disallowed prefix is
// requested, everything else is; a group for our User-Agent wins over *.
func TestRobotsDisallowingHalfTheSite(t *testing.T) {
	srv, h := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /\n\nUser-agent: testbot\nDisallow: /b/\nAllow: /b/public\n"))
		case r.URL.Path == "/":
			var links []string
			for i := range 20 {
				links = append(links, fmt.Sprintf("/a/%d", i), fmt.Sprintf("/b/%d", i))
			}
			page(w, "root", append(links, "/b/public")...)
		default:
			page(w, r.URL.Path, "/")
		}
	})
	c := &crawl.Crawler{Workers: 4, PerHost: 4, UserAgent: "TestBot/2.0"}
	stats, results := crawlReal(t, c, srv.URL+"/")
	for k := range h.snapshot() {
		if strings.HasPrefix(k, "/b/") && k != "/b/public" {
			t.Errorf("%s fetched although disallowed", k)
		}
	}
	for i := range 20 {
		if n := h.get(fmt.Sprintf("/a/%d", i)); n != 1 {
			t.Errorf("/a/%d requested %d times", i, n)
		}
	}
	if h.get("/b/public") != 1 || stats.Disallowed != 20 || len(results) != 22 {
		t.Errorf("/b/public %d, disallowed %d (want 20), results %d (want 22)", h.get("/b/public"), stats.Disallowed, len(results))
	}
}

// TestRetryAfterHonouredOnVirtualClock: 429 with Retry-After in seconds and
// as an HTTP date, 503 without it (exponential backoff with jitter): each
// URL is retried no earlier than allowed and succeeds, and the origin of
// a 429 pauses as a whole (another page there waits too).
func TestRetryAfterHonouredOnVirtualClock(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var hs hits
		at := map[string][]time.Duration{}
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Host + r.URL.Path
			n := hs.add(&http.Request{URL: &url.URL{Path: key}})
			now := ctx.Loop().Time()
			at[key] = append(at[key], now.Sub(start))
			switch {
			case key == "a.test/":
				page(w, "root", "/secs", "/other", "http://b.test/date", "http://c.test/unavailable")
			case key == "a.test/secs" && n == 1:
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(429)
			case key == "b.test/date" && n == 1:
				w.Header().Set("Retry-After", now.Add(20*time.Second).UTC().Format(http.TimeFormat))
				w.WriteHeader(429)
			case key == "c.test/unavailable" && n <= 2:
				w.WriteHeader(503)
			default:
				page(w, key)
			}
		})
		c := &crawl.Crawler{
			Fetcher: &crawl.HandlerFetcher{Handler: handler, Latency: 10 * time.Millisecond},
			PerHost: 1, IgnoreRobots: true, BackoffBase: time.Second, BackoffMax: time.Minute, Seed: 1,
			AllowedDomains: []string{"test"},
		}
		got := map[string]*crawl.Result{}
		c.OnResult = func(_ *aio.Context, r *crawl.Result) error { got[strings.TrimPrefix(r.URL, "http://")] = r; return nil }
		stats, err := c.Run(ctx, "http://a.test/")
		if err != nil {
			return err
		}
		for _, p := range []string{"a.test/secs", "b.test/date", "c.test/unavailable", "a.test/other"} {
			if r := got[p]; r == nil || r.Status != 200 || r.Error != "" {
				t.Errorf("%s: %+v, want a 200 in the end", p, r)
			}
		}
		// Answered 429 at t; the retry waits 7s, then its turn after
		// /other (PerHost 1), then the latency.
		if s := at["a.test/secs"]; len(s) != 2 || s[1]-s[0] < 7*time.Second || s[1]-s[0] > 7*time.Second+20*time.Millisecond {
			t.Errorf("/secs answered at %v, want a retry answered 7s to 7.02s later", s)
		}
		if d := at["b.test/date"]; len(d) != 2 || d[1]-d[0] < 19*time.Second || d[1]-d[0] > 21*time.Second {
			t.Errorf("/date answered at %v, want a retry about 20s later (dates have whole seconds)", d)
		}
		if u := at["c.test/unavailable"]; len(u) != 3 || u[1]-u[0] < 500*time.Millisecond || u[2]-u[1] < time.Second {
			t.Errorf("/unavailable answered at %v, want exponential backoff (≥ 0.5s, then ≥ 1s)", u)
		}
		// a.test paused: /other waited for /secs' Retry-After.
		if o := at["a.test/other"]; len(o) != 1 || o[0] < at["a.test/secs"][0]+7*time.Second {
			t.Errorf("/other answered at %v, inside /secs' Retry-After window (from %v)", o, at["a.test/secs"][0])
		}
		if stats.Retries != 4 || got["a.test/secs"].Attempts != 2 || got["c.test/unavailable"].Attempts != 3 {
			t.Errorf("retries %d (want 4), attempts /secs %d /unavailable %d", stats.Retries, got["a.test/secs"].Attempts, got["c.test/unavailable"].Attempts)
		}
		return nil
	})
}

// TestDelayBetweenRequestsToOneHost on the virtual clock: with Delay, no two
// requests to an origin start closer than Delay, even with PerHost 4.
func TestDelayBetweenRequestsToOneHost(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		var starts []time.Time
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			starts = append(starts, ctx.Loop().Time())
			var links []string
			for i := range 10 {
				links = append(links, "/p"+strconv.Itoa(i))
			}
			page(w, "x", links...)
		})
		c := &crawl.Crawler{Fetcher: &crawl.HandlerFetcher{Handler: handler, Latency: time.Second}, PerHost: 4, Delay: 3 * time.Second}
		if _, err := c.Run(ctx, "http://site.test/"); err != nil {
			return err
		}
		if len(starts) != 12 { // robots.txt, /, p0..p9
			t.Errorf("%d requests, want 12", len(starts))
		}
		for i := 1; i < len(starts); i++ {
			if d := starts[i].Sub(starts[i-1]); d < 3*time.Second {
				t.Errorf("requests %d and %d started %v apart, want ≥ 3s", i-1, i, d)
			}
		}
		return nil
	})
}

// TestHangingPageTimesOut: a page that never answers is cut by the
// request timeout (an aio scope), the cancellation reaches the server's
// handler, the URL is recorded as an error after its retries, and the
// rest of the crawl goes on.
func TestHangingPageTimesOut(t *testing.T) {
	var aborted atomic.Int32
	srv, h := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			page(w, "root", "/hang", "/ok1", "/ok2")
		case "/hang":
			<-r.Context().Done()
			aborted.Add(1)
		default:
			page(w, "ok")
		}
	})
	c := &crawl.Crawler{Timeout: 150 * time.Millisecond, MaxRetries: 1, BackoffBase: time.Millisecond, PerHost: 4, IgnoreRobots: true}
	start := time.Now()
	stats, results := crawlReal(t, c, srv.URL+"/")
	m := byURL(t, results)
	r := m[srv.URL+"/hang"]
	if !strings.Contains(r.Error, "timeout") || r.Status != 0 || r.Attempts != 2 {
		t.Errorf("/hang: %+v, want a timeout error after 2 attempts", r)
	}
	if m[srv.URL+"/ok1"].Status != 200 || m[srv.URL+"/ok2"].Status != 200 || stats.FetchErrors != 1 {
		t.Errorf("the crawl did not go on: %+v", stats)
	}
	if h.get("/hang") != 2 {
		t.Errorf("/hang requested %d times, want 2", h.get("/hang"))
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("crawl took %v", el)
	}
	deadline := time.Now().Add(2 * time.Second)
	for aborted.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if aborted.Load() != 2 {
		t.Errorf("the server saw %d of 2 requests cancelled", aborted.Load())
	}
}

// TestRedirectLoopsAndChainsAreBounded: a redirect cycle fetches each URL
// once, an endless chain stops at MaxRedirects with an error, and a
// redirect off the origin is not followed.
func TestRedirectLoopsAndChainsAreBounded(t *testing.T) {
	srv, h := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			page(w, "root", "/r1", "/chain/0", "/away")
		case r.URL.Path == "/r1":
			http.Redirect(w, r, "/r2", http.StatusFound)
		case r.URL.Path == "/r2":
			http.Redirect(w, r, "/r1", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
			http.Redirect(w, r, "/chain/"+strconv.Itoa(n+1), http.StatusMovedPermanently)
		case r.URL.Path == "/away":
			http.Redirect(w, r, "http://127.0.0.2:1/", http.StatusFound)
		}
	})
	c := &crawl.Crawler{MaxRedirects: 5, IgnoreRobots: true}
	stats, results := crawlReal(t, c, srv.URL+"/")
	if h.get("/r1") != 1 || h.get("/r2") != 1 {
		t.Errorf("redirect cycle: r1 %d, r2 %d requests, want 1 each", h.get("/r1"), h.get("/r2"))
	}
	chain := 0
	for k := range h.snapshot() {
		if strings.HasPrefix(k, "/chain/") {
			chain++
		}
	}
	if chain != 6 {
		t.Errorf("%d chain hops fetched, want 6 (the first + 5 redirects)", chain)
	}
	m := byURL(t, results)
	if r := m[srv.URL+"/chain/5"]; r.Error != "too many redirects" {
		t.Errorf("/chain/5: %+v", r)
	}
	if stats.OffSite != 1 || len(results) != 1+2+6+1 {
		t.Errorf("off-site %d (want 1), %d results (want 10)", stats.OffSite, len(results))
	}
}

// TestInvalidUTF8AndContentTypes: a page with invalid UTF-8 (title and
// links) is parsed and its line is valid JSON; links inside text/plain,
// JSON, an image and an untyped binary are not followed; an untyped HTML
// body is sniffed and followed.
func TestInvalidUTF8AndContentTypes(t *testing.T) {
	srv, h := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<html><head><title>bad \xff\xfe title</title></head><body>" +
				`<a href="/caf` + "\xe9" + `">latin1</a><a href="/text">t</a><a href="/json">j</a>` +
				`<a href="/img">i</a><a href="/sniffed">s</a><a href="mailto:x@y">m</a><a href="javascript:go()">j</a></body>`))
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(`<a href="/never1">x</a>`))
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"a":"<a href=\"/never2\">"}`))
		case "/img":
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte("\x89PNG\r\n\x1a\n<a href=\"/never3\">"))
		case "/sniffed":
			w.Header()["Content-Type"] = nil // no header: sniffed
			w.Write([]byte(`<!DOCTYPE html><html><a href="/fromsniffed">x</a></html>`))
		default:
			page(w, "ok")
		}
	})
	c := &crawl.Crawler{IgnoreRobots: true}
	stats, results := crawlReal(t, c, srv.URL+"/")
	m := byURL(t, results)
	root := m[srv.URL+"/"]
	if root.Title != "bad \ufffd title" {
		t.Errorf("title %q", root.Title)
	}
	if h.get("/caf\xe9") != 1 && h.get("/caf%E9") != 1 && h.get("/caf\ufffd") != 1 {
		t.Errorf("the invalid-UTF-8 link was not followed: %v", h.snapshot())
	}
	for _, p := range []string{"/never1", "/never2", "/never3"} {
		if h.get(p) != 0 {
			t.Errorf("%s followed from a non-HTML body", p)
		}
	}
	if h.get("/fromsniffed") != 1 {
		t.Errorf("links of a sniffed HTML body not followed")
	}
	if stats.NotHTML != 3 {
		t.Errorf("NotHTML %d, want 3", stats.NotHTML)
	}
}

// TestDepthLimit: MaxDepth n fetches n hops and counts the next ones; a
// negative MaxDepth fetches the start URLs only.
func TestDepthLimit(t *testing.T) {
	srv, h := server(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/d/"))
		page(w, "d", "/d/"+strconv.Itoa(n+1))
	})
	stats, results := crawlReal(t, &crawl.Crawler{MaxDepth: 3, IgnoreRobots: true}, srv.URL+"/d/0")
	if len(results) != 4 || h.get("/d/4") != 0 || stats.TooDeep != 1 {
		t.Errorf("%d results (want 4), /d/4 requested %d times, TooDeep %d", len(results), h.get("/d/4"), stats.TooDeep)
	}
	for _, r := range results {
		if want := "/d/" + strconv.Itoa(r.Depth); !strings.HasSuffix(r.URL, want) {
			t.Errorf("%s at depth %d", r.URL, r.Depth)
		}
	}
	_, results = crawlReal(t, &crawl.Crawler{MaxDepth: -1, IgnoreRobots: true}, srv.URL+"/d/0")
	if len(results) != 1 {
		t.Errorf("MaxDepth -1: %d results, want 1", len(results))
	}
}

// TestSameOriginByDefaultOrAllowedDomains: two servers are two origins
// (same host, other port); by default the second is never contacted, with
// AllowedDomains naming the host it is.
func TestSameOriginByDefaultOrAllowedDomains(t *testing.T) {
	other, oh := server(t, func(w http.ResponseWriter, r *http.Request) { page(w, "other") })
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			page(w, "root", "/mine", other.URL+"/theirs")
			return
		}
		page(w, "mine")
	})
	stats, results := crawlReal(t, &crawl.Crawler{IgnoreRobots: true}, srv.URL+"/")
	if len(oh.snapshot()) != 0 || stats.OffSite != 1 || len(results) != 2 {
		t.Errorf("same origin: other server got %v, off-site %d, %d results", oh.snapshot(), stats.OffSite, len(results))
	}
	_, results = crawlReal(t, &crawl.Crawler{IgnoreRobots: true, AllowedDomains: []string{"127.0.0.1"}}, srv.URL+"/")
	if oh.get("/theirs") != 1 || len(results) != 3 {
		t.Errorf("allowed domain: other server got %v, %d results", oh.snapshot(), len(results))
	}
}

// TestPerHostConcurrencyNeverExceeded instruments the server: with 12
// workers and PerHost 3, at most (and, under load, exactly) 3 requests
// are in flight at once.
func TestPerHostConcurrencyNeverExceeded(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		var links []string
		for i := range 60 {
			links = append(links, "/p/"+strconv.Itoa(i))
		}
		page(w, "p", links...)
	})
	_, results := crawlReal(t, &crawl.Crawler{Workers: 12, PerHost: 3}, srv.URL+"/")
	if len(results) != 61 {
		t.Errorf("%d results, want 61", len(results))
	}
	if p := peak.Load(); p != 3 {
		t.Errorf("peak concurrency per host %d, want 3", p)
	}
}

// TestLoopKeepsTickingDuringCrawl: a ticker task on the same loop keeps
// ticking while the crawler works: fetches, body reads and output writes
// are on the pool, parsing is short. The site has a 400ms page, so one
// fetch blocking the loop would show as a gap of 400ms or more; the bound
// leaves room for a loaded CI machine's scheduling.
func TestLoopKeepsTickingDuringCrawl(t *testing.T) {
	site := demosite.New(demosite.Config{Pages: 150, RetryAfter: time.Second, Slow: 400 * time.Millisecond, MinLatency: time.Millisecond, MaxLatency: 3 * time.Millisecond})
	srv := httptest.NewServer(site)
	defer srv.Close()
	var out strings.Builder
	var maxGap, took time.Duration
	ticks := 0
	start := time.Now()
	err := aio.Run(func(ctx *aio.Context) error {
		ticker := aio.Go(ctx, func(ctx *aio.Context) error {
			last := time.Now()
			for {
				if err := aio.Sleep(ctx, 2*time.Millisecond); err != nil {
					return err
				}
				now := time.Now()
				maxGap = max(maxGap, now.Sub(last))
				last = now
				ticks++
			}
		})
		c := &crawl.Crawler{Workers: 8, PerHost: 8, Output: &out}
		_, err := c.Run(ctx, srv.URL+"/")
		took = time.Since(start)
		ticker.Cancel()
		_, _ = aio.GatherSettled(ctx, ticker)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if expected := int(took / (2 * time.Millisecond)); ticks < expected/4 || maxGap >= 300*time.Millisecond {
		t.Errorf("%d ticks in %v (period 2ms), longest gap %v: the loop stalled", ticks, took, maxGap)
	}
}

// TestCancelStopsPromptlyAndFlushes cancels a crawl midway (what Ctrl-C
// does to main): Run returns at once with the cancellation, and every
// result counted is in the output.
func TestCancelStopsPromptlyAndFlushes(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		select {
		case <-time.After(20 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		page(w, "p", "/p/"+strconv.Itoa(2*n+1), "/p/"+strconv.Itoa(2*n+2))
	})
	var out strings.Builder
	var stats crawl.Stats
	var runErr error
	var stoppedIn time.Duration
	err := aio.Run(func(ctx *aio.Context) error {
		c := &crawl.Crawler{Workers: 4, PerHost: 4, Output: &out, IgnoreRobots: true}
		seen := 0
		crawlTask := aio.Go(ctx, func(ctx *aio.Context) error {
			stats, runErr = c.Run(ctx, srv.URL+"/p/0")
			return nil
		})
		c.OnResult = func(*aio.Context, *crawl.Result) error {
			if seen++; seen == 15 {
				crawlTask.Cancel("interrupted (test)")
			}
			return nil
		}
		start := time.Now()
		_ = aio.Sleep(ctx, 0)
		_, err := crawlTask.Await(ctx)
		stoppedIn = time.Since(start)
		return err
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if !errors.Is(runErr, context.Canceled) {
		t.Errorf("Run returned %v, want the cancellation", runErr)
	}
	lines := parseLines(t, []byte(out.String()))
	if len(lines) != stats.Pages+stats.FetchErrors || len(lines) < 15 {
		t.Errorf("%d lines written, stats count %d (want equal, ≥ 15)", len(lines), stats.Pages+stats.FetchErrors)
	}
	if stoppedIn > 3*time.Second {
		t.Errorf("the crawl took %v", stoppedIn)
	}
	if stats.Queued == 0 {
		t.Errorf("nothing left queued: the crawl finished instead of stopping")
	}
}

// TestBoundsFrontierAndBody: a full frontier drops and counts; a body
// over MaxBody is cut and flagged; MaxPages stops the crawl.
func TestBoundsFrontierAndBody(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			var links []string
			for i := range 50 {
				links = append(links, "/p/"+strconv.Itoa(i))
			}
			page(w, "root", links...)
			return
		}
		page(w, strings.Repeat("x", 5000))
	})
	stats, results := crawlReal(t, &crawl.Crawler{MaxQueued: 5, MaxBody: 2000, IgnoreRobots: true}, srv.URL+"/")
	if len(results) != 6 || stats.Dropped != 45 {
		t.Errorf("%d results (want 6), %d dropped (want 45)", len(results), stats.Dropped)
	}
	for _, r := range results[1:] {
		if !r.Truncated || r.Bytes != 2000 {
			t.Errorf("%s: truncated %v, %d bytes", r.URL, r.Truncated, r.Bytes)
		}
	}
	if stats.Truncated != 5 {
		t.Errorf("Truncated %d, want 5", stats.Truncated)
	}
	_, results = crawlReal(t, &crawl.Crawler{MaxPages: 7, IgnoreRobots: true}, srv.URL+"/")
	if len(results) != 7 {
		t.Errorf("MaxPages 7: %d results", len(results))
	}
}

// countingSeen is a SeenSet that counts calls: the crawler uses the one
// it is given.
type countingSeen struct {
	*crawl.MemorySeenSet
	adds int
}

func (s *countingSeen) Add(ctx *aio.Context, k string) (bool, error) {
	s.adds++
	return s.MemorySeenSet.Add(ctx, k)
}

// TestPluggableFrontierAndSeenSet: custom implementations are used.
func TestPluggableFrontierAndSeenSet(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		site := demosite.New(demosite.Config{Pages: 20})
		seen := &countingSeen{MemorySeenSet: crawl.NewMemorySeenSet()}
		front := &crawl.MemoryFrontier{Max: 1000}
		c := &crawl.Crawler{Fetcher: &crawl.HandlerFetcher{Handler: site}, Seen: seen, Frontier: front}
		stats, err := c.Run(ctx, "http://demo.test/")
		if err != nil {
			return err
		}
		if seen.adds == 0 || stats.Seen != seen.Len() || stats.Pages+stats.FetchErrors != site.Fetchable() {
			t.Errorf("adds %d, seen %d/%d, fetched %d of %d", seen.adds, stats.Seen, seen.Len(), stats.Pages+stats.FetchErrors, site.Fetchable())
		}
		return nil
	})
}

// TestPausedOriginDoesNotHoldTheWorkers on the virtual clock: one origin
// answers 429 with Retry-After: 60 and has many URLs queued ahead of
// another origin's; the other origin is crawled at once, not after the
// pause, and with Delay two origins are crawled side by side.
func TestPausedOriginDoesNotHoldTheWorkers(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		answered := map[string]time.Duration{}
		first := true
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Host + r.URL.Path
			switch {
			case key == "a.test/":
				var links []string
				for i := range 30 {
					links = append(links, fmt.Sprintf("/p%d", i))
				}
				for i := range 10 {
					links = append(links, fmt.Sprintf("http://b.test/q%d", i))
				}
				page(w, "root", links...)
			case strings.HasPrefix(key, "a.test/p") && first:
				first = false
				w.Header().Set("Retry-After", "60")
				w.WriteHeader(429)
				return
			default:
				page(w, key)
			}
			answered[key] = ctx.Loop().Time().Sub(start)
		})
		c := &crawl.Crawler{
			Fetcher: &crawl.HandlerFetcher{Handler: handler, Latency: 10 * time.Millisecond},
			Workers: 4, PerHost: 2, IgnoreRobots: true, AllowedDomains: []string{"test"},
		}
		stats, err := c.Run(ctx, "http://a.test/")
		if err != nil {
			return err
		}
		if stats.OK != 41 || stats.Retries != 1 {
			t.Errorf("stats %+v, want 41 ok and 1 retry", stats)
		}
		for i := range 10 {
			if at := answered[fmt.Sprintf("b.test/q%d", i)]; at > time.Second {
				t.Errorf("b.test/q%d answered at %v: it waited for a.test's pause", i, at)
			}
		}
		// Only the request that was in flight beside the 429 (PerHost 2)
		// is answered inside the pause.
		early := 0
		for i := range 30 {
			if at := answered[fmt.Sprintf("a.test/p%d", i)]; at < 60*time.Second {
				early++
			}
		}
		if early != 1 {
			t.Errorf("%d a.test pages answered inside the origin's 60s pause, want 1 (%v)", early, answered)
		}
		return nil
	})
	aiotest.Run(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		starts := map[string][]time.Duration{}
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			starts[r.Host] = append(starts[r.Host], ctx.Loop().Time().Sub(start))
			if r.URL.Path == "/" && r.Host == "a.test" {
				var links []string
				for i := range 5 {
					links = append(links, fmt.Sprintf("/p%d", i), fmt.Sprintf("http://b.test/q%d", i))
				}
				page(w, "root", links...)
				return
			}
			page(w, "x")
		})
		c := &crawl.Crawler{
			Fetcher: &crawl.HandlerFetcher{Handler: handler},
			Workers: 2, PerHost: 1, Delay: time.Second, IgnoreRobots: true, AllowedDomains: []string{"test"},
		}
		stats, err := c.Run(ctx, "http://a.test/")
		if err != nil {
			return err
		}
		for host, ts := range starts {
			for i := 1; i < len(ts); i++ {
				if ts[i]-ts[i-1] < time.Second {
					t.Errorf("%s: requests %v apart, want ≥ Delay", host, ts[i]-ts[i-1])
				}
			}
		}
		// a.test: 6 requests 1s apart; b.test in parallel: about 5s, not 11s.
		if stats.OK != 11 || stats.Elapsed > 6*time.Second {
			t.Errorf("%d ok in %v, want 11 in ≤ 6s (origins side by side)", stats.OK, stats.Elapsed)
		}
		return nil
	})
}

// failingWriter fails every write; the first one closes failed.
type failingWriter struct {
	writes int
	failed chan struct{}
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.writes++; w.writes == 1 {
		close(w.failed)
	}
	return 0, errors.New("disk full")
}

// TestOnResultAndOutputErrorsStopTheCrawl: an OnResult error stops the
// crawl and is returned; so does a failing Output (a closed pipe), and
// the workers do not block on the writer meanwhile.
func TestOnResultAndOutputErrorsStopTheCrawl(t *testing.T) {
	site := demosite.New(demosite.Config{Pages: 50})
	aiotest.Run(t, func(ctx *aio.Context) error {
		stop := errors.New("enough")
		n := 0
		c := &crawl.Crawler{Fetcher: &crawl.HandlerFetcher{Handler: site}, OnResult: func(*aio.Context, *crawl.Result) error {
			if n++; n == 5 {
				return stop
			}
			return nil
		}}
		stats, err := c.Run(ctx, "http://demo.test/")
		if !errors.Is(err, stop) || n != 5 || stats.Pages+stats.FetchErrors >= site.Fetchable() {
			t.Errorf("Run = %v after %d results (%d fetched), want the OnResult error after 5", err, n, stats.Pages+stats.FetchErrors)
		}
		return nil
	})
	aiotest.Run(t, func(ctx *aio.Context) error {
		// Past its first pages the crawl waits until the write has failed,
		// so it cannot finish before the writer (a thread) reports.
		big := demosite.New(demosite.Config{Pages: 2000})
		w := &failingWriter{failed: make(chan struct{})}
		inner := &crawl.HandlerFetcher{Handler: big}
		fetched := 0
		gated := crawl.FetcherFunc(func(ctx *aio.Context, req *http.Request) (*http.Response, error) {
			if fetched++; fetched > 10 {
				if _, _, err := aio.Recv(ctx, w.failed); err != nil {
					return nil, err
				}
			}
			return inner.Fetch(ctx, req)
		})
		c := &crawl.Crawler{Fetcher: gated, Output: w}
		stats, err := c.Run(ctx, "http://demo.test/")
		if err == nil || !strings.Contains(err.Error(), "disk full") || w.writes != 1 {
			t.Errorf("Run = %v with %d writes, want the write error after 1 write", err, w.writes)
		}
		t.Logf("%d of %d URLs fetched when the crawl stopped", stats.Pages+stats.FetchErrors, big.Fetchable())
		if stats.Pages+stats.FetchErrors >= big.Fetchable() {
			t.Errorf("the crawl went on to the end (%d URLs) after the write error", stats.Pages+stats.FetchErrors)
		}
		return nil
	})
}
