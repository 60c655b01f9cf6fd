package crawl_test

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/crawl"
	"github.com/asyncgo/aio/crawl/demosite"
)

// ExampleCrawler_Run crawls the generated demo site on 127.0.0.1: robots.txt
// keeps it out of /private/, a busy page answers 429 with Retry-After (the
// crawler waits a second and retries), query-string variants of the
// catalog are merged, the files are fetched but not parsed, and the mailto:,
// javascript: and off-site links are skipped.
func ExampleCrawler_Run() {
	site := demosite.New(demosite.Config{Pages: 25, RetryAfter: time.Second})
	srv := httptest.NewServer(site)
	defer srv.Close()

	err := aio.Run(func(ctx *aio.Context) error {
		c := &crawl.Crawler{Workers: 4, PerHost: 4, UserAgent: "example-bot/1.0"}
		stats, err := c.Run(ctx, srv.URL)
		if err != nil {
			return err
		}
		fmt.Printf("fetched %d URLs: %d ok, %d redirect, %d HTTP error\n",
			stats.Pages+stats.FetchErrors, stats.OK, stats.Redirects, stats.HTTPErrors)
		fmt.Printf("retried %d (429), %d not HTML, %d robots.txt file\n", stats.Retries, stats.NotHTML, stats.RobotsFiles)
		fmt.Printf("skipped %d disallowed URLs and %d off-site links\n", stats.Disallowed, stats.OffSite)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// fetched 43 URLs: 41 ok, 1 redirect, 1 HTTP error
	// retried 1 (429), 2 not HTML, 1 robots.txt file
	// skipped 3 disallowed URLs and 1 off-site links
}
