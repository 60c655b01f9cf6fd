package aiohttp_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// testProxy is a forward proxy served by plain goroutines (a rawServer),
// as proxies are other programs: it forwards absolute-form requests
// (keeping the client's connection alive) and opens CONNECT tunnels. With
// auth set it answers 407 to requests without that Proxy-Authorization.
type testProxy struct {
	*rawServer
	auth string
	mu   sync.Mutex
	seen []string // "METHOD request-target", in order
}

func startProxy(t *testing.T, auth string) *testProxy {
	t.Helper()
	p := &testProxy{auth: auth}
	p.rawServer = newRawServer(t, func(_ int, c net.Conn, br *bufio.Reader) { p.serve(c, br) })
	return p
}

func (p *testProxy) proxyURL(userinfo string) *url.URL {
	u := &url.URL{Scheme: "http", Host: p.ln.Addr().String()}
	if user, pass, ok := strings.Cut(userinfo, ":"); ok {
		u.User = url.UserPassword(user, pass)
	}
	return u
}

func (p *testProxy) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func (p *testProxy) serve(c net.Conn, br *bufio.Reader) {
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		p.mu.Lock()
		p.seen = append(p.seen, req.Method+" "+req.RequestURI)
		p.mu.Unlock()
		if p.auth != "" && req.Header.Get("Proxy-Authorization") != p.auth {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
			continue
		}
		if req.Method == http.MethodConnect {
			up, err := net.Dial("tcp", req.RequestURI)
			if err != nil {
				io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
				return
			}
			io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
			// Plain copies (writerOnly): net's splice path would keep
			// pooled pipes open after the test, which the descriptor
			// count flags. Either side's end closes both.
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); io.Copy(writerOnly{up}, br); up.Close() }()
			io.Copy(writerOnly{c}, up)
			c.Close()
			wg.Wait()
			return
		}
		up, err := net.Dial("tcp", req.URL.Host)
		if err != nil {
			return
		}
		req.Header.Del("Proxy-Authorization")
		req.Write(up) // origin form to the server
		resp, err := http.ReadResponse(bufio.NewReader(up), req)
		if err == nil {
			resp.Write(c)
		}
		up.Close()
		if err != nil {
			return
		}
	}
}

// writerOnly hides a net.Conn's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// proxyTargets starts an http and an https aio server on ctx's loop that answer
// with the Host and request target they saw.
func proxyTargets(t *testing.T, ctx *aio.Context) (plain, secure string, roots *tls.Config, stop func()) {
	t.Helper()
	cert, pool := selfSigned(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "host="+r.Host+" target="+r.RequestURI)
	})
	base, stopPlain := serve(t, ctx, &aiohttp.Server{Handler: h})
	l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &aiohttp.Server{Handler: h, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.ServeTLS(ctx, l, "", ""); return nil })
	return base, "https://" + l.Addr().String(), &tls.Config{RootCAs: pool}, func() {
		srv.Close()
		served.Await(ctx)
		stopPlain()
	}
}

func getBody(t *testing.T, ctx *aio.Context, c *aiohttp.Client, u string, trace *httptrace.ClientTrace) (string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	if trace != nil {
		req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.Status, err
	}
	return string(b), err
}

