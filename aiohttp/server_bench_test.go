package aiohttp_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// BenchmarkServerKeepAlive measures the server's side of one keep-alive
// request: a raw client on the same loop writes a fixed GET and reads the
// fixed-size response, so the allocations reported are the server's (the
// parser, the request, the scopes and the response writer).
func BenchmarkServerKeepAlive(b *testing.B) {
	b.ReportAllocs()
	err := aio.Run(func(ctx *aio.Context) error {
		l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &aiohttp.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = []string{"text/plain"}
			io.WriteString(w, "Hello, World!")
		})}
		served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.Serve(ctx, l); return nil })
		defer served.Await(ctx)
		defer srv.Close()
		c, err := aio.Dial(ctx, "tcp", l.Addr().String())
		if err != nil {
			return err
		}
		defer c.Close()
		req := []byte("GET /hello HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n\r\n")
		buf := make([]byte, 4096)
		// The first response tells the size of every response (the Date
		// header has a fixed width).
		size := 0
		if _, err := c.Write(req); err != nil {
			return err
		}
		for !bytes.HasSuffix(buf[:size], []byte("Hello, World!")) {
			n, err := c.Read(buf[size:])
			if err != nil {
				return err
			}
			size += n
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := c.Write(req); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, buf[:size]); err != nil {
				return err
			}
		}
		if !bytes.HasSuffix(buf[:size], []byte("Hello, World!")) {
			return fmt.Errorf("unexpected response %q", buf[:size])
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
