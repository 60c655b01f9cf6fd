// Package httprec is a minimal buffered http.ResponseWriter, for running a
// handler and reading back what it wrote (aiohttp's Blocking handlers,
// crawl's HandlerFetcher). net/http/httptest's ResponseRecorder would do,
// but importing httptest registers a command-line flag in every program
// that links the importing package.
package httprec

import (
	"bytes"
	"net/http"
)

// Recorder records a handler's response. The first WriteHeader (or Write,
// which implies 200) sets Code; later ones are ignored, as net/http does.
// Flush does nothing: the body is all buffered. Not safe for concurrent
// use: one handler, one goroutine.
type Recorder struct {
	Code int          // 0 until the handler writes a header or body
	Body bytes.Buffer // what the handler wrote
	hdr  http.Header
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{hdr: make(http.Header)} }

// Header returns the response header the handler sets.
func (r *Recorder) Header() http.Header { return r.hdr }

// WriteHeader records code unless a status was recorded already.
func (r *Recorder) WriteHeader(code int) {
	if r.Code == 0 {
		r.Code = code
	}
}

// Write appends p to Body, recording 200 first if no status was.
func (r *Recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.Body.Write(p)
}

// Flush implements http.Flusher; it does nothing.
func (r *Recorder) Flush() {}

// Status returns the recorded status, 200 if the handler set none.
func (r *Recorder) Status() int {
	if r.Code == 0 {
		return http.StatusOK
	}
	return r.Code
}
