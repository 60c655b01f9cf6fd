package crawl

import (
	"fmt"
	"io"
	"time"
)

// Result is the record of one fetched (or failed) URL, one JSON line in
// the crawler's output. The crawler hands each Result to OnResult, then to
// its writer task, which encodes it on the loop: OnResult may keep and read
// it, and must not modify it. A plain value otherwise (read it from any
// goroutine once Run has returned).
type Result struct {
	URL         string        `json:"url"`                    // normalised
	Depth       int           `json:"depth"`                  // links followed from a start URL
	Referrer    string        `json:"referrer,omitempty"`     // the page (or redirect) that led here
	Status      int           `json:"status,omitempty"`       // HTTP status; 0 when no response arrived
	ContentType string        `json:"content_type,omitempty"` // the Content-Type header
	Title       string        `json:"title,omitempty"`        // HTML pages only
	Links       []string      `json:"links,omitempty"`        // HTML pages only: every link found, normalised
	Redirect    string        `json:"redirect,omitempty"`     // 3xx: the normalised Location
	Bytes       int           `json:"bytes"`                  // body bytes kept
	Truncated   bool          `json:"truncated,omitempty"`    // the body was longer than the limit
	Attempts    int           `json:"attempts"`               // requests made, retries included
	Start       time.Time     `json:"start"`                  // when the first attempt started waiting for its host
	Elapsed     time.Duration `json:"-"`                      // from Start to the end of the last attempt
	ElapsedMS   float64       `json:"elapsed_ms"`             // Elapsed in milliseconds
	Error       string        `json:"error,omitempty"`        // why the URL failed: transport error, timeout, HTTP status ≥ 400, too many redirects
}

// Stats counts what a crawl did. Crawler.Stats returns a snapshot: a plain
// value, safe to copy and to read from any goroutine.
type Stats struct {
	Pages       int   `json:"pages"`        // URLs that got a response (any status)
	OK          int   `json:"ok"`           // responses with a 2xx status
	Redirects   int   `json:"redirects"`    // responses with a 3xx status
	HTTPErrors  int   `json:"http_errors"`  // responses with a status ≥ 400 (after retries)
	FetchErrors int   `json:"fetch_errors"` // URLs that got no response: network errors, timeouts (after retries)
	Errors      int   `json:"errors"`       // HTTPErrors + FetchErrors + redirect chains cut: the results with an Error
	Retries     int   `json:"retries"`      // requests repeated after a transient failure, 429 or 503
	NotHTML     int   `json:"not_html"`     // 2xx responses not parsed for links (content type)
	Truncated   int   `json:"truncated"`    // bodies cut at the size limit
	Bytes       int64 `json:"bytes"`        // body bytes kept, all responses
	Queued      int   `json:"queued"`       // URLs waiting in the frontier now
	Seen        int   `json:"seen"`         // distinct URLs admitted (queued at some point)
	Dropped     int   `json:"dropped"`      // URLs dropped because the frontier was full
	Disallowed  int   `json:"disallowed"`   // URLs not fetched because robots.txt disallows them
	OffSite     int   `json:"off_site"`     // links outside the crawl's scope (each occurrence)
	TooDeep     int   `json:"too_deep"`     // links beyond the depth limit (each occurrence)
	Variants    int   `json:"variants"`     // URLs dropped by the per-path query-variant cap
	RobotsFiles int   `json:"robots_files"` // robots.txt files fetched (not counted in Pages)

	Elapsed time.Duration `json:"-"` // since Run started
}

// Rate returns the URLs fetched per second so far (Pages + FetchErrors
// over Elapsed). A pure method on a value.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Pages+s.FetchErrors) / s.Elapsed.Seconds()
}

// WriteSummary writes a human-readable summary of s to w, four lines. It
// blocks on w: call it after Run, or through aio.ToThread from a task.
func (s Stats) WriteSummary(w io.Writer) error {
	_, err := fmt.Fprintf(w,
		"crawled %d URLs in %v (%.1f/s): %d ok, %d redirects, %d HTTP errors, %d fetch errors\n"+
			"  %d bytes kept, %d truncated, %d not HTML, %d retries, %d robots.txt files\n"+
			"  %d distinct URLs seen, %d still queued, %d dropped (frontier full)\n"+
			"  skipped: %d disallowed by robots.txt, %d off-site links, %d too deep, %d query variants\n",
		s.Pages+s.FetchErrors, s.Elapsed.Round(time.Millisecond), s.Rate(), s.OK, s.Redirects, s.HTTPErrors, s.FetchErrors,
		s.Bytes, s.Truncated, s.NotHTML, s.Retries, s.RobotsFiles,
		s.Seen, s.Queued, s.Dropped,
		s.Disallowed, s.OffSite, s.TooDeep, s.Variants)
	return err
}
