package aiohttp

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/asyncgo/aio"
)

// Timeout bounds a request, as aiohttp's ClientTimeout does. Each bound is
// an aio scope (aio.WithTimeout) of the task that sends the request, so it
// interrupts exactly the awaits it covers; a zero field means no bound.
type Timeout struct {
	// Total bounds the whole request: getting a connection, writing the
	// request, reading the response header and reading the body (until
	// EOF or Close).
	Total time.Duration
	// Connect bounds getting a connection: waiting for a free permit
	// (Limit, LimitPerHost), dialing and the TLS handshake.
	Connect time.Duration
	// SockRead bounds each read from the socket: a peer silent for longer
	// fails the read with a timeout.
	SockRead time.Duration
}

// Client is an HTTP/1.1 client for the tasks of one aio loop (aiohttp's
// ClientSession with its TCPConnector). It keeps a pool of keep-alive
// connections per host, limits how many connections are in use (Limit,
// LimitPerHost; waiters are served first come, first served), bounds
// requests with Timeout, decodes the gzip, brotli and zstd bodies it asked
// for, goes through an http:// proxy when Proxy names one, and reports to
// an httptrace.ClientTrace found in the request's context.
//
// Requests are written with (*http.Request).Write and responses read with
// http.ReadResponse over the connection, in the task that sends the
// request: no goroutine is started per request or per connection. The
// response body's Read suspends the task that reads it; the connection
// goes back to the pool when the body reaches EOF or is closed (a small
// unread remainder is drained first). Always close the body.
//
// Client implements http.RoundTripper, so http.Client{Transport: c} adds
// redirects, cookies (Jar) and CheckRedirect inside a task; pass the task's
// Context as the request's context (http.NewRequestWithContext(ctx, ...)).
// Do sends one request and follows no redirects.
//
// Fields are read at the first request and must not change afterwards.
// The zero Client is ready to use.
//
// Goroutines: a Client is bound to the loop of its first request; Do, Get,
// Post, GetJSON, RoundTrip, CloseIdleConnections and the body's Read and
// Close are for the tasks of that loop (a request from another loop fails
// with an error). Response bodies may be read by another task of the same
// loop; their reads then wait in that task's root scope instead of the
// request's.
type Client struct {
	// Limit caps the connections in use at once, over all hosts (aiohttp's
	// TCPConnector limit). 0 means 100; a negative value, no limit.
	Limit int
	// LimitPerHost caps the connections in use at once per host
	// (scheme, host and port). 0 means no limit.
	LimitPerHost int
	// Timeout bounds each request; see Timeout.
	Timeout Timeout
	// IdleTimeout is how long a connection may stay idle in the pool
	// (aiohttp's keepalive_timeout). 0 means 15 s.
	IdleTimeout time.Duration
	// MaxIdlePerHost caps the idle connections kept per host. 0 means
	// max(LimitPerHost, 32).
	MaxIdlePerHost int
	// MaxResponseHeaderBytes caps the size of a response header. 0 means
	// 1 MiB.
	MaxResponseHeaderBytes int64
	// RaiseForStatus makes Do (and Get, Post) return a *StatusError, with
	// no response, for a status ≥ 400 (aiohttp's raise_for_status).
	RaiseForStatus bool
	// DisableCompression stops the client from asking for gzip
	// (Accept-Encoding) and decoding it. A request that sets
	// Accept-Encoding itself always gets the body as sent.
	DisableCompression bool
	// Proxy returns the proxy for a request, as http.Transport's Proxy
	// does: nil (or a nil URL) connects directly, and
	// http.ProxyFromEnvironment follows HTTP_PROXY, HTTPS_PROXY and
	// NO_PROXY (aiohttp's trust_env). Proxies must be http:// ones: a
	// plain-http request is sent to the proxy in absolute form, an https
	// request goes through a CONNECT tunnel (a refusal is a *ProxyError);
	// credentials in the proxy URL are sent as Basic
	// Proxy-Authorization. Connections through a proxy are pooled per
	// proxy and target. It is called in the requesting task, so it must
	// not block.
	Proxy func(*http.Request) (*url.URL, error)
	// Dial opens the client's connections (nil: aio.Dial). It is called
	// in the requesting task, within the Connect timeout, with "tcp" and
	// the host:port of the target (or of its proxy); a dialer for a Unix
	// socket ignores them and dials its path, as aiohttp's UnixConnector
	// does. TLS, when the URL asks for it, runs over what it returns.
	Dial func(ctx *aio.Context, network, address string) (*aio.Conn, error)
	// TLSConfig configures https connections (nil: the defaults). The
	// client adds ServerName, ALPN "http/1.1" and a session cache for
	// resumption when they are not set.
	TLSConfig *tls.Config

	p *pool
}

