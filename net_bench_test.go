//go:build linux

package aio_test

import (
	"os"
	"testing"

	"github.com/asyncgo/aio"
)

// BenchmarkConnRoundTrip is one Write and one Read of 64 bytes over a
// loopback TCP connection whose peer is an echo task on the same loop.
func BenchmarkConnRoundTrip(b *testing.B) {
	b.ReportAllocs()
	err := aio.Run(func(ctx *aio.Context) error {
		c, s := pair(b, ctx)
		defer c.Close()
		defer s.Close()
		aio.Go(ctx, func(ctx *aio.Context) error {
			buf := make([]byte, 64)
			for {
				n, err := s.Read(buf)
				if err != nil {
					return nil
				}
				if _, err := s.Write(buf[:n]); err != nil {
					return nil
				}
			}
		})
		msg := make([]byte, 64)
		buf := make([]byte, 64)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			for got := 0; got < len(msg); {
				n, err := c.Read(buf[got:])
				if err != nil {
					b.Fatal(err)
				}
				got += n
			}
		}
		b.StopTimer()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// TestReadAndWriteOnAReadySocketDoNotAllocate: with data waiting and room
// to write, Conn.Read and Conn.Write make no allocation.
func TestReadAndWriteOnAReadySocketDoNotAllocate(t *testing.T) {
	if os.Getenv("AIODEBUG") != "" {
		t.Skip("debug mode trades allocations for its checks")
	}
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		msg := make([]byte, 64)
		buf := make([]byte, 64)
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}
			if n, err := s.Read(buf); err != nil || n != 64 {
				t.Fatalf("Read = %d, %v", n, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per Write+Read, want 0", allocs)
		}
		return nil
	})
}
