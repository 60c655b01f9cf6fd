package aiohttp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestTLS: ServeTLS and the client speak HTTP/1.1 over TLS (ALPN
// http/1.1), and a second connection resumes the session from the
// client's session cache.
func TestTLS(t *testing.T) {
	cert, roots := selfSigned(t)
	runLoop(t, func(ctx *aio.Context) error {
		l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &aiohttp.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, r.TLS.NegotiatedProtocol)
			}),
			TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		}
		served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.ServeTLS(ctx, l, "", ""); return nil })
		defer served.Await(ctx)
		defer srv.Close()
		c := &aiohttp.Client{TLSConfig: &tls.Config{RootCAs: roots}}
		var resumed []bool
		trace := &httptrace.ClientTrace{TLSHandshakeDone: func(st tls.ConnectionState, err error) {
			resumed = append(resumed, st.DidResume)
		}}
		for range 2 {
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", "https://"+l.Addr().String()+"/", nil)
			resp, err := c.Do(ctx, req)
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "http/1.1" {
				t.Errorf("ALPN: %q", b)
			}
			c.CloseIdleConnections() // the next request needs a new connection
		}
		if len(resumed) != 2 || resumed[0] || !resumed[1] {
			t.Errorf("resumption: %v", resumed)
		}
		return nil
	})
}
