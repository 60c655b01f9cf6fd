package aiohttp

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// response is the http.ResponseWriter of one request. Connection task only.
type response struct {
	sc            *serverConn
	req           *http.Request
	header        http.Header
	status        int
	wroteHeader   bool
	headerSent    bool // the status line and header are on their way
	chunked       bool
	contentLength int64 // declared by the handler; -1: none
	written       int64 // body bytes accepted
	buf           []byte
	closeAfter    bool
	reqBody       *continueReader
	err           error // a write failed: the connection is done
}

var (
	_ http.Flusher  = (*response)(nil)
	_ http.Hijacker = (*response)(nil)
)

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(code int) {
	if w.wroteHeader || w.sc.hijacked {
		return
	}
	if code < 100 || code > 999 {
		panic("aiohttp: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 {
		return // informational responses other than 100 Continue are not sent
	}
	w.wroteHeader = true
	w.status = code
	if cl := get(w.header, "Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.contentLength = n
		} else {
			delete(w.header, "Content-Length")
		}
	}
}

// get is h.Get for a key already in canonical form: a map lookup, without
// Get's canonicalization of the key on every call.
func get(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

func (w *response) Write(p []byte) (int, error) {
	if w.sc.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.contentLength >= 0 && w.written+int64(len(p)) > w.contentLength {
		return 0, http.ErrContentLength
	}
	if w.err != nil {
		return 0, w.err
	}
	w.written += int64(len(p))
	if !w.headerSent {
		if len(w.buf)+len(p) <= cap(w.buf) {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		if err := w.sendBuffered(false); err != nil {
			return 0, err
		}
	}
	if err := w.writeBody(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *response) WriteString(s string) (int, error) {
	if !w.wroteHeader && !w.sc.hijacked {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent && w.wroteHeader && w.err == nil && !w.sc.hijacked && len(w.buf)+len(s) <= cap(w.buf) &&
		bodyAllowed(w.status) && (w.contentLength < 0 || w.written+int64(len(s)) <= w.contentLength) {
		// The common small body: into the buffer without converting.
		w.written += int64(len(s))
		w.buf = append(w.buf, s...)
		return len(s), nil
	}
	return w.Write([]byte(s))
}

// writeBody writes body bytes after the header (chunked if so).
func (w *response) writeBody(p []byte) error {
	if len(p) == 0 || w.req.Method == http.MethodHead {
		return nil
	}
	bw := w.sc.bw
	if w.chunked {
		bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		bw.WriteString("\r\n")
		bw.Write(p)
		_, err := bw.WriteString("\r\n")
		return w.fail(err)
	}
	_, err := bw.Write(p)
	return w.fail(err)
}

func (w *response) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
		w.closeAfter = true
	}
	return err
}

// sendHeader writes the status line and header into the buffered writer;
// final reports whether the whole body is w.buf. The fields the server
// adds (Content-Length, Transfer-Encoding, Content-Type, Connection, Date)
// are written after the handler's, without going through its map: the
// handler cannot see the map change any more, and each would cost two
// allocations per response.
func (w *response) sendHeader(final bool) {
	w.headerSent = true
	h := w.header
	req := w.req
	status := w.status
	var (
		length     = -1 // Content-Length to add
		chunked    bool
		ctype, con string
	)
	if !bodyAllowed(status) {
		delete(h, "Transfer-Encoding")
		if status == http.StatusNoContent {
			delete(h, "Content-Length")
		}
	} else if w.contentLength < 0 {
		delete(h, "Transfer-Encoding")
		switch {
		case final && (req.Method != http.MethodHead || len(w.buf) > 0):
			w.contentLength = int64(len(w.buf))
			length = len(w.buf)
		case final && req.Method == http.MethodHead:
			// unknown length of a HEAD response: send none
		case req.ProtoAtLeast(1, 1):
			w.chunked = true
			chunked = true
		default:
			w.closeAfter = true // HTTP/1.0 and unknown length: close delimits
		}
	}
	if bodyAllowed(status) && get(h, "Content-Type") == "" && get(h, "Content-Encoding") == "" && (len(w.buf) > 0 || w.req.Method != http.MethodHead) {
		if len(w.buf) > 0 {
			ctype = http.DetectContentType(w.buf)
		} else if w.written > 0 {
			ctype = "text/plain; charset=utf-8"
		}
		delete(h, "Content-Type") // an empty value the handler set
	}
	if httpguts.HeaderValuesContainsToken(h["Connection"], "close") {
		w.closeAfter = true
	}
	if w.sc.s.shutdown {
		w.closeAfter = true
	}
	if w.closeAfter {
		con = "close"
	} else if !req.ProtoAtLeast(1, 1) {
		con = "keep-alive"
	}
	if con != "" {
		delete(h, "Connection")
	}
	bw := w.sc.bw
	if req.ProtoAtLeast(1, 1) {
		bw.WriteString("HTTP/1.1 ")
	} else {
		bw.WriteString("HTTP/1.0 ")
	}
	bw.WriteString(statusLine(status))
	writeFields(bw, h)
	if length >= 0 {
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(bw.AvailableBuffer(), int64(length), 10))
		bw.WriteString("\r\n")
	}
	if chunked {
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	if ctype != "" {
		bw.WriteString("Content-Type: ")
		bw.WriteString(ctype)
		bw.WriteString("\r\n")
	}
	if con != "" {
		bw.WriteString("Connection: ")
		bw.WriteString(con)
		bw.WriteString("\r\n")
	}
	if _, ok := h["Date"]; !ok {
		bw.WriteString("Date: ")
		bw.WriteString(httpDate())
		bw.WriteString("\r\n")
	}
	bw.WriteString("\r\n")
}

var statusLines [600]string

func statusLine(code int) string {
	if code < len(statusLines) {
		if s := statusLines[code]; s != "" {
			return s
		}
	}
	text := http.StatusText(code)
	if text == "" {
		text = "status code " + strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + text + "\r\n"
}

func init() {
	for code := 100; code < len(statusLines); code++ {
		if t := http.StatusText(code); t != "" {
			statusLines[code] = strconv.Itoa(code) + " " + t + "\r\n"
		}
	}
}

var headerCleaner = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// writeFields writes the fields of h; values lose any line breaks (no
// header injection).
func writeFields(bw *bufio.Writer, h http.Header) {
	for k, vs := range h {
		if !validHeaderName(k) {
			continue
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				v = headerCleaner.Replace(v)
			}
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// finish completes the response once the handler returned.
func (w *response) finish() {
	if w.sc.hijacked {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		_ = w.sendBuffered(true)
	} else if w.chunked && w.req.Method != http.MethodHead {
		w.sc.bw.WriteString("0\r\n\r\n")
	}
	if w.contentLength >= 0 && w.written != w.contentLength && w.req.Method != http.MethodHead && bodyAllowed(w.status) {
		w.closeAfter = true // a short body: the client cannot find the next response
	}
	w.fail(w.sc.bw.Flush())
	w.sc.buf = w.buf
}

// Flush sends the header and what is buffered (http.Flusher); a response
// without Content-Length becomes chunked.
func (w *response) Flush() {
	if w.sc.hijacked || w.err != nil {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		_ = w.sendBuffered(false)
	}
	w.fail(w.sc.bw.Flush())
}

// sendBuffered writes the status line and header, then the body buffered
// so far (final: that is the whole body, so it gets a Content-Length),
// into the connection's writer; the error is the body write's.
func (w *response) sendBuffered(final bool) error {
	w.sendHeader(final)
	err := w.writeBody(w.buf)
	w.buf = w.buf[:0]
	return err
}

// Hijack hands the connection to the handler (http.Hijacker): the server
// no longer reads, writes or closes it, and it has no deadline set. The
// net.Conn is an *aio.Conn (or a *tls.Conn over one) for the tasks of the
// server's loop; the bufio.ReadWriter holds what the server had buffered.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	sc := w.sc
	if sc.hijacked {
		return nil, nil, http.ErrHijacked
	}
	if w.headerSent {
		w.fail(sc.bw.Flush())
	}
	sc.hijacked = true
	sc.io.rctx, sc.io.wctx = nil, nil
	// The server's timeouts are the connection's deadlines: the handler
	// gets the connection without them (net/http leaves them set).
	_ = sc.raw.SetDeadline(time.Time{})
	delete(sc.s.conns, sc)
	sc.s.checkIdle()
	return sc.conn, bufio.NewReadWriter(sc.br, sc.bw), nil
}

// httpDate returns the Date header value, formatted once per second.
func httpDate() string {
	// time.Until on a time with a monotonic reading reads only the
	// monotonic clock, one vDSO call where time.Now makes two.
	if d := dateCache.Load(); d != nil && time.Until(d.until) > 0 {
		return d.s
	}
	now := time.Now()
	d := &cachedDate{
		until: now.Add(time.Second - time.Duration(now.Nanosecond())), // the next whole second
		s:     now.UTC().Format(http.TimeFormat),
	}
	dateCache.Store(d)
	return d.s
}

type cachedDate struct {
	until time.Time // the string is valid until then (monotonic)
	s     string
}

var dateCache atomic.Pointer[cachedDate]
