package crawl

import (
	"net/http"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// LoopFetcher is the default Fetcher: aiohttp's client on the loop. A
// request and its body reads suspend only the worker task that makes
// them, with no thread and no goroutine per request; connections are
// pooled per host. It does not follow redirects (the crawler follows them
// itself, checking each hop). Loop goroutine only, from tasks of one loop.
type LoopFetcher struct {
	Client *aiohttp.Client
}

// NewLoopFetcher returns a LoopFetcher over a new aiohttp.Client without a
// total connection limit (the crawler's workers and per-host slots bound
// the requests in flight).
func NewLoopFetcher() *LoopFetcher {
	return &LoopFetcher{Client: &aiohttp.Client{Limit: -1}}
}

// Fetch performs req with the client.
func (f *LoopFetcher) Fetch(ctx *aio.Context, req *http.Request) (*http.Response, error) {
	return f.Client.Do(ctx, req)
}

// CloseIdleConnections closes the client's idle pooled connections.
func (f *LoopFetcher) CloseIdleConnections() { f.Client.CloseIdleConnections() }
