package crawl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/ring"
	"github.com/temoto/robotstxt"
)

// DefaultUserAgent is the User-Agent sent when Crawler.UserAgent is empty.
// (Constants and errors of this package are safe from any goroutine.)
const DefaultUserAgent = "aiocrawl/1.0 (+https://github.com/asyncgo/aio)"

// Crawler crawls web sites from start URLs. Set its fields, then call Run;
// the zero value is a usable crawler with the defaults given per field.
// A Crawler runs one crawl at a time; Run may be called again after it
// returned. Its fields must not change while Run runs.
//
// All methods are for the loop goroutine: call Run from a task, and
// Stats from a task or callback of the same loop.
type Crawler struct {
	// AllowedDomains limits the crawl to these hosts and their subdomains
	// (any scheme and port). Empty means the origins (scheme, host and
	// port) of the start URLs.
	AllowedDomains []string
	// MaxDepth is how many links away from a start URL the crawl goes:
	// 0 means no limit, a negative value fetches the start URLs only.
	MaxDepth int
	// MaxPages stops the crawl after this many URLs were fetched (0: no
	// limit).
	MaxPages int
	// UserAgent is sent with every request and matched against robots.txt
	// groups (by its leading product token); "" means DefaultUserAgent.
	UserAgent string
	// IgnoreRobots disables robots.txt (fetching and obeying it).
	IgnoreRobots bool

	// Workers is the number of worker tasks, so the most requests in
	// flight overall (default 8).
	Workers int
	// PerHost is the most requests in flight to one origin (default 2).
	PerHost int
	// Delay is the least time between the starts of two requests to one
	// origin (default 0); a larger robots.txt Crawl-delay (up to a minute)
	// wins.
	Delay time.Duration
	// Timeout bounds each request, body included (default 30s); it is an
	// aio.WithTimeout scope around the fetch.
	Timeout time.Duration
	// MaxRetries is how often a request is repeated after a transient
	// failure: a transport error, a timeout, or status 429, 500, 502, 503
	// or 504 (default 3; negative: never).
	MaxRetries int
	// BackoffBase and BackoffMax shape the wait before retry n: a random
	// duration in [d/2, d] with d = min(BackoffMax, BackoffBase·2ⁿ⁻¹)
	// (defaults 500ms and 30s). A 429 or 503 response's Retry-After
	// (seconds or HTTP date) replaces it and pauses the whole origin.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (default 5m); a
	// response asking for longer is recorded as an error, not retried.
	MaxRetryAfter time.Duration
	// MaxBody is the most body bytes read per response (default 10 MiB);
	// longer bodies are cut and the result marked truncated.
	MaxBody int64
	// MaxQueued bounds the default frontier (default DefaultMaxQueued);
	// URLs found while it is full are dropped and counted.
	MaxQueued int
	// MaxQueryVariants caps how many distinct query strings of one path
	// are crawled (default 100; negative: no cap), so that sort orders,
	// session ids and calendars do not flood the crawl.
	MaxQueryVariants int
	// MaxRedirects bounds redirect chains (default 10).
	MaxRedirects int
	// Seed seeds the backoff jitter; 0 means a random seed.
	Seed uint64

	// Fetcher performs the requests; nil means a LoopFetcher (aiohttp's
	// client on the loop: no thread and no goroutine per request), whose
	// idle connections are closed when Run returns. ThreadFetcher runs
	// net/http on the loop's worker pool instead.
	Fetcher Fetcher
	// Proxy is the default fetcher's proxy function (aiohttp.Client's
	// Proxy: http.ProxyFromEnvironment, http.ProxyURL(u), ...); nil
	// connects directly. It is not used when Fetcher is set.
	Proxy func(*http.Request) (*url.URL, error)
	// Frontier and Seen replace the in-memory queue and seen-set, for
	// example with a shared store. A Frontier given here is used as is
	// (MaxQueued does not apply); it should be empty.
	Frontier Frontier
	Seen     SeenSet

	// Output, if set, receives each Result as a JSON line. Lines are
	// encoded on the loop and written by a writer task through
	// aio.ToThread, so a slow Output never stalls the loop; Run returns
	// only after everything recorded was written, also when it is
	// cancelled. A write error (a closed pipe) stops the crawl and is
	// returned by Run.
	Output io.Writer
	// OnResult, if set, is called on the loop goroutine, in the worker
	// task that fetched the URL, for each Result (before it is written
	// to Output). It may await with ctx; an error stops the crawl and is
	// returned by Run.
	OnResult func(ctx *aio.Context, r *Result) error

	// The crawl's state; loop goroutine only.
	running  bool
	start    time.Time
	end      time.Time // when Run returned
	loop     *aio.Loop
	fetcher  Fetcher
	frontier Frontier
	seen     SeenSet
	rng      *rand.Rand
	stats    Stats
	origins  map[string]bool
	hosts    map[string]*hostState
	variants map[string]int
	active   int                   // workers processing an item (not waiting in next)
	started  int                   // items taken for fetching
	stopping bool                  // no more items will be taken
	work     *aio.Future[struct{}] // resolved when work arrives or the crawl stops
	// Items of busy origins, set aside by next.
	deferredHosts []*hostState
	deferredN     int
	out           *aio.Queue[*Result] // to the writer task; nil entry: end
	writer        *aio.Task[struct{}] // writes Output
}

