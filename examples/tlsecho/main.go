// Command tlsecho runs a TLS echo server and a client in one program, on
// one aio loop. At start-up it generates a self-signed certificate for
// 127.0.0.1 with crypto/x509 (ECDSA P-256, valid for an hour); the server
// (aio.StartServer with ServerTLSConfig: one task per connection, each
// running the TLS handshake, then the handler) listens on an ephemeral
// loopback port; the client (aio.DialTLS) trusts exactly that certificate,
// sends a few lines and prints what comes back.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"strings"
	"time"

	"github.com/asyncgo/aio"
)

// selfSigned returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "aio tlsecho example"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}

// handle echoes each line back, upper-cased, until the client hangs up.
func handle(ctx *aio.Context, s *aio.Stream) error {
	for {
		line, err := s.ReadLine(ctx)
		if err != nil {
			return nil // EOF: the client is done
		}
		if err := s.Write(ctx, []byte(strings.ToUpper(string(line)))); err != nil {
			return err
		}
		if err := s.Drain(ctx); err != nil {
			return err
		}
	}
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	cert, pool, err := selfSigned()
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "generated a self-signed certificate for 127.0.0.1")
	return aio.Run(func(ctx *aio.Context) error {
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", handle,
			aio.ServerTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}))
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "TLS server listening on an ephemeral port")

		hctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		tc, err := aio.DialTLS(hctx, "tcp", srv.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		cancel()
		if err != nil {
			return err
		}
		st := tc.ConnectionState()
		fmt.Fprintf(w, "client handshake done: %s, verified chain of %d\n", tls.VersionName(st.Version), len(st.VerifiedChains[0]))
		c := aio.NewStream(tc)
		for _, msg := range []string{"hello", "echo over TLS", "bye"} {
			fmt.Fprintf(w, "client sends: %s\n", msg)
			if err := c.Write(ctx, []byte(msg+"\n")); err != nil {
				return err
			}
			if err := c.Drain(ctx); err != nil {
				return err
			}
			reply, err := c.ReadLine(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "client got:   %s", reply)
		}
		c.Close()

		sctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		fmt.Fprintf(w, "server shut down after %d connection(s)\n", srv.Accepted())
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
