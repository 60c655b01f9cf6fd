//go:build linux

package aio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// proto is a Protocol (with WriteFlowControl) made of optional functions;
// it records what it saw.
type proto struct {
	t        aio.Transport
	got      []byte
	eofs     int
	lostErr  error
	lostN    int
	paused   int
	resumed  int
	onMade   func(p *proto)
	onData   func(p *proto, b []byte)
	onEOF    func(p *proto) bool
	onLost   func(p *proto)
	onPause  func(p *proto)
	onResume func(p *proto)
}

func (p *proto) ConnectionMade(t aio.Transport) {
	p.t = t
	if p.onMade != nil {
		p.onMade(p)
	}
}

func (p *proto) DataReceived(b []byte) {
	if p.onData != nil {
		p.onData(p, b)
		return
	}
	p.got = append(p.got, b...)
}

func (p *proto) EOFReceived() bool {
	p.eofs++
	if p.onEOF != nil {
		return p.onEOF(p)
	}
	return false
}

func (p *proto) ConnectionLost(err error) {
	p.lostErr = err
	p.lostN++
	if p.onLost != nil {
		p.onLost(p)
	}
}

func (p *proto) PauseWriting() {
	p.paused++
	if p.onPause != nil {
		p.onPause(p)
	}
}

func (p *proto) ResumeWriting() {
	p.resumed++
	if p.onResume != nil {
		p.onResume(p)
	}
}

// echoProto echoes what it receives and closes at EOF.
func echoProto() *proto {
	return &proto{onData: func(p *proto, b []byte) { p.t.Write(b) }}
}

