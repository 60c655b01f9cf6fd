package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

type userKey struct{}

// r.Context() is the connection task's scope for this request: behind the
// values and cancellations that middleware wraps around it, the handler
// still finds its *aio.Context (aiohttp.TaskContext, aio.ContextOf) and
// can await in it; and, as with net/http, the request's context is done
// once the handler has returned.
func TestRequestContextSurvivesMiddlewareAndEndsWithTheHandler(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		var kept context.Context // the server's r.Context(), before the middleware wraps it
		var slept bool
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.Context().Err(); err != nil {
				t.Errorf("the request's context is done inside the handler: %v", err)
			}
			tctx := aiohttp.TaskContext(r)
			if actx, ok := aio.ContextOf(r.Context()); !ok || actx != tctx {
				t.Errorf("ContextOf = %v, %v; want the handler's task context", actx, ok)
			}
			start := tctx.Loop().Time()
			slept = aio.Sleep(tctx, 10*time.Millisecond) == nil && tctx.Loop().Time().Sub(start) >= 10*time.Millisecond
			w.Write([]byte("user=" + r.Context().Value(userKey{}).(string)))
		})
		middleware := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				kept = r.Context()
				c, cancel := context.WithCancel(context.WithValue(r.Context(), userKey{}, "ada"))
				defer cancel()
				next.ServeHTTP(w, r.WithContext(c))
			})
		}
		base, stop := serve(t, ctx, &aiohttp.Server{Handler: middleware(handler)})
		defer stop()
		// A keep-alive connection, still open when the context is checked:
		// the request's context ends with its handler, not with the
		// connection.
		c, err := aio.Dial(ctx, "tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "user=ada" || resp.Close {
			t.Errorf("response = %q (close %v), want user=ada on a kept-alive connection", body, resp.Close)
		}
		if !slept {
			t.Error("the handler could not await in its task context")
		}
		if kept == nil || !errors.Is(kept.Err(), context.Canceled) {
			t.Errorf("after the handler returned, the request's context error is %v, want context.Canceled", kept.Err())
		}
		return nil
	})
}
