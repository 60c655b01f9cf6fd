//go:build linux

package aio_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func TestBufioAndJSONRunUnchangedInTasks(t *testing.T) {
	type msg struct {
		N    int    `json:"n"`
		Text string `json:"text"`
	}
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		aio.Go(ctx, func(ctx *aio.Context) error {
			dec := json.NewDecoder(bufio.NewReader(s))
			enc := json.NewEncoder(s)
			for {
				var m msg
				if err := dec.Decode(&m); err != nil {
					return nil
				}
				m.N *= 2
				m.Text = strings.ToUpper(m.Text)
				if err := enc.Encode(m); err != nil {
					return err
				}
			}
		})
		enc := json.NewEncoder(c)
		dec := json.NewDecoder(bufio.NewReader(c))
		for i := 1; i <= 50; i++ {
			if err := enc.Encode(msg{N: i, Text: "hi"}); err != nil {
				t.Fatal(err)
			}
			var got msg
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.N != 2*i || got.Text != "HI" {
				t.Fatalf("reply %+v", got)
			}
		}
		return nil
	})
}

// testCert returns a self-signed ECDSA certificate for 127.0.0.1 and a
// pool trusting it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "aio test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestTLS12And13RunOverConnsInTasks(t *testing.T) {
	cert, pool := testCert(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		runNet(t, true, func(ctx *aio.Context) error {
			ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			release := aio.NewFuture[struct{}](ctx)
			srv := aio.Go(ctx, func(ctx *aio.Context) error {
				c, err := ln.AcceptConn(ctx)
				if err != nil {
					return err
				}
				tc, err := aio.ServerTLS(ctx, c, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: v, MaxVersion: v})
				if err != nil {
					return err
				}
				defer tc.Close()
				// After the eager handshake, one task reads while another
				// writes on the same tls.Conn: no deadlock.
				w := aio.Go(ctx, func(ctx *aio.Context) error {
					_, err := tc.Write([]byte("greeting from the server\n"))
					return err
				})
				line, err := bufio.NewReader(tc).ReadString('\n')
				if err != nil {
					return err
				}
				if _, err := w.Await(ctx); err != nil {
					return err
				}
				if _, err = tc.Write([]byte("echo: " + line)); err != nil {
					return err
				}
				if _, err := release.Await(ctx); err != nil {
					return err
				}
				_, err = tc.Write([]byte("bye\n"))
				return err
			})
			tc, err := aio.DialTLS(ctx, "tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, MinVersion: v, MaxVersion: v})
			if err != nil {
				t.Fatalf("DialTLS: %v", err)
			}
			defer tc.Close()
			if got := tc.ConnectionState().Version; got != v {
				t.Errorf("version %x, want %x", got, v)
			}
			br := bufio.NewReader(tc)
			if line, err := br.ReadString('\n'); err != nil || line != "greeting from the server\n" {
				t.Fatalf("greeting %q, %v", line, err)
			}
			if _, err := tc.Write([]byte("hello\n")); err != nil {
				t.Fatal(err)
			}
			if line, err := br.ReadString('\n'); err != nil || line != "echo: hello\n" {
				t.Fatalf("echo %q, %v", line, err)
			}
			// A read that times out leaves the tls.Conn usable (the error
			// is Temporary): the server's last line still arrives.
			tc.SetReadDeadline(time.Now().Add(-time.Second))
			if _, err := tc.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("Read past the deadline: %v", err)
			}
			tc.SetReadDeadline(time.Time{})
			release.SetResult(struct{}{})
			if line, err := br.ReadString('\n'); err != nil || line != "bye\n" {
				t.Fatalf("last line %q, %v", line, err)
			}
			if _, err := srv.Await(ctx); err != nil {
				t.Errorf("server: %v", err)
			}
			return nil
		})
	}
}