// TestProtocolEchoServerWith100Clients: a CreateServer echo server in
// protocol form (no task per connection) serves 100 concurrent clients;
// every client gets its own bytes back; each connection's ConnectionLost
// is called once with nil; WaitClosed returns once the server is closed and
// every connection is gone.
func TestProtocolEchoServerWith100Clients(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		var protos []*proto
		srv, err := aio.CreateServer(ctx, func() *proto {
			p := echoProto()
			protos = append(protos, p)
			return p
		}, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		tasksBefore := len(aio.AllTasks(ctx))
		const clients = 100
		err = aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			for i := range clients {
				tg.Go(func(ctx *aio.Context) error {
					c, err := aio.Dial(ctx, "tcp", srv.Addr().String())
					if err != nil {
						return err
					}
					defer c.Close()
					msg := bytes.Repeat([]byte(fmt.Sprintf("client %03d;", i)), 100+i)
					if _, err := c.Write(msg); err != nil {
						return err
					}
					c.CloseWrite()
					got, err := io.ReadAll(c)
					if err != nil {
						return err
					}
					if !bytes.Equal(got, msg) {
						return fmt.Errorf("client %d: got %d bytes back, want %d", i, len(got), len(msg))
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(aio.AllTasks(ctx)); n > tasksBefore {
			t.Errorf("%d tasks after the clients, %d before: the server runs tasks", n, tasksBefore)
		}
		srv.Close()
		wctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := srv.WaitClosed(wctx); err != nil {
			t.Fatalf("WaitClosed: %v (%d connections left)", err, srv.Connections())
		}
		if srv.Accepted() != clients || len(protos) != clients {
			t.Errorf("accepted %d, %d protocols", srv.Accepted(), len(protos))
		}
		for i, p := range protos {
			if p.lostN != 1 || p.lostErr != nil || p.eofs != 1 {
				t.Errorf("protocol %d: lost %d times (%v), %d EOFs", i, p.lostN, p.lostErr, p.eofs)
			}
		}
		return nil
	})
}

// serveOne starts a protocol server whose factory returns p (once), dials
// it, and returns the client connection once ConnectionMade ran.
func serveOne(t *testing.T, ctx *aio.Context, p *proto) (*aio.ProtocolServer, *aio.Conn) {
	t.Helper()
	made := aio.NewFuture[struct{}](ctx)
	inner := p.onMade
	p.onMade = func(p *proto) {
		if inner != nil {
			inner(p)
		}
		made.SetResult(struct{}{})
	}
	srv, err := aio.CreateServer(ctx, func() *proto { return p }, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := aio.Dial(ctx, "tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := made.Await(ctx); err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// TestProtocolPauseAndResumeReading: while reading is paused no data is
// delivered, however long the loop runs; ResumeReading delivers it.
func TestProtocolPauseAndResumeReading(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		arrived := aio.NewFuture[struct{}](ctx)
		p := &proto{
			onMade: func(p *proto) { p.t.PauseReading() },
			onData: func(p *proto, b []byte) {
				p.got = append(p.got, b...)
				if len(p.got) == 5 && !arrived.Done() {
					arrived.SetResult(struct{}{})
				}
			},
		}
		srv, c := serveOne(t, ctx, p)
		defer srv.Close()
		defer c.Close()
		if p.t.IsReading() {
			t.Error("IsReading after PauseReading")
		}
		c.Write([]byte("hello"))
		if err := aio.Sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
		if len(p.got) != 0 {
			t.Fatalf("%q delivered while paused", p.got)
		}
		p.t.ResumeReading()
		wctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := arrived.Await(wctx); err != nil || string(p.got) != "hello" {
			t.Fatalf("after ResumeReading: %q, %v", p.got, err)
		}
		return nil
	})
}

// TestProtocolWriteBufferLimitsPauseAndResumeWriting: writing 8 MiB to a
// peer that does not read fills the write buffer past the high mark:
// PauseWriting is called once; when the peer reads, the buffer drains to
// the low mark and ResumeWriting is called; every byte arrives in order.
func TestProtocolWriteBufferLimitsPauseAndResumeWriting(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		const total = 8 << 20
		chunk := make([]byte, 256<<10)
		for i := range chunk {
			chunk[i] = byte(i)
		}
		var sizeAtPause, sizeAtResume int
		p := &proto{
			onMade: func(p *proto) {
				p.t.SetWriteBufferLimits(128<<10, 32<<10)
				if lo, hi := p.t.GetWriteBufferLimits(); lo != 32<<10 || hi != 128<<10 {
					t.Errorf("limits %d, %d", lo, hi)
				}
				for range total / len(chunk) {
					p.t.Write(chunk)
				}
			},
			onPause:  func(p *proto) { sizeAtPause = p.t.GetWriteBufferSize() },
			onResume: func(p *proto) { sizeAtResume = p.t.GetWriteBufferSize(); p.t.Close() },
		}
		srv, c := serveOne(t, ctx, p)
		defer srv.Close()
		defer c.Close()
		if p.paused != 1 || sizeAtPause <= 128<<10 {
			t.Fatalf("PauseWriting called %d times, buffer %d", p.paused, sizeAtPause)
		}
		if err := aio.Sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
		if p.resumed != 0 {
			t.Fatal("ResumeWriting while the peer reads nothing")
		}
		got, err := io.ReadAll(c)
		if err != nil || len(got) != total {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		for i := 0; i < total; i += len(chunk) {
			if !bytes.Equal(got[i:i+len(chunk)], chunk) {
				t.Fatalf("data differs at chunk %d", i/len(chunk))
			}
		}
		if p.resumed != 1 || sizeAtResume > 32<<10 {
			t.Errorf("ResumeWriting called %d times, buffer %d", p.resumed, sizeAtResume)
		}
		return nil
	})
}

// TestProtocolAbortDropsBufferedData: Abort with megabytes buffered closes
// at once: the peer gets far less than was written, and ConnectionLost(nil)
// is called; Close instead delivers everything.
func TestProtocolAbortDropsBufferedData(t *testing.T) {
	for _, abort := range []bool{true, false} {
		t.Run(fmt.Sprint("abort=", abort), func(t *testing.T) {
			runNet(t, false, func(ctx *aio.Context) error {
				const total = 8 << 20
				lost := aio.NewFuture[struct{}](ctx)
				p := &proto{
					onMade: func(p *proto) {
						p.t.Write(make([]byte, total))
						if p.t.GetWriteBufferSize() == 0 {
							t.Error("nothing buffered")
						}
						if abort {
							p.t.Abort()
						} else {
							p.t.Close()
						}
						if !p.t.IsClosing() {
							t.Error("not IsClosing")
						}
						if err := p.t.Write([]byte("x")); !errors.Is(err, aio.ErrTransportClosing) {
							t.Errorf("Write after close: %v", err)
						}
					},
					onLost: func(p *proto) { lost.SetResult(struct{}{}) },
				}
				srv, c := serveOne(t, ctx, p)
				defer srv.Close()
				defer c.Close()
				if abort {
					if _, err := lost.Await(ctx); err != nil || p.lostErr != nil {
						t.Fatalf("ConnectionLost: %v, %v", p.lostErr, err)
					}
				}
				got, _ := io.ReadAll(c)
				if abort && len(got) >= total {
					t.Errorf("aborted: the peer read all %d bytes", len(got))
				}
				if !abort && len(got) != total {
					t.Errorf("closed: the peer read %d bytes of %d", len(got), total)
				}
				_, err := lost.Await(ctx)
				return err
			})
		})
	}
}

// TestProtocolEOFKeepOpen: EOFReceived returning true keeps the transport
// open for writing (the reply after the peer's EOF arrives); returning
// false closes it (the peer reads EOF, nothing else).
func TestProtocolEOFKeepOpen(t *testing.T) {
	for _, keep := range []bool{true, false} {
		t.Run(fmt.Sprint("keepOpen=", keep), func(t *testing.T) {
			runNet(t, false, func(ctx *aio.Context) error {
				p := &proto{onEOF: func(p *proto) bool {
					if keep {
						p.t.Write([]byte("got " + string(p.got)))
						p.t.Close()
					}
					return keep
				}}
				srv, c := serveOne(t, ctx, p)
				defer srv.Close()
				defer c.Close()
				c.Write([]byte("question"))
				c.CloseWrite()
				got, err := io.ReadAll(c)
				want := ""
				if keep {
					want = "got question"
				}
				if err != nil || string(got) != want {
					t.Fatalf("peer read %q, %v; want %q", got, err, want)
				}
				srv.Close()
				if err := srv.WaitClosed(ctx); err != nil {
					return err
				}
				if p.eofs != 1 || p.lostN != 1 || p.lostErr != nil {
					t.Errorf("%d EOFs, lost %d times (%v)", p.eofs, p.lostN, p.lostErr)
				}
				return nil
			})
		})
	}
}

// bufProto is a BufferedProtocol with a tiny buffer.
type bufProto struct {
	t    aio.Transport
	buf  [7]byte
	got  []byte
	hint int
	done *aio.Future[struct{}]
}

func (b *bufProto) ConnectionMade(t aio.Transport) { b.t = t }
func (b *bufProto) GetBuffer(hint int) []byte      { b.hint = hint; return b.buf[:] }
func (b *bufProto) BufferUpdated(n int)            { b.got = append(b.got, b.buf[:n]...) }
func (b *bufProto) EOFReceived() bool              { b.t.Write(b.got); return false }
func (b *bufProto) ConnectionLost(err error)       { b.done.SetResult(struct{}{}) }

// TestBufferedProtocolReadsIntoItsOwnBuffer: a BufferedProtocol receives
// a 1000-byte message through a 7-byte buffer, in order, and can write
// back at EOF; CreateConnection drives the client side in protocol form.
func TestBufferedProtocolReadsIntoItsOwnBuffer(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		bp := &bufProto{done: aio.NewFuture[struct{}](ctx)}
		srv, err := aio.CreateServer(ctx, func() *bufProto { return bp }, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer srv.Close()
		clientDone := aio.NewFuture[struct{}](ctx)
		msg := bytes.Repeat([]byte("0123456789"), 100)
		tr, cp, err := aio.CreateConnection(ctx, func() *proto {
			return &proto{
				onMade: func(p *proto) { p.t.Write(msg); p.t.WriteEOF() },
				onLost: func(p *proto) { clientDone.SetResult(struct{}{}) },
			}
		}, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		if tr.RemoteAddr().String() != srv.Addr().String() || !tr.CanWriteEOF() {
			t.Errorf("RemoteAddr %v", tr.RemoteAddr())
		}
		if _, err := clientDone.Await(ctx); err != nil {
			return err
		}
		if _, err := bp.done.Await(ctx); err != nil {
			return err
		}
		if !bytes.Equal(bp.got, msg) || bp.hint <= 0 {
			t.Errorf("server got %d bytes (hint %d)", len(bp.got), bp.hint)
		}
		if !bytes.Equal(cp.got, msg) || cp.eofs != 1 || cp.lostErr != nil {
			t.Errorf("client got %d bytes back, %d EOFs, lost %v", len(cp.got), cp.eofs, cp.lostErr)
		}
		return nil
	})
}

// dgramProto records datagrams and errors.
type dgramProto struct {
	t       aio.DatagramTransport
	echo    bool
	got     []string
	from    []net.Addr
	errs    []error
	lost    int
	lostErr error
	signal  *aio.Future[struct{}]
}

func (d *dgramProto) ConnectionMade(t aio.DatagramTransport) { d.t = t }
func (d *dgramProto) DatagramReceived(b []byte, addr net.Addr) {
	d.got = append(d.got, string(b))
	d.from = append(d.from, addr)
	if d.echo {
		d.t.SendTo(b, addr)
	}
	if d.signal != nil && !d.signal.Done() {
		d.signal.SetResult(struct{}{})
	}
}
func (d *dgramProto) ErrorReceived(err error) {
	d.errs = append(d.errs, err)
	if d.signal != nil && !d.signal.Done() {
		d.signal.SetResult(struct{}{})
	}
}
func (d *dgramProto) ConnectionLost(err error) {
	d.lost++
	d.lostErr = err
}

// TestDatagramEndpointEcho: a CreateDatagramEndpoint echo server answers
// a connected endpoint's datagrams, with the sender's address; sending to
// a port nobody listens on reports ECONNREFUSED through ErrorReceived.
func TestDatagramEndpointEcho(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		str, sp, err := aio.CreateDatagramEndpoint(ctx, func() *dgramProto { return &dgramProto{echo: true} }, "udp", "127.0.0.1:0", "")
		if err != nil {
			return err
		}
		cp := &dgramProto{signal: aio.NewFuture[struct{}](ctx)}
		ctr, _, err := aio.CreateDatagramEndpoint(ctx, func() *dgramProto { return cp }, "udp", "", str.LocalAddr().String())
		if err != nil {
			return err
		}
		if err := ctr.SendTo([]byte("ping"), nil); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := cp.signal.Await(wctx); err != nil {
			t.Fatal(err)
		}
		if len(cp.got) != 1 || cp.got[0] != "ping" || cp.from[0].String() != str.LocalAddr().String() {
			t.Errorf("client got %q from %v", cp.got, cp.from)
		}
		if len(sp.from) != 1 || sp.from[0].String() != ctr.LocalAddr().String() {
			t.Errorf("server saw %v", sp.from)
		}
		str.Close()
		ctr.Close()

		// A connected endpoint whose peer is gone hears ECONNREFUSED.
		// (A standard library socket: its Close is synchronous.)
		gone, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		addr := gone.LocalAddr().String()
		gone.Close()
		ep := &dgramProto{signal: aio.NewFuture[struct{}](ctx)}
		etr, _, err := aio.CreateDatagramEndpoint(ctx, func() *dgramProto { return ep }, "udp", "", addr)
		if err != nil {
			return err
		}
		etr.SendTo([]byte("anyone?"), nil)
		if _, err := ep.signal.Await(wctx); err != nil {
			t.Fatal(err)
		}
		if len(ep.errs) != 1 || !errors.Is(ep.errs[0], syscall.ECONNREFUSED) {
			t.Errorf("ErrorReceived: %v", ep.errs)
		}
		etr.Close()
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		if sp.lost != 1 || cp.lost != 1 || ep.lost != 1 {
			t.Errorf("ConnectionLost calls: %d %d %d", sp.lost, cp.lost, ep.lost)
		}
		return nil
	})
}

// TestProtocolCallbackPanicAbortsTheTransport: a DataReceived that panics
// is reported by the loop (as any callback's panic), and its transport is
// aborted: ConnectionLost gets an error, the peer sees the end; the loop
// and the other connections go on.
func TestProtocolCallbackPanicAbortsTheTransport(t *testing.T) {
	var reports []string
	err := aio.Run(func(ctx *aio.Context) error {
		lost := aio.NewFuture[struct{}](ctx)
		p := &proto{
			onData: func(p *proto, b []byte) { panic("boom") },
			onLost: func(p *proto) { lost.SetResult(struct{}{}) },
		}
		srv, c := serveOne(t, ctx, p)
		defer srv.Close()
		defer c.Close()
		c.Write([]byte("x"))
		if _, err := lost.Await(ctx); err != nil {
			return err
		}
		if !errors.Is(p.lostErr, aio.ErrProtocolPanicked) {
			t.Errorf("ConnectionLost(%v) after a panic", p.lostErr)
		}
		if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("peer Read = %d, %v; want the end", n, err)
		}
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})), aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		reports = append(reports, fmt.Sprint(ec.Message, ": ", ec.Err))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "boom") {
		t.Errorf("loop reports: %q", reports)
	}
}

