package crawl

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/httprec"
)

// Fetcher performs one HTTP request for the crawler. Fetch is called on
// the loop goroutine from a worker task, with ctx the task's scope (it
// carries the request timeout; req's context is the same scope); it must
// await rather than block the loop, and return promptly with the scope's
// error once ctx is cancelled.
//
// Contract:
//   - Fetch must not follow redirects: the crawler follows them itself, so
//     that each hop passes the scope, robots.txt and dedupe checks.
//   - The returned response's Body must be readable on the loop without
//     blocking (fully buffered, as ThreadFetcher does, or backed by the
//     loop's own I/O); the crawler reads at most its body limit plus one
//     byte from it and closes it.
//
// ThreadFetcher is the default. The loop-native HTTP client (package
// aiohttp, whose Client.Do has this shape) plugs in through FetcherFunc.
type Fetcher interface {
	Fetch(ctx *aio.Context, req *http.Request) (*http.Response, error)
}

// FetcherFunc adapts a function to Fetcher; the function runs where Fetch
// is called (the loop goroutine, in a worker task) and must not block.
type FetcherFunc func(ctx *aio.Context, req *http.Request) (*http.Response, error)

// Fetch calls f(ctx, req). Loop goroutine, from a task.
func (f FetcherFunc) Fetch(ctx *aio.Context, req *http.Request) (*http.Response, error) {
	return f(ctx, req)
}

// ThreadFetcher is the interim default Fetcher: it runs net/http's
// Client.Do on the loop's worker pool with aio.ToThread, and reads the body
// there too, up to MaxBody+1 bytes (so the crawler can tell a truncated
// body), into memory. The request's context is ToThread's, derived from
// the calling scope: a timeout or cancellation of the task aborts the
// request and the body read at once. Redirects are not followed.
//
// Until the loop-native HTTP client lands, this costs one pool worker per
// request in flight, so the number of concurrent fetches is also bounded by
// the loop's thread limit (aio.WithThreadLimit).
//
// Its methods may be called from any task of any loop; a ThreadFetcher is
// safe for concurrent use.
type ThreadFetcher struct {
	// Client sends the requests; nil means a client of its own with a
	// dedicated transport (see NewThreadFetcher). Its CheckRedirect is
	// replaced so that redirects are returned, not followed.
	Client *http.Client
	// MaxBody is the most body bytes kept (one more is read to detect
	// truncation); ≤ 0 means DefaultMaxBody.
	MaxBody int64

	once   sync.Once
	client *http.Client
}

// DefaultMaxBody is the body limit used when none is set: 10 MiB.
const DefaultMaxBody = 10 << 20

// NewThreadFetcher returns a ThreadFetcher keeping at most maxBody body
// bytes, with its own transport (keep-alive, 64 idle connections per host)
// so that CloseIdleConnections releases exactly its connections. Any
// goroutine.
func NewThreadFetcher(maxBody int64) *ThreadFetcher {
	return &ThreadFetcher{MaxBody: maxBody}
}

func (f *ThreadFetcher) httpClient() *http.Client {
	f.once.Do(func() {
		var c http.Client
		if f.Client != nil {
			c = *f.Client
		} else {
			c.Transport = &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				MaxIdleConns:        256,
				MaxIdleConnsPerHost: 64,
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: 10 * time.Second,
				ForceAttemptHTTP2:   true,
			}
		}
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		f.client = &c
	})
	return f.client
}

// Fetch sends req on a pool worker and returns the response with its body
// buffered in memory. Loop goroutine, from a task (it awaits ToThread).
func (f *ThreadFetcher) Fetch(ctx *aio.Context, req *http.Request) (*http.Response, error) {
	client := f.httpClient()
	limit := f.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	return aio.ToThread(ctx, func(tc context.Context) (*http.Response, error) {
		resp, err := client.Do(req.WithContext(tc))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return resp, nil
	})
}

// CloseIdleConnections closes the idle keep-alive connections of the
// fetcher's transport (the crawler calls it when Run returns). Any
// goroutine.
func (f *ThreadFetcher) CloseIdleConnections() { f.httpClient().CloseIdleConnections() }

// HandlerFetcher serves requests from an http.Handler on the loop itself,
// without a network: for tests on a virtual clock (aio.WithClock), where
// real sockets and threads would race the jumping clock, and for
// embedding a site in-process. Each request first waits Latency (aio.Sleep
// in the request's scope), then calls Handler.ServeHTTP on the loop
// goroutine. The handler must not block; it may await with the task's
// scope, which aio.ContextOf(r.Context()) returns (a slow page can
// aio.Sleep, a hanging one can wait for its cancellation). Responses are
// recorded in memory. Loop goroutine only.
type HandlerFetcher struct {
	Handler http.Handler
	Latency time.Duration
}

// Fetch serves req from f.Handler after f.Latency. Loop goroutine, from a
// task (it awaits; the handler runs on the loop).
func (f *HandlerFetcher) Fetch(ctx *aio.Context, req *http.Request) (*http.Response, error) {
	if err := aio.Sleep(ctx, f.Latency); err != nil {
		return nil, err
	}
	rec := httprec.New()
	r := req.Clone(ctx)
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	r.RemoteAddr = "127.0.0.1:1"
	r.RequestURI = r.URL.RequestURI()
	f.Handler.ServeHTTP(rec, r)
	if err := ctx.Cause(); err != nil {
		return nil, err
	}
	code := rec.Status()
	h := rec.Header().Clone()
	if h.Get("Content-Type") == "" && rec.Body.Len() > 0 {
		h.Set("Content-Type", http.DetectContentType(rec.Body.Bytes()))
	}
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		ContentLength: int64(rec.Body.Len()),
		Request:       req,
	}, nil
}