func TestTLSPeerThatVanishesMidHandshakeEndsTheHandshake(t *testing.T) {
	cert, _ := testCert(t)
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		// A client that sends the start of a record and vanishes.
		c.Write([]byte{22, 3, 1, 0, 200, 1, 0})
		c.Close()
		_, err := aio.ServerTLS(ctx, s, &tls.Config{Certificates: []tls.Certificate{cert}})
		if err == nil {
			t.Fatal("handshake with a vanished peer succeeded")
		}
		// A client that never sends anything: the scope's timeout ends it.
		c2, s2 := pair(t, ctx)
		defer c2.Close()
		hctx, cancel := aio.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		start := ctx.Loop().Time()
		_, err = aio.ServerTLS(hctx, s2, &tls.Config{Certificates: []tls.Certificate{cert}})
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("stalled handshake: %v", err)
		}
		if d := ctx.Loop().Time().Sub(start); d != 10*time.Second {
			t.Errorf("stalled handshake ended after %v", d)
		}
		return nil
	})
}

func TestNetHTTPRequestAndResponseRunUnchangedInTasks(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		srv := aio.Go(ctx, func(ctx *aio.Context) error {
			br := bufio.NewReader(s)
			for i := 0; i < 3; i++ { // keep-alive: three requests
				req, err := http.ReadRequest(br)
				if err != nil {
					return err
				}
				body, err := io.ReadAll(req.Body)
				if err != nil {
					return err
				}
				resp := &http.Response{
					StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1,
					Header:           http.Header{"Content-Type": {"text/plain"}},
					Body:             io.NopCloser(strings.NewReader(req.Method + " " + req.URL.Path + " " + string(body))),
					ContentLength:    -1,
					TransferEncoding: []string{"chunked"},
					Request:          req,
				}
				if err := resp.Write(s); err != nil {
					return err
				}
			}
			return nil
		})
		br := bufio.NewReader(c)
		for i, body := range []string{"one", "two", "three"} {
			req, _ := http.NewRequest("POST", "http://example.test/echo", strings.NewReader(body))
			if err := req.Write(c); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(got) != "POST /echo "+body {
				t.Fatalf("response %d = %q, %v", i, got, err)
			}
		}
		if _, err := srv.Await(ctx); err != nil {
			t.Errorf("server: %v", err)
		}
		return nil
	})
}

func TestHTTP2FramerRunsUnchangedInTasks(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		srv := aio.Spawn(ctx, func(ctx *aio.Context) ([]string, error) {
			preface := make([]byte, len(http2.ClientPreface))
			if _, err := io.ReadFull(s, preface); err != nil || string(preface) != http2.ClientPreface {
				return nil, errors.New("bad preface")
			}
			fr := http2.NewFramer(s, s)
			fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
			var log []string
			for {
				f, err := fr.ReadFrame()
				if err != nil {
					return nil, err
				}
				switch f := f.(type) {
				case *http2.SettingsFrame:
					log = append(log, "SETTINGS")
					if !f.IsAck() {
						if err := fr.WriteSettingsAck(); err != nil {
							return nil, err
						}
					}
				case *http2.MetaHeadersFrame:
					log = append(log, "HEADERS "+f.PseudoValue("method")+" "+f.PseudoValue("path"))
				case *http2.DataFrame:
					log = append(log, "DATA "+string(f.Data()))
					if f.StreamEnded() {
						return log, nil
					}
				}
			}
		})
		if _, err := c.Write([]byte(http2.ClientPreface)); err != nil {
			t.Fatal(err)
		}
		fr := http2.NewFramer(c, c)
		fr.WriteSettings()
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		for _, f := range [][2]string{{":method", "POST"}, {":path", "/x"}, {":scheme", "http"}, {":authority", "a"}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
		fr.WriteData(1, true, []byte("payload"))
		f, err := fr.ReadFrame() // the server's SETTINGS ack
		if err != nil {
			t.Fatal(err)
		}
		if sf, ok := f.(*http2.SettingsFrame); !ok || !sf.IsAck() {
			t.Errorf("got %v, want a SETTINGS ack", f)
		}
		log, err := srv.Await(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := "SETTINGS|HEADERS POST /x|DATA payload"
		if got := strings.Join(log, "|"); got != want {
			t.Errorf("server saw %q, want %q", got, want)
		}
		return nil
	})
}

