// Package demosite generates a deterministic web site for trying and
// testing the crawler offline: N linked pages (with link loops), a
// robots.txt that disallows /private/, pages that answer 429 with
// Retry-After before they succeed, a slow page, query-string variants of
// one catalog page, non-HTML files, a redirect, a broken link, and links
// a crawler must skip (mailto:, javascript:, another site).
//
// Serve it with net/http (a *Site is an http.Handler), or in-process with
// crawl.HandlerFetcher on a virtual clock: when the request's context is an
// aio scope (aio.ContextOf), waits are aio.Sleep, so they do not block the
// loop.
package demosite

import (
	"context"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asyncgo/aio"
)

// Config shapes a Site; the zero value is a 100-page site. A plain value.
type Config struct {
	// Pages is the number of /page/N pages (default 100).
	Pages int
	// RetryAfter is what the busy pages (/busy/N, one per BusyEvery
	// pages) ask for in their first answer, a 429; rounded up to whole
	// seconds, at least 1s. Even N send seconds, odd N an HTTP date.
	RetryAfter time.Duration
	// BusyEvery is how many pages there are per busy page (default 25;
	// negative: no busy pages, for benchmarks).
	BusyEvery int
	// Slow is how long /slow takes (default 300ms).
	Slow time.Duration
	// MinLatency and MaxLatency add a per-path latency to every answer,
	// a fixed value in [MinLatency, MaxLatency] derived from the path
	// (default none): a realistic site for benchmarks.
	MinLatency, MaxLatency time.Duration
}

// CatalogVariants (a constant, usable anywhere) is the number of distinct catalog URLs with a query
// (5 pages × 2 sort orders); their links also spell each one with its
// parameters in the other order, which normalisation must merge.
const CatalogVariants = 10

// Site is the generated site. Its methods are safe for concurrent use from
// any goroutine (the server's handlers, a test reading Hits). ServeHTTP
// does not block the loop when called with an aio scope as the request's
// context (crawl.HandlerFetcher); it blocks its goroutine otherwise.
type Site struct {
	cfg  Config
	mu   sync.Mutex
	hits map[string]int // request path (with query) -> requests
}

// New returns a site for cfg. Any goroutine.
func New(cfg Config) *Site {
	if cfg.Pages <= 0 {
		cfg.Pages = 100
	}
	if cfg.BusyEvery == 0 {
		cfg.BusyEvery = 25
	}
	if cfg.Slow <= 0 {
		cfg.Slow = 300 * time.Millisecond
	}
	return &Site{cfg: cfg, hits: map[string]int{}}
}

// Pages returns the number of /page/N pages.
func (s *Site) Pages() int { return s.cfg.Pages }

// BusyPages returns the paths that answer 429 first.
func (s *Site) BusyPages() []string {
	var out []string
	if s.cfg.BusyEvery < 0 {
		return nil
	}
	for i := s.cfg.BusyEvery; i <= s.cfg.Pages; i += s.cfg.BusyEvery {
		out = append(out, "/busy/"+strconv.Itoa(i))
	}
	return out
}

// Fetchable returns the number of distinct URLs a complete crawl from "/"
// that obeys robots.txt fetches (robots.txt itself not included): the
// index, the pages, the busy pages, the catalog and its variants, two
// files, /slow, /old (a redirect) and /missing (a 404).
func (s *Site) Fetchable() int {
	return 1 + s.cfg.Pages + len(s.BusyPages()) + 1 + CatalogVariants + 2 + 3
}

// Hits returns how many requests each path (with its raw query) received.
func (s *Site) Hits() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

func (s *Site) hit(r *http.Request) int {
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[key]++
	return s.hits[key]
}

// wait sleeps d in the request's aio scope if it has one, else on a timer;
// it reports false if the request was cancelled.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if c, ok := aio.ContextOf(r.Context()); ok {
		return aio.Sleep(c, d) == nil
	}
	return sleepCtx(r.Context(), d)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// now is the clock of the request: the loop's for aio scopes.
func now(r *http.Request) time.Time {
	if c, ok := aio.ContextOf(r.Context()); ok {
		return c.Loop().Time()
	}
	return time.Now()
}

