//go:build linux

package aio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// streams returns two Streams over a loopback TCP pair.
func streams(t *testing.T, ctx *aio.Context, opts ...aio.StreamOption) (*aio.Stream, *aio.Stream) {
	c, s := pair(t, ctx)
	return aio.NewStream(c, opts...), aio.NewStream(s, opts...)
}

func TestStreamReads(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a, b := streams(t, ctx, aio.StreamLimit(16))
		defer a.Close()
		defer b.Close()
		b.Write(ctx, []byte("line one\nhead:BODY12345|tail"))
		b.Drain(ctx)
		if l, err := a.ReadLine(ctx); string(l) != "line one\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", l, err)
		}
		if l, err := a.ReadUntil(ctx, []byte(":")); string(l) != "head:" || err != nil {
			t.Errorf("ReadUntil = %q, %v", l, err)
		}
		if l, err := a.ReadExactly(ctx, 4); string(l) != "BODY" || err != nil {
			t.Errorf("ReadExactly = %q, %v", l, err)
		}
		if l, err := a.ReadUntil(ctx, []byte("|")); string(l) != "12345|" || err != nil {
			t.Errorf("ReadUntil = %q, %v", l, err)
		}
		// The separator does not come within the limit: the data stays.
		b.Write(ctx, []byte(strings.Repeat("x", 40)+"\n"))
		b.Drain(ctx)
		_, err := a.ReadUntil(ctx, []byte("\n"))
		var le *aio.LimitOverrunError
		if !errors.As(err, &le) {
			t.Fatalf("ReadUntil past the limit: %v", err)
		}
		if a.Buffered() < 16 {
			t.Errorf("after a LimitOverrunError %d bytes are buffered, want the data kept", a.Buffered())
		}
		if l, err := a.ReadExactly(ctx, 4); string(l) != "tail" || err != nil {
			t.Errorf("ReadExactly after the overrun = %q, %v", l, err)
		}
		// ReadLine discards a line over the limit, up to its newline.
		if _, err := a.ReadLine(ctx); !errors.As(err, &le) { // the rest of the x line
			t.Errorf("ReadLine of the rest of a long line: %v", err)
		}
		b.Write(ctx, []byte(strings.Repeat("y", 40)+"\nshort\n"))
		b.Drain(ctx)
		if _, err := a.ReadLine(ctx); !errors.As(err, &le) {
			t.Errorf("ReadLine of a long line: %v", err)
		}
		if l, err := a.ReadLine(ctx); string(l) != "short\n" || err != nil {
			t.Errorf("ReadLine after the long line = %q, %v", l, err)
		}
		// The end of the stream.
		b.Write(ctx, []byte("abc"))
		b.CloseWrite(ctx)
		_, err = a.ReadExactly(ctx, 10)
		var ie *aio.IncompleteReadError
		if !errors.As(err, &ie) || string(ie.Partial) != "abc" || ie.Expected != 10 || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("ReadExactly at EOF: %v", err)
		}
		if l, err := a.ReadLine(ctx); l != nil || err != io.EOF {
			t.Errorf("ReadLine at EOF = %q, %v", l, err)
		}
		if !a.AtEOF() {
			t.Error("AtEOF is false")
		}
		return nil
	})
}

func TestStreamHalfCloseThenStillWritable(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a, b := streams(t, ctx)
		defer a.Close()
		defer b.Close()
		a.Write(ctx, []byte("request"))
		if err := a.CloseWrite(ctx); err != nil {
			t.Fatal(err)
		}
		req, err := b.ReadAll(ctx) // until the half-close
		if string(req) != "request" || err != nil {
			t.Fatalf("ReadAll = %q, %v", req, err)
		}
		b.Write(ctx, []byte("response after EOF"))
		b.Drain(ctx)
		b.Close()
		if resp, err := a.ReadAll(ctx); string(resp) != "response after EOF" || err != nil {
			t.Errorf("the half-closed side read %q, %v", resp, err)
		}
		return nil
	})
}

func TestStreamConcurrentReadsAreAnError(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a, b := streams(t, ctx)
		defer a.Close()
		defer b.Close()
		first := aio.Spawn(ctx, func(ctx *aio.Context) ([]byte, error) { return a.ReadLine(ctx) })
		aio.Sleep(ctx, 0)
		if _, err := a.ReadLine(ctx); !errors.Is(err, aio.ErrConcurrentRead) {
			t.Errorf("second concurrent read: %v", err)
		}
		b.Write(ctx, []byte("x\n"))
		b.Drain(ctx)
		if l, err := first.Await(ctx); string(l) != "x\n" || err != nil {
			t.Errorf("first read = %q, %v", l, err)
		}
		return nil
	})
}

func TestStreamWriteAppliesBackpressureAtTheHighWaterMark(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		a, b := streams(t, ctx, aio.StreamWaterMarks(1<<20, 1<<18))
		defer a.Close()
		defer b.Close()
		chunk := make([]byte, 64<<10)
		written := 0
		writer := aio.Go(ctx, func(ctx *aio.Context) error {
			for written < 64<<20 {
				if err := a.Write(ctx, chunk); err != nil {
					return err
				}
				written += len(chunk)
				if a.WriteBuffered() > 1<<20 {
					t.Errorf("write buffer holds %d bytes, over the high water mark", a.WriteBuffered())
				}
			}
			return a.Drain(ctx)
		})
		aio.Sleep(ctx, time.Second)
		if writer.Done() || written >= 64<<20 {
			t.Fatal("the writer was not held back by a peer that does not read")
		}
		n, err := io.Copy(io.Discard, io.LimitReader(b.Conn(), 64<<20))
		if n != 64<<20 || err != nil {
			t.Fatalf("read %d, %v", n, err)
		}
		if _, err := writer.Await(ctx); err != nil {
			t.Error(err)
		}
		return nil
	})
}