func TestThreadedViewServesGoroutineBasedCode(t *testing.T) {
	runNet(t, true, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		got := aio.NewFuture[string](ctx)
		tv := s.Threaded()
		go func() {
			line, err := bufio.NewReader(tv).ReadString('\n')
			if err == nil {
				_, err = tv.Write([]byte("ack " + line))
			}
			if err != nil {
				got.SetErrorThreadsafe(err)
				return
			}
			got.SetResultThreadsafe(line)
		}()
		if _, err := c.Write([]byte("from a task\n")); err != nil {
			t.Fatal(err)
		}
		line, err := got.Await(ctx)
		if err != nil || line != "from a task\n" {
			t.Fatalf("goroutine read %q, %v", line, err)
		}
		reply, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || reply != "ack from a task\n" {
			t.Fatalf("reply %q, %v", reply, err)
		}
		return nil
	})
}

func TestReadFromACallbackIsAMisuse(t *testing.T) {
	runNet(t, false, func(ctx *aio.Context) error {
		c, s := pair(t, ctx)
		defer c.Close()
		defer s.Close()
		var perr any
		done := aio.NewFuture[struct{}](ctx)
		ctx.Loop().CallSoon(func() {
			defer func() { perr = recover(); done.SetResult(struct{}{}) }()
			c.Read(make([]byte, 1))
		})
		done.Await(ctx)
		var me *aio.MisuseError
		if err, _ := perr.(error); !errors.As(err, &me) || !errors.Is(err, aio.ErrNotInTask) {
			t.Errorf("Read in a callback: recovered %v, want a MisuseError wrapping ErrNotInTask", perr)
		}
		return nil
	})
}

// A Stream server with TLS handshakes each connection in its task, bounded
// by ServerHandshakeTimeout: a client that connects and never says hello is
// dropped when the timeout passes (on the virtual clock: at once), and a
// TLS client is served as usual, before and after it.
func TestTLSStreamServerDropsAClientThatNeverHandshakes(t *testing.T) {
	cert, pool := testCert(t)
	runNet(t, false, func(ctx *aio.Context) error {
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", upperHandler,
			aio.ServerTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}),
			aio.ServerHandshakeTimeout(30*time.Second))
		if err != nil {
			return err
		}
		echo := func(line string) {
			t.Helper()
			tc, err := aio.DialTLS(ctx, "tcp", srv.Addr().String(), &tls.Config{RootCAs: pool})
			if err != nil {
				t.Fatalf("DialTLS: %v", err)
			}
			s := aio.NewStream(tc)
			defer s.Close()
			s.Write(ctx, []byte(line+"\n"))
			if err := s.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if got, err := s.ReadLine(ctx); string(got) != strings.ToUpper(line)+"\n" || err != nil {
				t.Errorf("TLS client got %q, %v", got, err)
			}
		}
		echo("before")

		silent, err := aio.Dial(ctx, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		defer silent.Close()
		start := ctx.Loop().Time()
		rctx, cancel := aio.WithTimeout(ctx, time.Hour) // a bound, should the timeout not work
		defer cancel()
		if n, err := silent.ReadContext(rctx, make([]byte, 1)); n != 0 || err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("the silent client read %d bytes, %v; want the server to hang up", n, err)
		}
		if d := ctx.Loop().Time().Sub(start); d < 30*time.Second || d > 31*time.Second {
			t.Errorf("the silent client was dropped after %v, want the 30 s handshake timeout", d)
		}

		echo("after")
		return srv.Shutdown(ctx)
	})
}
