package aiohttp

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// readRequest reads the next request from br with ctx as its context.
//
// Most requests a server sees are simple: a GET (or another method) of an
// origin-form path, a handful of ordinary header fields, no body, all of
// it already in the read buffer. Those are parsed here straight from the
// buffered bytes, with one string for the whole header block, one
// []string for the values and the request, URL and map that
// http.NewRequestWithContext makes (about half of http.ReadRequest's
// allocations, and no second Request for the context). Anything else (a
// body, an escaped path, an absolute URL, a folded or unusual header
// field, a header not yet wholly received, anything malformed) goes to
// http.ReadRequest, which has then consumed nothing: so every request gets
// exactly http.ReadRequest's result and errors, which the differential
// tests in parse_test.go check field by field.
//
// It is tempting to take more requests on the fast path (bodies with a
// Content-Length, say), but each one brings back a piece of readTransfer's
// rules (duplicate lengths, Transfer-Encoding against Content-Length): the
// requests that are cheap to get exactly right are the ones handled here.
//
// end is headerEnd(br), which the server has computed already.
func readRequest(ctx context.Context, br *bufio.Reader, end int) (*http.Request, error) {
	if req := fastRequest(ctx, br, end); req != nil {
		return req, nil
	}
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, err
	}
	return req.WithContext(ctx), nil
}

var crlfcrlf = []byte("\r\n\r\n")

// headerEnd returns the index of the "\r\n\r\n" that ends the header in
// what br has buffered, or -1 if the header is not wholly buffered (or
// uses bare line feeds).
func headerEnd(br *bufio.Reader) int {
	buf, _ := br.Peek(br.Buffered())
	return bytes.Index(buf, crlfcrlf)
}

// fastRequest parses a simple request (see readRequest) from what br has
// buffered, whose header ends at end (headerEnd), or returns nil having
// consumed nothing.
func fastRequest(ctx context.Context, br *bufio.Reader, end int) *http.Request {
	if end < 0 {
		return nil
	}
	buf, _ := br.Peek(br.Buffered())
	// Validate on the bytes first; allocate only for a request we keep.
	line := buf[:bytes.IndexByte(buf, '\r')] // the request line
	if buf[len(line)+1] != '\n' {
		return nil
	}
	method, uri, proto, ok := splitRequestLine(line)
	if !ok {
		return nil
	}
	major, minor := 1, 1
	switch string(proto) {
	case "HTTP/1.1":
	case "HTTP/1.0":
		minor = 0
	default:
		return nil
	}
	m := knownMethod(method)
	qmark := bytes.IndexByte(uri, '?')
	if m == "" || !simplePath(uri, qmark) {
		return nil
	}
	fields, hosts := 0, 0
	for rest := buf[len(line)+2 : end+2]; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\r')
		if i < 0 || i+1 >= len(rest) || rest[i+1] != '\n' {
			return nil
		}
		k, _, ok := simpleField(rest[:i])
		if !ok {
			return nil
		}
		switch {
		case bytes.EqualFold(k, []byte("Host")):
			hosts++
		case bytes.EqualFold(k, []byte("Content-Length")), bytes.EqualFold(k, []byte("Transfer-Encoding")),
			bytes.EqualFold(k, []byte("Pragma")), bytes.EqualFold(k, []byte("Trailer")):
			return nil // a body or a rewritten field: ReadRequest's rules
		}
		fields++
		rest = rest[i+2:]
	}
	if hosts != 1 {
		return nil // none (HTTP/1.0, or a bad request) or too many: ReadRequest decides
	}

	s := string(buf[len(m)+1 : end+2]) // the URI to the end of the header
	u := &url.URL{}
	if qmark >= 0 {
		u.Path = s[:qmark]
		u.RawQuery = s[qmark+1 : len(uri)]
		u.ForceQuery = qmark == len(uri)-1
	} else {
		u.Path = s[:len(uri)]
	}
	// The request is built here and given its context by WithContext,
	// which copies it to the heap: http.NewRequestWithContext would cost
	// the same allocations and parse a URL that is thrown away.
	req := http.Request{
		Method:     m,
		URL:        u,
		RequestURI: s[:len(uri)],
		Header:     make(http.Header),
		Body:       http.NoBody,
	}
	req.Proto, req.ProtoMajor, req.ProtoMinor = protoString(minor), major, minor
	if fields > 8 {
		req.Header = make(http.Header, fields-1)
	}
	values := make([]string, fields-1)
	h := req.Header
	for rest := s[len(line)-len(m)+1:]; len(rest) > 0; {
		i := strings.IndexByte(rest, '\r')
		l := rest[:i]
		rest = rest[i+2:]
		colon := strings.IndexByte(l, ':')
		k, v := l[:colon], textproto.TrimString(l[colon+1:])
		if len(k) == 4 && strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		k = http.CanonicalHeaderKey(k) // k itself (no copy) when it is canonical already
		if vv, ok := h[k]; ok {
			h[k] = append(vv, v)
			continue
		}
		values[0] = v
		h[k] = values[:1:1]
		values = values[1:]
	}
	conn := h["Connection"]
	req.Close = httpguts.HeaderValuesContainsToken(conn, "close")
	if minor == 0 && !req.Close {
		req.Close = !httpguts.HeaderValuesContainsToken(conn, "keep-alive")
	}
	_, _ = br.Discard(end + 4)
	return req.WithContext(ctx)
}

// splitRequestLine splits "METHOD SP URI SP PROTO" as http.ReadRequest
// does (at the first two spaces).
func splitRequestLine(line []byte) (method, uri, proto []byte, ok bool) {
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	uri, proto, ok2 := bytes.Cut(rest, []byte(" "))
	return method, uri, proto, ok1 && ok2
}

// knownMethod returns the method's name if it is one of the common ones,
// else "".
func knownMethod(m []byte) string {
	for _, k := range [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodDelete, http.MethodOptions, http.MethodPatch} {
		if string(m) == k {
			return k
		}
	}
	return ""
}

func protoString(minor int) string {
	if minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// simplePath reports whether uri is an origin-form path (and query) that
// url.ParseRequestURI takes as is: a path of characters it neither
// unescapes nor escapes, then, after qmark, a query of visible ASCII.
func simplePath(uri []byte, qmark int) bool {
	if len(uri) == 0 || uri[0] != '/' {
		return false
	}
	path, query := uri, []byte(nil)
	if qmark >= 0 {
		path, query = uri[:qmark], uri[qmark+1:]
	}
	for _, c := range path {
		if !pathByte[c] {
			return false
		}
	}
	for _, c := range query {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// pathByte: the bytes of a path that url.ParseRequestURI keeps as they are
// with no RawPath (RFC 3986 unreserved characters, the sub-delims it does
// not re-escape, ':', '@' and '/'); '%' is left out because it is
// unescaped, and "!'()*" because they give a RawPath.
var pathByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~$&+,;=:@/" {
		t[c] = true
	}
	return t
}()

// simpleField splits a header line "Key: value" whose key is letters,
// digits and '-' and whose value is visible ASCII, spaces and tabs.
func simpleField(l []byte) (k, v []byte, ok bool) {
	colon := bytes.IndexByte(l, ':')
	if colon <= 0 {
		return nil, nil, false
	}
	for _, c := range l[:colon] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return nil, nil, false
		}
	}
	for _, c := range l[colon+1:] {
		if (c < ' ' && c != '\t') || c >= 0x7f {
			return nil, nil, false
		}
	}
	return l[:colon], l[colon+1:], true
}
