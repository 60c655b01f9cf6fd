package aiohttp_test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// A Client with its own Dial talks HTTP over a Unix socket (aiohttp's
// UnixConnector, the Docker API's transport): the URL names the host the
// request is for, Dial decides where the bytes go, and the connection is
// pooled like any other.
func TestClientDialsAUnixSocket(t *testing.T) {
	runLoop(t, func(ctx *aio.Context) error {
		path := filepath.Join(t.TempDir(), "api.sock")
		l, err := aio.Listen(ctx, "unix", path)
		if err != nil {
			return err
		}
		srv := &aiohttp.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("over unix: " + r.Host + r.URL.Path))
		})}
		served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.Serve(ctx, l); return nil })
		defer served.Await(ctx)
		defer srv.Close()

		dials := 0
		c := &aiohttp.Client{Dial: func(ctx *aio.Context, network, address string) (*aio.Conn, error) {
			dials++
			if network != "tcp" || address != "docker:80" {
				t.Errorf("Dial(%q, %q), want tcp and the URL's host:port", network, address)
			}
			return aio.Dial(ctx, "unix", path)
		}}
		defer c.CloseIdleConnections()
		for range 2 {
			got, err := getBody(t, ctx, c, "http://docker/v1/info", nil)
			if got != "over unix: docker/v1/info" || err != nil {
				t.Errorf("GET over the socket: %q, %v", got, err)
			}
		}
		if dials != 1 {
			t.Errorf("%d dials for two requests, want 1 (the connection is pooled)", dials)
		}

		broken := &aiohttp.Client{Dial: func(*aio.Context, string, string) (*aio.Conn, error) { return nil, nil }}
		if _, err := getBody(t, ctx, broken, "http://docker/", nil); err == nil {
			t.Error("a Dial that returns nothing must fail the request")
		}
		return nil
	})
}
