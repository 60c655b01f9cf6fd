package aiohttp

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// ProxyError is the error of a request whose proxy refused to open a
// tunnel (a CONNECT answered with a status other than 2xx), as in
// aiohttp's ClientProxyConnectionError.
type ProxyError struct {
	Proxy  string // the proxy's host:port
	Target string // the host:port the tunnel was for
	Status string // the proxy's status line, e.g. "407 Proxy Authentication Required"
}

// Error returns e.g. "aiohttp: proxy 127.0.0.1:3128 refused CONNECT to
// example.com:443: 407 Proxy Authentication Required".
func (e *ProxyError) Error() string {
	return fmt.Sprintf("aiohttp: proxy %s refused CONNECT to %s: %s", e.Proxy, e.Target, e.Status)
}

// withProxy adds to k the proxy that c.Proxy names for req, if any. Only
// http:// proxies are supported: a plain-http request is sent to the
// proxy in absolute form, an https request through a CONNECT tunnel.
func (c *Client) withProxy(req *http.Request, k hostKey) (hostKey, error) {
	if c.Proxy == nil {
		return k, nil
	}
	u, err := c.Proxy(req)
	if err != nil {
		return k, fmt.Errorf("aiohttp: proxy for %s: %w", req.URL.Redacted(), err)
	}
	if u == nil {
		return k, nil
	}
	if u.Scheme != "http" {
		return k, fmt.Errorf("aiohttp: proxy %s: unsupported proxy scheme %q (http:// proxies only)", u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return k, fmt.Errorf("aiohttp: proxy %s: no host", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	k.proxy = net.JoinHostPort(u.Hostname(), port)
	k.proxyAuth = proxyAuth(u)
	return k, nil
}

// proxyAuth is the Proxy-Authorization value for the credentials in u, or
// "" (Basic, as net/http's Transport sends).
func proxyAuth(u *url.URL) string {
	if u.User == nil {
		return ""
	}
	pass, _ := u.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass))
}

// connect opens a CONNECT tunnel to k's target on pc, which is connected
// to k's proxy; the TLS handshake with the target follows over it.
func (pc *pconn) connect(k hostKey) error {
	target := k.addr()
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: make(http.Header),
	}
	if k.proxyAuth != "" {
		req.Header.Set("Proxy-Authorization", k.proxyAuth)
	}
	bw := bufio.NewWriterSize(&pc.io, 512)
	if err := req.Write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// The target speaks first only after the client's TLS hello, so the
	// proxy sends nothing after its answer: a reader may buffer freely.
	br := bufio.NewReaderSize(&pc.io, 512)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fmt.Errorf("aiohttp: proxy %s: reading the CONNECT response: %w", k.proxy, err)
	}
	// The body is not read: after a 2xx the rest of the stream is the
	// tunnel (reading "to the end" would never end), and after a refusal
	// the connection is closed.
	if resp.StatusCode/100 != 2 {
		return &ProxyError{Proxy: k.proxy, Target: target, Status: resp.Status}
	}
	if br.Buffered() > 0 {
		return errors.New("aiohttp: proxy " + k.proxy + " sent data after its CONNECT response")
	}
	return nil
}