func upperHandler(ctx *aio.Context, s *aio.Stream) error {
	for {
		line, err := s.ReadLine(ctx)
		if err != nil {
			return nil
		}
		s.Write(ctx, bytes.ToUpper(line))
		if err := s.Drain(ctx); err != nil {
			return nil
		}
	}
}

func TestServerServesEachConnectionInItsOwnTask(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", upperHandler)
		if err != nil {
			t.Fatal(err)
		}
		var clients []*aio.Stream
		for i := 0; i < 5; i++ {
			c, err := aio.OpenConnection(ctx, "tcp", srv.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
		}
		for i, c := range clients {
			c.Write(ctx, []byte("hello\n"))
			c.Drain(ctx)
			if l, err := c.ReadLine(ctx); string(l) != "HELLO\n" || err != nil {
				t.Errorf("client %d got %q, %v", i, l, err)
			}
		}
		if srv.Connections() != 5 || srv.Accepted() != 5 {
			t.Errorf("Connections %d, Accepted %d", srv.Connections(), srv.Accepted())
		}
		// Close stops accepting; the served connections go on.
		srv.Close()
		aio.Sleep(ctx, 0)
		if _, err := aio.Dial(ctx, "tcp", srv.Addr().String()); err == nil {
			t.Error("Dial after Close succeeded")
		}
		clients[0].Write(ctx, []byte("still\n"))
		clients[0].Drain(ctx)
		if l, _ := clients[0].ReadLine(ctx); string(l) != "STILL\n" {
			t.Errorf("after Close a served client got %q", l)
		}
		// Graceful shutdown: clients that hang up let it finish.
		for _, c := range clients {
			c.Close()
		}
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		return nil
	})
}

func TestServerShutdownClosesClientsAfterItsDeadline(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", upperHandler)
		if err != nil {
			t.Fatal(err)
		}
		c, err := aio.OpenConnection(ctx, "tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		aio.Sleep(ctx, 0)
		sctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		start := ctx.Loop().Time()
		err = srv.Shutdown(sctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown with an idle client: %v, want a deadline error", err)
		}
		if d := ctx.Loop().Time().Sub(start); d != 5*time.Second {
			t.Errorf("Shutdown took %v", d)
		}
		if srv.Connections() != 0 {
			t.Errorf("%d connections left", srv.Connections())
		}
		if l, err := c.ReadLine(ctx); err != io.EOF {
			t.Errorf("client after Shutdown: %q, %v", l, err)
		}
		return nil
	})
}

// A ReadInto with a slice at least as large as the stream's buffer reads
// from the connection straight into it when nothing is buffered, and
// takes what is buffered first otherwise; the end of the stream shows
// once the data is consumed, and stays.
func TestStreamReadIntoALargeSliceReadsDirectlyAndKeepsOrder(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		st := aio.NewStream(s)
		defer st.Close()
		big := make([]byte, 1<<20)
		c.Write([]byte("line one\nrest"))
		if line, err := st.ReadLine(ctx); string(line) != "line one\n" || err != nil {
			t.Fatalf("ReadLine = %q, %v", line, err)
		}
		if n, err := st.ReadInto(ctx, big); string(big[:n]) != "rest" || err != nil {
			t.Fatalf("ReadInto after ReadLine = %q, %v; want the buffered rest", big[:n], err)
		}
		c.Write([]byte("direct"))
		if n, err := st.ReadInto(ctx, big); string(big[:n]) != "direct" || err != nil {
			t.Fatalf("ReadInto with nothing buffered = %q, %v", big[:n], err)
		}
		if st.Buffered() != 0 {
			t.Errorf("%d bytes buffered after a direct read", st.Buffered())
		}
		c.Write([]byte("last"))
		c.CloseWrite()
		if n, err := st.ReadInto(ctx, big); string(big[:n]) != "last" || err != nil {
			t.Fatalf("the last data = %q, %v", big[:n], err)
		}
		for range 2 {
			if n, err := st.ReadInto(ctx, big); n != 0 || err != io.EOF {
				t.Fatalf("at the end: %d, %v; want 0, io.EOF", n, err)
			}
		}
		if !st.AtEOF() {
			t.Error("AtEOF is false after the end of the stream")
		}
		return nil
	})
}

// ReadInto reads what is buffered into the caller's slice, without
// allocating, and reports io.EOF at the end.
func TestStreamReadIntoReadsWithoutAllocating(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		st := aio.NewStream(s)
		defer st.Close()
		buf := make([]byte, 8)
		c.Write([]byte("hello"))
		n, err := st.ReadInto(ctx, buf)
		if n != 5 || err != nil || string(buf[:n]) != "hello" {
			t.Fatalf("ReadInto = %d %q, %v", n, buf[:n], err)
		}
		if os.Getenv("AIODEBUG") == "" && !raceEnabled { // both trade allocations for checks
			allocs := testing.AllocsPerRun(50, func() {
				c.Write([]byte("abc"))
				if n, err := st.ReadInto(ctx, buf); n != 3 || err != nil {
					t.Fatalf("ReadInto = %d, %v", n, err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per Write+ReadInto", allocs)
			}
		}
		c.CloseWrite()
		if n, err := st.ReadInto(ctx, buf); n != 0 || err != io.EOF {
			t.Fatalf("at the end: %d, %v; want 0, io.EOF", n, err)
		}
		return nil
	})
}
