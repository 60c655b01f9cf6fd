package aiohttp_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// A Server and a Client on one loop: the handler is a plain http.Handler
// running in the connection's task.
func ExampleServer() {
	err := aio.Run(func(ctx *aio.Context) error {
		l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &aiohttp.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello, %s", r.URL.Query().Get("name"))
		})}
		served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { return srv.Serve(ctx, l) })

		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		resp, err := c.Get(ctx, "http://"+l.Addr().String()+"/?name=aio")
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
		fmt.Println(string(b))

		if err := srv.Shutdown(ctx); err != nil {
			return err
		}
		_, err = served.Await(ctx)
		fmt.Println("served:", err)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 200 OK text/plain; charset=utf-8
	// hello, aio
	// served: http: Server closed
}

// Client.Do sends a request built with net/http's types, in the calling
// task; RaiseForStatus turns a 404 into a *StatusError.
func ExampleClient_Do() {
	err := aio.Run(func(ctx *aio.Context) error {
		l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		m := http.NewServeMux()
		m.HandleFunc("PUT /item", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "stored %q", b)
		})
		srv := &aiohttp.Server{Handler: m}
		served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.Serve(ctx, l); return nil })
		defer served.Await(ctx)
		defer srv.Close()

		base := "http://" + l.Addr().String()
		c := &aiohttp.Client{RaiseForStatus: true}
		defer c.CloseIdleConnections()
		req, _ := http.NewRequestWithContext(ctx, "PUT", base+"/item", stringsReader("x=1"))
		resp, err := c.Do(ctx, req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(b))

		_, err = c.Get(ctx, base+"/missing")
		fmt.Println(err != nil, err.(*aiohttp.StatusError).StatusCode)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 200 stored "x=1"
	// true 404
}

// BenchmarkKeepAliveRoundTrip: one GET and its response over a reused
// keep-alive connection, client and server on the same loop.
func BenchmarkKeepAliveRoundTrip(b *testing.B) {
	b.ReportAllocs()
	err := aio.Run(func(ctx *aio.Context) error {
		base, stop := serve(b, ctx, &aiohttp.Server{Handler: helloHandler})
		defer stop()
		c := &aiohttp.Client{}
		defer c.CloseIdleConnections()
		req, _ := http.NewRequest("GET", base+"/hello", nil)
		buf := make([]byte, 64)
		b.ResetTimer()
		for b.Loop() {
			resp, err := c.Do(ctx, req)
			if err != nil {
				return err
			}
			if n, _ := io.ReadFull(resp.Body, buf[:13]); n != 13 {
				return fmt.Errorf("short body")
			}
			resp.Body.Close()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
