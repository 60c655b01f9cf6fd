//go:build linux

package aio_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a DNS server on loopback UDP, served by a plain goroutine: it
// answers A queries for the names in a, after delay; it never answers the
// names in hang; every other name is NXDOMAIN, and AAAA queries get an
// empty answer.
type fakeDNS struct {
	pc       net.PacketConn
	a        map[string]netip.Addr
	hang     map[string]bool
	delay    time.Duration
	aQueries sync.Map // name -> *atomic.Int32
	wg       sync.WaitGroup
}

func startFakeDNS(t *testing.T, s *fakeDNS) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.pc = pc
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { pc.Close(); s.wg.Wait() })
	return s
}

func (s *fakeDNS) serve() {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		name := q.Name.String()
		if s.hang[name] {
			continue
		}
		if q.Type == dnsmessage.TypeA {
			c, _ := s.aQueries.LoadOrStore(name, new(atomic.Int32))
			c.(*atomic.Int32).Add(1)
			time.Sleep(s.delay) // a slow resolver: the loop must not notice
		}
		ip, known := s.a[name]
		rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
		if !known {
			rh.RCode = dnsmessage.RCodeNameError
		}
		b := dnsmessage.NewBuilder(nil, rh)
		b.EnableCompression()
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		if known && q.Type == dnsmessage.TypeA {
			_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.AResource{A: ip.As4()})
		}
		msg, err := b.Finish()
		if err != nil {
			continue
		}
		_, _ = s.pc.WriteTo(msg, from)
	}
}

// queriesFor returns how many A queries for name the server received.
func (s *fakeDNS) queriesFor(name string) int32 {
	if c, ok := s.aQueries.Load(name); ok {
		return c.(*atomic.Int32).Load()
	}
	return 0
}

// Dial resolves a host name off the loop (a slow DNS server does not stop
// a ticker task), caches the answer (a second Dial sends no query),
// reports an unknown name as a *net.DNSError, and a lookup that never gets
// an answer ends with the dial's scope, sockets and worker included (the
// file descriptors are counted after the loop closes, and goleak checks
// the goroutines).
func TestHostNamesResolveOffTheLoopAndAreCached(t *testing.T) {
	dns := startFakeDNS(t, &fakeDNS{
		a:     map[string]netip.Addr{"svc.test.": netip.MustParseAddr("127.0.0.1")},
		hang:  map[string]bool{"hang.test.": true},
		delay: 100 * time.Millisecond,
	})
	runNet(t, true, func(ctx *aio.Context) error {
		ctx.Loop().SetDNSServer(dns.pc.LocalAddr().String())
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		accepted := aio.Go(ctx, func(ctx *aio.Context) error {
			for range 2 {
				c, err := ln.Accept()
				if err != nil {
					return err
				}
				c.Close()
			}
			return nil
		})

		ticks, stop := ticker(ctx)
		defer stop()
		c, err := aio.Dial(ctx, "tcp", "svc.test:"+port)
		if err != nil {
			t.Fatalf("Dial svc.test: %v", err)
		}
		c.Close()
		if n := ticks(); n < 2 {
			t.Errorf("the ticker ticked %d times during a 100 ms lookup: the lookup blocked the loop", n)
		}
		if q := dns.queriesFor("svc.test."); q != 1 {
			t.Errorf("%d A queries for svc.test, want 1", q)
		}

		c, err = aio.Dial(ctx, "tcp", "svc.test:"+port)
		if err != nil {
			t.Fatalf("second Dial svc.test: %v", err)
		}
		c.Close()
		if q := dns.queriesFor("svc.test."); q != 1 {
			t.Errorf("%d A queries for svc.test after a second Dial, want 1 (cached)", q)
		}
		if _, err := accepted.Await(ctx); err != nil {
			return err
		}

		_, err = aio.Dial(ctx, "tcp", "nope.test:"+port)
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
			t.Errorf("Dial of an unknown name: %v, want a not-found *net.DNSError", err)
		}

		fds := openFDs(t)
		dctx, cancel := aio.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = aio.Dial(dctx, "tcp", "hang.test:"+port)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Dial of a name that gets no answer: %v, want the scope's deadline", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the unanswered lookup took %v to end with a 50 ms scope", d)
		}
		// The lookup's sockets close when its context ends, on the
		// worker's goroutine: well within a second, where net's resolver
		// on its own would keep them for its 5 s timeout.
		for openFDs(t) > fds && time.Since(start) < time.Second {
			if err := aio.Sleep(ctx, 5*time.Millisecond); err != nil {
				return err
			}
		}
		if n := openFDs(t); n > fds {
			t.Errorf("the cancelled lookup still holds %d sockets", n-fds)
		}
		return nil
	})
}