// Through an http:// proxy, a plain-http request goes to the proxy in
// absolute form and reaches the server in origin form, and the proxied
// connection is pooled and reused; an https request goes through a
// CONNECT tunnel, with TLS end to end.
func TestClientSendsRequestsThroughAProxy(t *testing.T) {
	proxy := startProxy(t, "")
	runLoop(t, func(ctx *aio.Context) error {
		defer proxy.close() // before runLoop counts the descriptors
		plain, secure, tlsConf, stop := proxyTargets(t, ctx)
		defer stop()
		c := &aiohttp.Client{Proxy: http.ProxyURL(proxy.proxyURL("")), TLSConfig: tlsConf}
		defer c.CloseIdleConnections()
		var reused []bool
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }}

		host := strings.TrimPrefix(plain, "http://")
		for _, path := range []string{"/a", "/b?x=1"} {
			got, err := getBody(t, ctx, c, plain+path, trace)
			if want := "host=" + host + " target=" + path; got != want || err != nil {
				t.Errorf("GET %s through the proxy: %q, %v; want %q", path, got, err, want)
			}
		}
		if len(reused) != 2 || reused[0] || !reused[1] {
			t.Errorf("reused = %v, want the proxied connection reused", reused)
		}

		shost := strings.TrimPrefix(secure, "https://")
		if got, err := getBody(t, ctx, c, secure+"/s", nil); got != "host="+shost+" target=/s" || err != nil {
			t.Errorf("GET https through the proxy: %q, %v", got, err)
		}
		want := []string{"GET " + plain + "/a", "GET " + plain + "/b?x=1", "CONNECT " + shost}
		if got := proxy.log(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("the proxy saw %q, want %q", got, want)
		}

		// A Proxy function that returns nil connects directly.
		direct := &aiohttp.Client{Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }}
		defer direct.CloseIdleConnections()
		if got, err := getBody(t, ctx, direct, plain+"/d", nil); got != "host="+host+" target=/d" || err != nil {
			t.Errorf("direct GET: %q, %v", got, err)
		}
		if n := len(proxy.log()); n != 3 {
			t.Errorf("the proxy saw %d requests after a direct one, want 3", n)
		}
		return nil
	})
}

// A proxy's credentials come from its URL (Basic Proxy-Authorization, on
// each plain-http request and on the CONNECT); without them a plain
// request gets the proxy's 407 as its response and a tunnel fails with a
// *ProxyError. A proxy scheme other than http:// is a clear error.
func TestClientProxyAuthenticationAndRefusals(t *testing.T) {
	proxy := startProxy(t, "Basic dXNlcjpzZWNyZXQ=") // user:secret
	runLoop(t, func(ctx *aio.Context) error {
		defer proxy.close()
		plain, secure, tlsConf, stop := proxyTargets(t, ctx)
		defer stop()

		good := &aiohttp.Client{Proxy: http.ProxyURL(proxy.proxyURL("user:secret")), TLSConfig: tlsConf}
		defer good.CloseIdleConnections()
		if got, err := getBody(t, ctx, good, plain+"/p", nil); !strings.HasSuffix(got, "target=/p") || err != nil {
			t.Errorf("GET with credentials: %q, %v", got, err)
		}
		if got, err := getBody(t, ctx, good, secure+"/t", nil); !strings.HasSuffix(got, "target=/t") || err != nil {
			t.Errorf("GET https with credentials: %q, %v", got, err)
		}

		none := &aiohttp.Client{Proxy: http.ProxyURL(proxy.proxyURL("")), TLSConfig: tlsConf}
		defer none.CloseIdleConnections()
		if got, err := getBody(t, ctx, none, plain+"/p", nil); got != "407 Proxy Authentication Required" || err != nil {
			t.Errorf("GET without credentials: %q, %v; want the proxy's 407", got, err)
		}
		_, err := getBody(t, ctx, none, secure+"/t", nil)
		pe, ok := errors.AsType[*aiohttp.ProxyError](err)
		if !ok || !strings.HasPrefix(pe.Status, "407") || pe.Target != strings.TrimPrefix(secure, "https://") {
			t.Errorf("CONNECT without credentials: %v, want a *ProxyError with the 407", err)
		}

		socks := &aiohttp.Client{Proxy: http.ProxyURL(&url.URL{Scheme: "socks5", Host: "127.0.0.1:1080"})}
		if _, err := getBody(t, ctx, socks, plain+"/p", nil); err == nil || !strings.Contains(err.Error(), "unsupported proxy scheme") {
			t.Errorf("a socks5 proxy: %v, want an unsupported-scheme error", err)
		}
		return nil
	})
}
