package aiohttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// A pooled connection is reused while it has been idle for less than the
// client's IdleTimeout and closed once it has been idle longer (aiohttp's
// keepalive_timeout), so the next request dials afresh. The loop runs on
// the virtual clock: the idle periods are an hour and two, and the test
// takes milliseconds.
func TestClientIdleTimeoutExpiresPooledConnections(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		base, stop := serve(t, ctx, &aiohttp.Server{Handler: helloHandler, IdleTimeout: 24 * time.Hour})
		defer stop()
		c := &aiohttp.Client{IdleTimeout: 90 * time.Minute}
		defer c.CloseIdleConnections()

		var got []httptrace.GotConnInfo
		trace := httptrace.WithClientTrace(context.Context(ctx), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) { got = append(got, i) },
		})
		get := func() {
			t.Helper()
			req, _ := http.NewRequestWithContext(trace, "GET", base+"/", nil)
			resp, err := c.Do(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		get()
		if err := aio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		get() // idle for an hour: reused
		if err := aio.Sleep(ctx, 2*time.Hour); err != nil {
			return err
		}
		get() // idle for two hours: closed by the pool, a new connection
		if len(got) != 3 {
			t.Fatalf("GotConn called %d times, want 3", len(got))
		}
		if got[0].Reused || !got[1].Reused || got[2].Reused {
			t.Errorf("reused = %v, %v, %v; want false, true, false", got[0].Reused, got[1].Reused, got[2].Reused)
		}
		if got[1].IdleTime < time.Hour {
			t.Errorf("the reused connection was idle %v, want an hour", got[1].IdleTime)
		}
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
}