// hostState is the politeness state of one origin.
type hostState struct {
	origin     string
	slots      *aio.Queue[struct{}] // one entry per request in flight
	next       time.Time            // no request may start before
	robots     *robotstxt.RobotsData
	robotsWait *aio.Future[struct{}] // while robots.txt is being fetched
	crawlDelay time.Duration
	deferred   ring.Ring[Item] // items set aside while the origin was busy (see next)
}

func (c *Crawler) userAgent() string      { return or(c.UserAgent, DefaultUserAgent) }
func (c *Crawler) timeout() time.Duration { return orD(c.Timeout, 30*time.Second) }
func (c *Crawler) maxBody() int64 {
	if c.MaxBody > 0 {
		return c.MaxBody
	}
	return DefaultMaxBody
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orD(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func orN(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// ErrRunning is returned by Run while the crawler is already running.
var ErrRunning = errors.New("crawl: the crawler is already running")

// Run crawls from seeds until the frontier is empty and no request is in
// flight, MaxPages URLs were fetched, OnResult or Output failed, or ctx is
// cancelled, and returns the final Stats. Start URLs are normalised and
// always admitted (scope and depth rules apply to the links found). A
// fixed set of Workers tasks, in an aio.TaskGroup, drains the frontier;
// nothing else is spawned per URL.
//
// When ctx is cancelled (aio.Run cancels main on the first Ctrl-C), the
// workers stop at once (requests in flight are aborted and not
// recorded), what was recorded is written to Output, and Run returns the
// Stats with the cancellation error. Loop goroutine, from a task (it
// awaits).
func (c *Crawler) Run(ctx *aio.Context, seeds ...string) (Stats, error) {
	if c.running {
		return c.Stats(), ErrRunning
	}
	if len(seeds) == 0 {
		return Stats{}, errors.New("crawl: no start URLs")
	}
	norm := make([]string, 0, len(seeds))
	origins := map[string]bool{}
	for _, s := range seeds {
		u, err := url.Parse(s)
		if err == nil {
			u, err = NormalizeURL(u)
		}
		if err != nil {
			return Stats{}, fmt.Errorf("crawl: start URL %q: %w", s, err)
		}
		norm = append(norm, u.String())
		origins[origin(u)] = true
	}
	c.reset(ctx, origins)
	defer func() { c.running = false }()

	var ownFetcher *LoopFetcher
	if c.fetcher == nil {
		ownFetcher = NewLoopFetcher()
		ownFetcher.Client.Proxy = c.Proxy
		c.fetcher = ownFetcher
	}
	if c.Output != nil {
		c.out = aio.NewQueue[*Result](256)
		c.writer = aio.Go(ctx, c.writeOutput)
	}

	err := aio.RunTaskGroup(ctx, func(gctx *aio.Context, tg *aio.TaskGroup) error {
		for _, s := range norm {
			if err := c.enqueue(gctx, Item{URL: s}, true); err != nil {
				return err
			}
		}
		for i := range orN(c.Workers, 8) {
			w := tg.Go(c.worker)
			w.SetName("crawl-worker-" + strconv.Itoa(i))
		}
		return nil
	})
	c.stopping = true
	if c.writer != nil {
		shielded := aio.WithoutCancel(ctx)
		_ = c.out.Put(shielded, nil)
		if _, werr := c.writer.Await(shielded); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if ownFetcher != nil {
		ownFetcher.CloseIdleConnections()
	}
	c.end = c.loop.Time()
	return c.Stats(), err
}

// reset prepares the state of a new crawl.
func (c *Crawler) reset(ctx *aio.Context, origins map[string]bool) {
	c.running = true
	c.loop = ctx.Loop()
	c.start, c.end = c.loop.Time(), time.Time{}
	c.fetcher = c.Fetcher
	c.frontier = c.Frontier
	if c.frontier == nil {
		c.frontier = &MemoryFrontier{Max: c.MaxQueued}
	}
	c.seen = c.Seen
	if c.seen == nil {
		c.seen = NewMemorySeenSet()
	}
	seed := c.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	c.rng = rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	c.stats = Stats{}
	c.origins = origins
	c.hosts = map[string]*hostState{}
	c.variants = map[string]int{}
	c.active, c.started, c.stopping = 0, 0, false
	c.work, c.out, c.writer = nil, nil, nil
	c.deferredHosts, c.deferredN = nil, 0
}

// Stats returns a snapshot of the counters (Queued and Seen as of now;
// Elapsed up to now, or to the end of the last Run). Loop goroutine only; safe to call while Run runs (from another
// task, for a progress display) and after it returned.
func (c *Crawler) Stats() Stats {
	s := c.stats
	if c.frontier != nil {
		s.Queued = c.frontier.Len() + c.deferredN
	}
	if c.seen != nil {
		s.Seen = c.seen.Len()
	}
	switch {
	case !c.end.IsZero():
		s.Elapsed = c.end.Sub(c.start)
	case c.loop != nil:
		s.Elapsed = c.loop.Time().Sub(c.start)
	}
	return s
}

// worker takes items until the crawl is over.
func (c *Crawler) worker(ctx *aio.Context) error {
	for {
		it, ok, err := c.next(ctx)
		if err != nil {
			return ownErr(ctx, err)
		}
		if !ok {
			return nil
		}
		c.active++
		c.started++
		err = c.process(ctx, it)
		c.active--
		c.notify() // a slot or the last active worker may have freed up
		if err != nil {
			return ownErr(ctx, err)
		}
	}
}

// maxDeferred bounds the items taken from the frontier and set aside
// because their origin was busy.
const maxDeferred = 4096

// next returns an item whose origin can take a request now, waiting while
// there is none; ok is false when the crawl is over. Items of busy origins
// (all PerHost slots in use, a Delay or Retry-After pause running,
// robots.txt being fetched) are set aside per origin, up to maxDeferred,
// so that one slow or paused origin does not hold the workers while
// others have work; an origin's items keep their frontier order.
func (c *Crawler) next(ctx *aio.Context) (Item, bool, error) {
	for {
		if c.stopping || c.MaxPages > 0 && c.started >= c.MaxPages {
			c.stop()
			return Item{}, false, nil
		}
		now := c.loop.Time()
		var wake time.Time // the earliest end of a pause of an origin with work
		later := func(hs *hostState) {
			if hs.slots.Len() < c.perHost() && hs.next.After(now) && (wake.IsZero() || hs.next.Before(wake)) {
				wake = hs.next
			}
		}
		for i, hs := range c.deferredHosts {
			if c.ready(hs, now) {
				it := hs.deferred.Pop()
				c.deferredN--
				// Take it out of the list, and put it back at the end if it
				// has more: origins take turns.
				c.deferredHosts = append(c.deferredHosts[:i], c.deferredHosts[i+1:]...)
				if hs.deferred.Len() > 0 {
					c.deferredHosts = append(c.deferredHosts, hs)
				}
				return it, true, nil
			}
			later(hs)
		}
		for c.deferredN < maxDeferred {
			it, ok, err := c.frontier.Pop(ctx)
			if err != nil {
				return Item{}, false, err
			}
			if !ok {
				break
			}
			hs := c.host(originOf(it.URL))
			if hs.deferred.Len() == 0 && c.ready(hs, now) {
				return it, true, nil
			}
			if hs.deferred.Len() == 0 {
				c.deferredHosts = append(c.deferredHosts, hs)
			}
			hs.deferred.Push(it)
			c.deferredN++
			later(hs)
		}
		if c.active == 0 && c.deferredN == 0 && c.frontier.Len() == 0 {
			c.stop() // nothing queued, nothing in flight: done
			return Item{}, false, nil
		}
		if c.work == nil {
			c.work = aio.NewFuture[struct{}](ctx)
		}
		wctx, cancel := ctx, aio.CancelFunc(func() {})
		if !wake.IsZero() {
			wctx, cancel = aio.WithDeadline(ctx, wake)
		}
		_, err := aio.Shield(wctx, c.work)
		cancel()
		if cause := ctx.Cause(); cause != nil {
			return Item{}, false, cause
		}
		_ = err // woken, or the pause ended: look again
	}
}

// ready reports whether hs can take a request at now.
func (c *Crawler) ready(hs *hostState, now time.Time) bool {
	if hs.slots.Len() >= c.perHost() || now.Before(hs.next) {
		return false
	}
	return hs.robots != nil || hs.robotsWait == nil || hs.robotsWait.Done()
}

func (c *Crawler) perHost() int { return orN(c.PerHost, 2) }

// originOf returns the origin of a normalised URL ("" if it does not
// parse).
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return origin(u)
}

// ownErr returns ctx's cancellation if the scope is cancelled, else err:
// a worker that is stopping reports its own cancellation, never one it
// observed elsewhere.
func ownErr(ctx *aio.Context, err error) error {
	if cause := ctx.Cause(); cause != nil {
		return cause
	}
	return err
}

// stop ends the crawl: waiting workers wake up and return.
func (c *Crawler) stop() {
	c.stopping = true
	c.notify()
}

// notify wakes the workers waiting for work.
func (c *Crawler) notify() {
	if c.work != nil {
		_ = c.work.SetResult(struct{}{})
		c.work = nil
	}
}

// enqueue admits it to the frontier if it is in scope, new, within the
// limits and (when robots.txt is known already) allowed.
func (c *Crawler) enqueue(ctx *aio.Context, it Item, seed bool) error {
	u, err := url.Parse(it.URL)
	if err != nil {
		return nil
	}
	if !seed {
		if !c.inScope(u) {
			c.stats.OffSite++
			return nil
		}
		if c.MaxDepth < 0 || c.MaxDepth > 0 && it.Depth > c.MaxDepth {
			c.stats.TooDeep++
			return nil
		}
	}
	added, err := c.seen.Add(ctx, it.URL)
	if err != nil || !added {
		return err
	}
	if u.RawQuery != "" && !seed {
		key := u.Host + u.Path
		limit := orN(c.MaxQueryVariants, 100)
		if limit > 0 && c.variants[key] >= limit {
			c.stats.Variants++
			return nil
		}
		c.variants[key]++
	}
	if hs := c.hosts[origin(u)]; hs != nil && hs.robots != nil && !c.IgnoreRobots &&
		!hs.robots.TestAgent(u.RequestURI(), c.userAgent()) {
		c.stats.Disallowed++
		return nil
	}
	ok, err := c.frontier.Push(ctx, it)
	if err != nil {
		return err
	}
	if !ok {
		c.stats.Dropped++
		return nil
	}
	c.notify()
	return nil
}

// inScope reports whether u may be crawled.
func (c *Crawler) inScope(u *url.URL) bool {
	if len(c.AllowedDomains) == 0 {
		return c.origins[origin(u)]
	}
	host := u.Hostname()
	for _, d := range c.AllowedDomains {
		if inDomain(host, d) {
			return true
		}
	}
	return false
}

// host returns the politeness state of an origin.
func (c *Crawler) host(o string) *hostState {
	hs := c.hosts[o]
	if hs == nil {
		hs = &hostState{origin: o, slots: aio.NewQueue[struct{}](c.perHost())}
		c.hosts[o] = hs
	}
	return hs
}

// process fetches one item and records the result.
func (c *Crawler) process(ctx *aio.Context, it Item) error {
	u, err := url.Parse(it.URL)
	if err != nil {
		return nil
	}
	hs := c.host(origin(u))
	if !c.IgnoreRobots {
		allowed, err := c.robotsAllow(ctx, hs, u)
		if err != nil {
			return err
		}
		if !allowed {
			c.stats.Disallowed++
			c.started-- // not fetched: does not count against MaxPages
			return nil
		}
	}
	res := &Result{URL: it.URL, Depth: it.Depth, Referrer: it.Referrer, Start: c.loop.Time()}
	r, err := c.fetch(ctx, hs, it.URL, res)
	if cause := ctx.Cause(); cause != nil {
		return cause // stopping: an aborted request is not a result
	}
	res.Elapsed = c.loop.Time().Sub(res.Start)
	res.ElapsedMS = float64(res.Elapsed.Microseconds()) / 1000
	if err != nil {
		res.Error = err.Error()
		c.stats.FetchErrors++
		c.stats.Errors++
		return c.emit(ctx, res)
	}
	c.record(r, res)
	switch {
	case r.status >= 300 && r.status < 400:
		c.stats.Redirects++
		loc := r.header.Get("Location")
		if loc == "" {
			break
		}
		target, err := u.Parse(loc)
		if err == nil {
			target, err = NormalizeURL(target)
		}
		if err != nil {
			res.Error = "bad redirect Location " + strconv.Quote(loc)
			c.stats.Errors++
			break
		}
		res.Redirect = target.String()
		if it.Redirects >= orN(c.MaxRedirects, 10) {
			res.Error = "too many redirects"
			c.stats.Errors++
			break
		}
		if err := c.enqueue(ctx, Item{URL: res.Redirect, Depth: it.Depth, Referrer: it.URL, Redirects: it.Redirects + 1}, false); err != nil {
			return err
		}
	case r.status >= 400:
		c.stats.HTTPErrors++
		c.stats.Errors++
		res.Error = "HTTP " + strconv.Itoa(r.status) + " " + http.StatusText(r.status)
	case r.status >= 200 && r.status < 300:
		c.stats.OK++
		ct := r.header.Get("Content-Type")
		if ct == "" {
			ct = http.DetectContentType(r.body)
		}
		if !isHTML(ct) {
			c.stats.NotHTML++
			break
		}
		page := ExtractLinks(u, r.body)
		res.Title, res.Links = page.Title, page.Links
		if page.NoFollow {
			break
		}
		for _, l := range page.Links {
			if err := c.enqueue(ctx, Item{URL: l, Depth: it.Depth + 1, Referrer: it.URL}, false); err != nil {
				return err
			}
		}
	}
	return c.emit(ctx, res)
}

// record copies a response's facts into res and the counters.
func (c *Crawler) record(r *response, res *Result) {
	c.stats.Pages++
	c.stats.Bytes += int64(len(r.body))
	res.Status = r.status
	res.ContentType = r.header.Get("Content-Type")
	res.Bytes = len(r.body)
	if r.truncated {
		res.Truncated = true
		c.stats.Truncated++
	}
}

// emit hands res to OnResult and Output.
func (c *Crawler) emit(ctx *aio.Context, res *Result) error {
	if c.OnResult != nil {
		if err := c.OnResult(ctx, res); err != nil {
			return err
		}
	}
	if c.out != nil {
		// Shielded: a result that was counted is always written, also
		// when the crawl is being cancelled (the writer task is not).
		return c.out.Put(aio.WithoutCancel(ctx), res)
	}
	return nil
}

// writeOutput is the writer task: it encodes results as JSON lines and
// writes them in batches on the worker pool until it receives nil. A write
// error stops the crawl (workers finish what is in flight); the writer
// keeps draining, so they never block, and returns the error at the end.
func (c *Crawler) writeOutput(ctx *aio.Context) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var werr error
	for {
		r, err := c.out.Get(ctx)
		if err != nil {
			return err
		}
		end := r == nil
		for r != nil {
			if werr == nil {
				if err := enc.Encode(r); err != nil {
					werr = err
				}
			}
			if buf.Len() >= 64<<10 || c.out.Empty() {
				break
			}
			r, _ = c.out.GetNowait()
			end = r == nil
		}
		if buf.Len() > 0 && werr == nil {
			b := bytes.Clone(buf.Bytes())
			buf.Reset()
			_, werr = aio.ToThread(ctx, func(context.Context) (int, error) { return c.Output.Write(b) })
			if werr != nil {
				werr = fmt.Errorf("crawl: writing output: %w", werr)
				c.stop() // no point crawling what cannot be written (a closed pipe)
			}
		}
		if end {
			return werr
		}
	}
}