// A transport still open when Run ends is not dropped silently: its
// protocol's ConnectionLost runs once, with ErrLoopClosed, before the
// descriptor is closed (asyncio leaves such transports to the garbage
// collector's ResourceWarning).
func TestTransportsOpenWhenRunEndsGetConnectionLost(t *testing.T) {
	var cp, sp *proto
	var dp *dgramProto
	runNet(t, false, func(ctx *aio.Context) error {
		srv, err := aio.CreateServer(ctx, func() *proto {
			sp = &proto{}
			return sp
		}, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		_, cp, err = aio.CreateConnection(ctx, func() *proto { return &proto{} }, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		_, dp, err = aio.CreateDatagramEndpoint(ctx, func() *dgramProto { return &dgramProto{} }, "udp", "127.0.0.1:0", "")
		if err != nil {
			return err
		}
		for sp == nil { // the server side's transport is made at the accept
			if err := aio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		return nil // main returns with the three transports (and the server) open
	})
	for name, p := range map[string]*proto{"client": cp, "server side": sp} {
		if p.lostN != 1 || !errors.Is(p.lostErr, aio.ErrLoopClosed) {
			t.Errorf("%s: ConnectionLost called %d times, last with %v; want once with ErrLoopClosed", name, p.lostN, p.lostErr)
		}
	}
	if dp.lost != 1 || !errors.Is(dp.lostErr, aio.ErrLoopClosed) {
		t.Errorf("datagram: ConnectionLost called %d times, last with %v; want once with ErrLoopClosed", dp.lost, dp.lostErr)
	}
}

// Transport calls from a goroutine that is not the loop's are caught as
// the other loop-bound calls are.
func TestTransportCallsFromAnotherGoroutineAreCaught(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		srv, err := aio.CreateServer(ctx, func() *proto { return &proto{} }, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer srv.Close()
		tr, _, err := aio.CreateConnection(ctx, func() *proto { return &proto{} }, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		defer tr.Abort()
		dtr, _, err := aio.CreateDatagramEndpoint(ctx, func() *dgramProto { return &dgramProto{} }, "udp", "127.0.0.1:0", "")
		if err != nil {
			return err
		}
		defer dtr.Abort()
		for op, call := range map[string]func(){
			"Transport.Write":                func() { tr.Write([]byte("x")) },
			"Transport.PauseReading":         tr.PauseReading,
			"Transport.Close":                tr.Close,
			"DatagramTransport.SendTo":       func() { dtr.SendTo([]byte("x"), dtr.LocalAddr()) },
			"Transport.SetWriteBufferLimits": func() { tr.SetWriteBufferLimits(1, 0) },
		} {
			expectMisuse(t, goWhileLoopIdle(ctx, call), aio.ErrWrongGoroutine, op)
		}
		return nil
	})
}
