package aiohttp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// TestGracefulShutdown: Shutdown closes idle keep-alive connections at
// once, lets an in-flight request finish (its response says
// Connection: close), and returns when every connection task has ended.
func TestGracefulShutdown(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		inHandler := &aio.Event{}
		m := http.NewServeMux()
		m.Handle("/", mux())
		m.Handle("/sleep", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inHandler.Set()
			mux().ServeHTTP(w, r) // the shared mux's slow handler
		}))
		srv := &aiohttp.Server{Handler: m}
		base, stop := serve(t, ctx, srv)
		_ = stop
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		resp, err := c.Get(ctx, base+"/hello") // leaves an idle connection
		if err != nil {
			return err
		}
		resp.Body.Close()
		slow := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			resp, err := (&aiohttp.Client{}).Get(ctx, base+"/sleep")
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if resp.Close {
				b = append(b, " close"...)
			}
			return string(b), err
		})
		if err := inHandler.Wait(ctx); err != nil { // the slow request is in its handler
			return err
		}
		start := time.Now()
		sctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("Shutdown took %v", d)
		}
		got, err := slow.Await(ctx)
		if err != nil || got != "slept close" {
			t.Errorf("in-flight request: %q %v", got, err)
		}
		stop()
		if _, err := c.Get(ctx, base+"/hello"); err == nil {
			t.Error("the server still answers after Shutdown")
		}
		return nil
	})
}

var _ = http.StatusOK