// StatusError is the error of a response whose status is ≥ 400 when
// RaiseForStatus is set (aiohttp's ClientResponseError), and of GetJSON for
// any status outside 2xx.
type StatusError struct {
	StatusCode int    // e.g. 404
	Status     string // e.g. "404 Not Found"
	Method     string
	URL        string
}

// Error returns e.g. "aiohttp: GET http://host/x: 404 Not Found".
func (e *StatusError) Error() string {
	return fmt.Sprintf("aiohttp: %s %s: %s", e.Method, e.URL, e.Status)
}

// ErrNotInTask is returned by RoundTrip for a request whose context is not
// (and does not carry) an aio task's *aio.Context.
var ErrNotInTask = errors.New("aiohttp: the request's context is not an aio task's *aio.Context: create it with http.NewRequestWithContext(ctx, ...) inside a task")

// Do sends req and returns the response, in the task of ctx (the request's
// own context is used only for its httptrace.ClientTrace). It follows no
// redirects. With RaiseForStatus, a status ≥ 400 returns a *StatusError
// and no response. Task of the client's loop only.
func (c *Client) Do(ctx *aio.Context, req *http.Request) (*http.Response, error) {
	resp, err := c.roundTrip(ctx, req, false)
	if err != nil {
		return nil, err
	}
	if c.RaiseForStatus && resp.StatusCode >= 400 {
		resp.Body.Close()
		return nil, statusError(req, resp)
	}
	return resp, nil
}

func statusError(req *http.Request, resp *http.Response) *StatusError {
	return &StatusError{StatusCode: resp.StatusCode, Status: resp.Status, Method: req.Method, URL: req.URL.String()}
}

// Get sends a GET request for url; see Do. Task of the client's loop only.
func (c *Client) Get(ctx *aio.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req)
}

// Post sends a POST request for url with body and the Content-Type
// contentType; see Do. Task of the client's loop only.
func (c *Client) Post(ctx *aio.Context, url, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return c.Do(ctx, req)
}

// GetJSON fetches url with c and decodes the JSON body into a T. A status
// outside 2xx returns a *StatusError. Task of the client's loop only.
func GetJSON[T any](ctx *aio.Context, c *Client, url string) (T, error) {
	var v T
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return v, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(ctx, req)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return v, statusError(req, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return v, fmt.Errorf("aiohttp: GET %s: decoding JSON: %w", url, err)
	}
	return v, nil
}

// RoundTrip implements http.RoundTripper: it sends req in the task whose
// *aio.Context req.Context() is or carries (aio.ContextOf), and fails with
// ErrNotInTask otherwise. A standard context layered over the task's (a
// deadline of http.Client.Timeout, a cancel) also ends the request. It
// never applies RaiseForStatus. Task of the client's loop only.
func (c *Client) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, ok := aio.ContextOf(req.Context())
	if !ok {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrNotInTask
	}
	return c.roundTrip(ctx, req, req.Context().Done() != ctx.Done())
}

// CloseIdleConnections closes the pooled idle connections (http.Client's
// CloseIdleConnections calls it). Connections in use go back to the pool
// as usual. Loop goroutine of the client only.
func (c *Client) CloseIdleConnections() {
	if c.p != nil {
		c.p.closeIdle()
	}
}

// ensure the header maps we add to are ours.
func acceptsGzip(c *Client, req *http.Request) bool {
	return !c.DisableCompression && req.Method != http.MethodHead &&
		req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == ""
}

func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}
