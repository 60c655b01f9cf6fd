package aiohttp

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/httprec"
)

// MaxBlockingBody caps the request body Blocking reads into memory before
// it hands the request to the worker goroutine; a larger body gets 413.
const MaxBlockingBody = 32 << 20

// Blocking returns a handler that runs h off the loop, through
// aio.ToThread, for handlers that block (a mutex, a blocking syscall, a
// long computation): the connection task awaits it while the loop serves
// the other connections. The request body is read into memory first (at
// most MaxBlockingBody), h writes into a buffered response that is sent
// when h returns (Flush is a no-op, Hijack is not supported), and
// r.Context() in h is ToThread's context: cancelled when the connection
// task is, carrying no *aio.Context. Outside an aiohttp Server (no task in
// the request's context), Blocking calls h directly.
//
// h runs on a worker goroutine; the returned handler is for the
// connection tasks of an aiohttp Server.
func Blocking(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, ok := aio.ContextOf(r.Context())
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(io.LimitReader(r.Body, MaxBlockingBody+1))
			if err != nil {
				http.Error(w, "reading request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			if len(b) > MaxBlockingBody {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			body = b
		}
		rec, err := aio.ToThread(ctx, func(tctx context.Context) (*httprec.Recorder, error) {
			r2 := r.Clone(tctx)
			r2.Body = io.NopCloser(bytes.NewReader(body))
			if body == nil {
				r2.Body = http.NoBody
			}
			rec := httprec.New()
			h.ServeHTTP(rec, r2)
			return rec, nil
		})
		if err != nil {
			if pe, ok := err.(*aio.PanicError); ok {
				panic(pe)
			}
			return // cancelled: the connection is going away
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Status())
		_, _ = w.Write(rec.Body.Bytes())
	})
}
