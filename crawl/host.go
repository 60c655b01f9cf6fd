package crawl

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/asyncgo/aio"
	"github.com/temoto/robotstxt"
)

// response is one HTTP response with its body read (and capped).
type response struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool
}

// maxCrawlDelay caps a robots.txt Crawl-delay.
const maxCrawlDelay = time.Minute

// robotsAllow reports whether robots.txt of u's origin allows u, fetching
// robots.txt first if nobody has yet (other workers wait for that fetch).
// A robots.txt that cannot be fetched after retries (or answers 5xx)
// disallows the whole origin, as Google does; 4xx and 3xx allow it all.
func (c *Crawler) robotsAllow(ctx *aio.Context, hs *hostState, u *url.URL) (bool, error) {
	for hs.robots == nil {
		if w := hs.robotsWait; w != nil && !w.Done() {
			if _, err := aio.Shield(ctx, w); err != nil {
				if cause := ctx.Cause(); cause != nil {
					return false, cause
				}
			}
			continue
		}
		if err := c.loadRobots(ctx, hs); err != nil {
			return false, err
		}
	}
	return hs.robots.TestAgent(u.RequestURI(), c.userAgent()), nil
}

// loadRobots fetches and parses the robots.txt of hs.
func (c *Crawler) loadRobots(ctx *aio.Context, hs *hostState) error {
	w := aio.NewFuture[struct{}](ctx)
	hs.robotsWait = w
	defer func() {
		if !w.Done() { // cancelled: the next worker tries again
			w.Cancel("robots.txt fetch abandoned")
			hs.robotsWait = nil
		}
	}()
	var res Result
	r, err := c.fetch(ctx, hs, hs.origin+"/robots.txt", &res)
	if cause := ctx.Cause(); cause != nil {
		return cause
	}
	c.stats.RobotsFiles++
	var data *robotstxt.RobotsData
	switch {
	case err != nil || r.status >= 500:
		data, _ = robotstxt.FromStatusAndBytes(http.StatusServiceUnavailable, nil) // disallow all
	case r.status >= 200 && r.status < 300:
		data, err = robotstxt.FromBytes(r.body)
		if err != nil {
			data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil) // unparsable: allow all
		}
	default:
		data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil) // allow all
	}
	hs.robots = data
	hs.crawlDelay = min(data.FindGroup(c.userAgent()).CrawlDelay, maxCrawlDelay)
	_ = w.SetResult(struct{}{})
	c.notify()
	return nil
}

// acquire waits for a request slot of hs and for its next start time.
func (c *Crawler) acquire(ctx *aio.Context, hs *hostState) error {
	if err := hs.slots.Put(ctx, struct{}{}); err != nil {
		return err
	}
	for {
		now := c.loop.Time()
		if !now.Before(hs.next) {
			hs.next = now.Add(max(c.Delay, hs.crawlDelay))
			return nil
		}
		if err := aio.Sleep(ctx, hs.next.Sub(now)); err != nil {
			_, _ = hs.slots.GetNowait()
			c.notify()
			return err
		}
	}
}

// fetch requests rawURL politely: one slot of its origin, retries with
// backoff, Retry-After honoured. res.Attempts counts the requests.
func (c *Crawler) fetch(ctx *aio.Context, hs *hostState, rawURL string, res *Result) (*response, error) {
	retries := orN(c.MaxRetries, 3)
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		if err := c.acquire(ctx, hs); err != nil {
			return nil, err
		}
		r, err := c.once(ctx, rawURL)
		_, _ = hs.slots.GetNowait()
		c.notify()
		if cause := ctx.Cause(); cause != nil {
			return nil, cause
		}
		retry := err != nil
		if r != nil {
			switch r.status {
			case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
				http.StatusServiceUnavailable, http.StatusGatewayTimeout:
				retry = true
			}
		}
		if !retry || attempt > retries {
			return r, err
		}
		wait := c.backoff(attempt)
		if r != nil && (r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable) {
			now := c.loop.Time()
			if ra, ok := parseRetryAfter(r.header.Get("Retry-After"), now); ok {
				if ra > orD(c.MaxRetryAfter, 5*time.Minute) {
					return r, fmt.Errorf("HTTP %d with Retry-After %v, beyond the limit", r.status, ra)
				}
				wait = ra
			}
			// The server is overloaded: pause the whole origin.
			if until := now.Add(wait); until.After(hs.next) {
				hs.next = until
			}
		}
		c.stats.Retries++
		if err := aio.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// errTimeout is a request that ran out of time.
type errTimeout time.Duration

func (e errTimeout) Error() string { return "timeout after " + time.Duration(e).String() }
func (e errTimeout) Timeout() bool { return true }

// once sends one GET request in a WithTimeout scope and reads the body.
func (c *Crawler) once(ctx *aio.Context, rawURL string) (*response, error) {
	tctx, cancel := aio.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	resp, err := c.fetcher.Fetch(tctx, req)
	if err == nil {
		defer resp.Body.Close()
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, c.maxBody()+1))
		if err == nil {
			r := &response{status: resp.StatusCode, header: resp.Header, body: body}
			if int64(len(body)) > c.maxBody() {
				r.body, r.truncated = body[:c.maxBody()], true
			}
			return r, nil
		}
	}
	if ctx.Cause() == nil && tctx.Err() == context.DeadlineExceeded {
		return nil, errTimeout(c.timeout())
	}
	return nil, err
}

// backoff returns the jittered wait before retry n (n ≥ 1).
func (c *Crawler) backoff(n int) time.Duration {
	base := orD(c.BackoffBase, 500*time.Millisecond)
	limit := orD(c.BackoffMax, 30*time.Second)
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	return half + time.Duration(c.rng.Int64N(int64(d-half)+1))
}

// parseRetryAfter parses a Retry-After value, delay-seconds or an HTTP
// date, as a wait from now (never negative).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
