package aiohttp

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/asyncgo/aio"
)

// ErrResponseHeaderTooLarge is returned (wrapped) when a response header
// exceeds Client.MaxResponseHeaderBytes.
var ErrResponseHeaderTooLarge = errors.New("aiohttp: response header too large")

// noResponse marks an error that happened before any byte of the
// response arrived: the request may be retried on a fresh connection.
type noResponse struct{ err error }

func (e *noResponse) Error() string { return e.err.Error() }
func (e *noResponse) Unwrap() error { return e.err }

// reqState is what a request holds until its body is done.
type reqState struct {
	cancel aio.CancelFunc // the Total or bridging scope, nil if none
	stop   func() bool    // the context.AfterFunc bridge, nil if none
}

func (s *reqState) end() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

func (c *Client) roundTrip(ctx *aio.Context, req *http.Request, bridge bool) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("aiohttp: nil Request.URL")
	}
	if req.Header == nil {
		closeBody(req)
		return nil, errors.New("aiohttp: nil Request.Header")
	}
	key, err := keyOf(req)
	if err == nil {
		key, err = c.withProxy(req, key)
	}
	if err != nil {
		closeBody(req)
		return nil, err
	}
	p, err := c.pool(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	var st reqState
	rctx := ctx
	if c.Timeout.Total > 0 {
		rctx, st.cancel = aio.WithTimeout(ctx, c.Timeout.Total)
	}
	if bridge {
		var cancel aio.CancelFunc
		rctx, cancel = aio.WithCancel(rctx)
		outer := st.cancel
		st.cancel = func() {
			cancel()
			if outer != nil {
				outer()
			}
		}
		st.stop = context.AfterFunc(req.Context(), cancel)
	}
	gz := acceptsGzip(c, req)
	if gz {
		r2 := *req
		r2.Header = req.Header.Clone()
		r2.Header.Set("Accept-Encoding", acceptEncoding)
		req = &r2
	}
	if key.proxyAuth != "" && !key.tls {
		// A plain-http request to a proxy carries the proxy's
		// credentials itself (a tunnel's CONNECT carries them instead).
		r2 := *req
		r2.Header = req.Header.Clone()
		r2.Header.Set("Proxy-Authorization", key.proxyAuth)
		req = &r2
	}
	trace := httptrace.ContextClientTrace(req.Context())
	for attempt := 0; ; attempt++ {
		pc, err := p.get(rctx, key, trace)
		if err != nil {
			st.end()
			closeBody(req)
			return nil, err
		}
		pc.io.sockRead = c.Timeout.SockRead // each read of this exchange, headers and body
		resp, err := pc.exchange(rctx, req, trace)
		if err == nil {
			c.wrapBody(p, pc, req, resp, gz, st)
			return resp, nil
		}
		p.discard(pc)
		if _, nr := errors.AsType[*noResponse](err); nr && pc.reused && attempt == 0 && isIdempotent(req) && rctx.Err() == nil {
			if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
				body, gerr := req.GetBody()
				if gerr != nil {
					st.end()
					return nil, err
				}
				r2 := *req
				r2.Body = body
				req = &r2
			}
			continue
		}
		st.end()
		return nil, fmt.Errorf("aiohttp: %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// exchange writes req on pc and reads the response header.
func (pc *pconn) exchange(ctx *aio.Context, req *http.Request, trace *httptrace.ClientTrace) (*http.Response, error) {
	pc.io.rctx, pc.io.wctx = ctx, ctx
	var err error
	if pc.key.proxy != "" && !pc.key.tls {
		err = req.WriteProxy(pc.bw) // absolute form, for the proxy
	} else {
		err = req.Write(pc.bw)
	}
	if err == nil {
		err = pc.bw.Flush()
	}
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
	}
	if err != nil {
		return nil, &noResponse{err}
	}
	pc.io.limit = pc.p.maxHeader + int64(pc.br.Size())
	defer func() { pc.io.limit = -1 }()
	if _, err := pc.br.Peek(1); err != nil {
		if errors.Is(err, ErrResponseHeaderTooLarge) {
			return nil, err
		}
		return nil, &noResponse{err}
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	for {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			if errors.Is(err, ErrResponseHeaderTooLarge) {
				return nil, err
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			if trace != nil && trace.Got1xxResponse != nil {
				if err := trace.Got1xxResponse(resp.StatusCode, textprotoHeader(resp.Header)); err != nil {
					return nil, err
				}
			}
			continue
		}
		return resp, nil
	}
}

// body is the response body: it returns the connection to the pool at EOF
// or Close. Same goroutine contract as Client.
type body struct {
	rc       io.ReadCloser
	p        *pool
	pc       *pconn
	st       reqState
	reusable bool
	done     bool
	err      error // returned once done early
}

var errBodyClosed = errors.New("aiohttp: read on closed response body")

func (b *body) Read(p []byte) (int, error) {
	if b.done {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.finish(true)
	} else if err != nil {
		b.finish(false)
		b.err = err
	}
	return n, err
}

// drainMax is how much of an unread body Close reads to keep the connection.
const drainMax = 64 << 10

func (b *body) Close() error {
	if b.done {
		return nil
	}
	ok := false
	if b.reusable {
		n, err := io.CopyN(io.Discard, b.rc, drainMax+1)
		ok = err == io.EOF && n <= drainMax
	}
	b.finish(ok)
	b.err = errBodyClosed
	return nil
}

func (b *body) finish(ok bool) {
	b.done = true
	if ok && b.reusable && b.pc.br.Buffered() == 0 {
		b.p.put(b.pc)
	} else {
		b.p.discard(b.pc)
	}
	b.st.end()
}

// acceptEncoding is what the client asks for when the caller did not set
// Accept-Encoding: the codings it decodes transparently.
const acceptEncoding = "gzip, br, zstd"

// decodedBody decodes a gzip, brotli or zstd body, lazily (the decoder
// reads from the connection only when the caller reads, so a Read still
// suspends only the task). brotli and zstd use well-kept decoders
// (github.com/andybalholm/brotli, github.com/klauspost/compress/zstd)
// rather than hand-written codecs.
type decodedBody struct {
	b   *body
	enc string
	r   io.Reader
	zd  *zstd.Decoder
}

func (d *decodedBody) Read(p []byte) (int, error) {
	if d.r == nil {
		switch d.enc {
		case "gzip":
			zr, err := gzip.NewReader(d.b)
			if err != nil {
				return 0, err
			}
			d.r = zr
		case "br":
			d.r = brotli.NewReader(d.b)
		case "zstd":
			// One goroutine-free decoder: concurrency 1 decodes in the
			// caller's goroutine, so reads stay on the task.
			zd, err := zstd.NewReader(d.b, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
			if err != nil {
				return 0, err
			}
			d.zd, d.r = zd, zd
		}
	}
	return d.r.Read(p)
}

func (d *decodedBody) Close() error {
	if d.zd != nil {
		d.zd.Close()
	}
	return d.b.Close()
}

func (c *Client) wrapBody(p *pool, pc *pconn, req *http.Request, resp *http.Response, gz bool, st reqState) {
	b := &body{rc: resp.Body, p: p, pc: pc, st: st, reusable: !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols}
	if resp.Body == http.NoBody {
		b.finish(true)
		return // NoBody stays: nothing to read
	}
	resp.Body = b
	if !gz {
		return
	}
	if enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc == "gzip" || enc == "br" || enc == "zstd" {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
		resp.Body = &decodedBody{b: b, enc: enc}
	}
}

// keyOf returns the pool key of req's target.
func keyOf(req *http.Request) (hostKey, error) {
	u := req.URL
	var k hostKey
	switch u.Scheme {
	case "http":
		k.port = "80"
	case "https":
		k.tls = true
		k.port = "443"
	default:
		return k, fmt.Errorf("aiohttp: unsupported protocol scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return k, errors.New("aiohttp: no Host in request URL")
	}
	k.host = u.Hostname()
	if p := u.Port(); p != "" {
		k.port = p
	}
	return k, nil
}

func (k hostKey) addr() string { return net.JoinHostPort(k.host, k.port) }
