package aiohttp_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
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
		base, stop := serve(b, ctx, &aiohttp.Server{Handler: helloHandler})
		defer stop()
		c, err := aio.Dial(ctx, "tcp", strings.TrimPrefix(base, "http://"))
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
