// Package crawl is a polite web crawler on one aio event loop.
//
//	err := aio.Run(func(ctx *aio.Context) error {
//		c := &crawl.Crawler{PerHost: 2, Delay: 100 * time.Millisecond, Output: os.Stdout}
//		stats, err := c.Run(ctx, "https://example.com/")
//		...
//	})
//
// # What it does
//
// From the start URLs it follows links (<a>, <area>, page-like <link>,
// honouring <base href>) found in text/html responses, within the start
// URLs' origins or Crawler.AllowedDomains and a depth limit. Every URL is
// normalised (Normalize) and deduplicated; a per-path cap on query-string
// variants keeps calendars and session ids from flooding it. robots.txt is
// fetched once per origin and obeyed (github.com/temoto/robotstxt),
// including Crawl-delay. Each origin gets at most PerHost requests in
// flight and Delay between request starts; 429 and 503 answers pause the
// origin for their Retry-After (seconds or an HTTP date); transient
// failures are retried with exponential backoff and jitter; each request
// runs in an aio.WithTimeout scope; bodies are cut at MaxBody. Each URL
// becomes a Result, written as a JSON line to Output and passed to
// OnResult.
//
// # How it runs
//
// Run starts a fixed set of Workers tasks in an aio.TaskGroup that drain a
// bounded Frontier; no task is spawned per URL, and the frontier, the
// seen-set (8 bytes per URL) and the per-path counters are the only state
// that grows with the site. A worker takes the next URL whose origin can
// take a request now: URLs of an origin that is busy (all its slots in
// use, its Delay running, paused by a Retry-After, fetching robots.txt) are
// set aside per origin (at most 4096 in all) and origins take turns, so a
// slow or paused site does not hold the workers while others have work. The Frontier and SeenSet interfaces let a
// shared store replace the in-memory ones. Requests go through a Fetcher:
// the default LoopFetcher is aiohttp's client on the loop (no thread and
// no goroutine per request), ThreadFetcher runs net/http on the loop's
// worker pool (aio.ToThread), and HandlerFetcher serves an http.Handler in-process for tests on a virtual
// clock. Output is written by a writer task through the pool, so the loop
// never waits for a disk or a pipe. Cancelling Run's task (Ctrl-C under
// aio.Run) stops the workers at once and still writes every recorded
// result.
//
// # Goroutines
//
// Everything in this package that touches a crawl runs on the loop
// goroutine: Crawler.Run from a task, Stats and OnResult on the loop, and
// Fetcher, Frontier and SeenSet methods from the crawler's worker tasks.
// Normalize, NormalizeURL and ExtractLinks are pure functions, safe from
// any goroutine. Package crawl/demosite generates a local site for trying
// it offline (go run ./cmd/aiocrawl -demo).
package crawl