func (s *Site) latency(path string) time.Duration {
	lo, hi := s.cfg.MinLatency, s.cfg.MaxLatency
	if hi <= lo {
		return lo
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	return lo + time.Duration(h.Sum64()%uint64(hi-lo+1))
}

// ServeHTTP serves the site.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.hit(r)
	if !wait(r, s.latency(r.URL.Path)) {
		return
	}
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n\nSitemap: /sitemap.xml\n")
	case p == "/":
		s.index(w)
	case strings.HasPrefix(p, "/page/"):
		i, err := strconv.Atoi(strings.TrimPrefix(p, "/page/"))
		if err != nil || i < 1 || i > s.cfg.Pages {
			http.NotFound(w, r)
			return
		}
		s.page(w, i)
	case strings.HasPrefix(p, "/busy/"):
		i, _ := strconv.Atoi(strings.TrimPrefix(p, "/busy/"))
		if n == 1 {
			secs := int((s.cfg.RetryAfter + time.Second - 1) / time.Second)
			secs = max(secs, 1)
			if i%2 == 0 {
				w.Header().Set("Retry-After", strconv.Itoa(secs))
			} else {
				// An HTTP date one second later than needed: dates have
				// whole seconds.
				at := now(r).Add(time.Duration(secs+1) * time.Second).UTC()
				w.Header().Set("Retry-After", at.Format(http.TimeFormat))
			}
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		writePage(w, "Busy page "+strconv.Itoa(i), "Served after a 429.", []string{"/page/" + strconv.Itoa(i)})
	case strings.HasPrefix(p, "/private/"):
		writePage(w, "Private", "robots.txt disallows this.", []string{"/private/deeper"})
	case p == "/slow":
		if !wait(r, s.cfg.Slow) {
			return
		}
		writePage(w, "Slow page", "This took a while.", []string{"/"})
	case p == "/catalog":
		s.catalog(w, r)
	case p == "/files/data.csv":
		w.Header().Set("Content-Type", "text/csv")
		fmt.Fprint(w, "id,name\n1,<a href=\"/private/csv\">not a link</a>\n")
	case p == "/files/report.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF-1.4\n% <a href=\"/private/pdf\">\n%%EOF\n")
	case p == "/old":
		http.Redirect(w, r, "/page/1", http.StatusMovedPermanently)
	default:
		http.NotFound(w, r)
	}
}

func (s *Site) index(w http.ResponseWriter) {
	links := []string{}
	for i := 1; i <= min(10, s.cfg.Pages); i++ {
		links = append(links, "/page/"+strconv.Itoa(i))
	}
	links = append(links, s.BusyPages()...)
	links = append(links,
		"/catalog", "/catalog?sort=name&page=0", "/files/data.csv", "/files/report.pdf",
		"/private/", "/slow", "/old", "/missing", "/page/1#top",
		"mailto:owner@example.invalid", "javascript:void(0)", "http://offsite.invalid/")
	writePage(w, "Demo site", "A generated site for aiocrawl.", links)
}

func (s *Site) page(w http.ResponseWriter, i int) {
	n := s.cfg.Pages
	next := func(k int) string { return "/page/" + strconv.Itoa((k%n+n)%n+1) }
	links := []string{
		"/", next(i), next(i * 2), next(i*3 + 1),
		"../page/" + strconv.Itoa(i), // itself, relative
		"/page/" + strconv.Itoa(i) + "?",
	}
	if i%10 == 0 {
		links = append(links, "/private/"+strconv.Itoa(i))
	}
	if i%7 == 0 {
		links = append(links, fmt.Sprintf("/catalog?page=%d&sort=price", i%5))
	}
	writePage(w, "Page "+strconv.Itoa(i), fmt.Sprintf("Page %d of %d.", i, n), links)
}

// catalog serves /catalog?page=P&sort=S, linking to neighbouring variants
// spelled with the parameters in both orders.
func (s *Site) catalog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = min(max(pg, 0), 4)
	sort := q.Get("sort")
	if sort != "price" {
		sort = "name"
	}
	var links []string
	for _, d := range []int{-1, 1} {
		if k := pg + d; k >= 0 && k <= 4 {
			links = append(links, fmt.Sprintf("/catalog?page=%d&sort=%s", k, sort))
			links = append(links, fmt.Sprintf("/catalog?sort=%s&page=%d", sort, k))
		}
	}
	other := map[string]string{"name": "price", "price": "name"}[sort]
	links = append(links, fmt.Sprintf("/catalog?sort=%s&page=%d", other, pg), "/")
	writePage(w, fmt.Sprintf("Catalog page %d by %s", pg, sort), "Query-string variants.", links)
}

func writePage(w http.ResponseWriter, title, text string, links []string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html>\n<html><head><title>%s</title></head><body>\n<h1>%s</h1><p>%s</p>\n<ul>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
	for _, l := range links {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(l), html.EscapeString(l))
	}
	b.WriteString("</ul></body></html>\n")
	fmt.Fprint(w, b.String())
}
