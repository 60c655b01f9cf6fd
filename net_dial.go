package aio

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Dial connects to address on the named network, bounded by the scope ctx
// (a scope of the running task: wrap it in WithTimeout for a connect
// timeout), and returns a *Conn for the tasks of ctx's loop. Networks:
// "tcp", "tcp4", "tcp6" (address "host:port"; every address the host
// resolves to is tried in turn) and "unix" (a socket path, or "@name" for
// the abstract namespace). Host names are resolved off the loop: a lookup
// runs on the loop's worker pool (ToThread) and ends when ctx does,
// and answers are cached for dnsTTL; IP literals and "localhost" need no
// lookup. A refused connection returns a *net.OpError wrapping
// syscall.ECONNREFUSED; a scope that ends first returns one wrapping an
// *InterruptedError. Off Linux it returns an error wrapping
// errors.ErrUnsupported. Task of ctx's loop only.
func Dial(ctx *Context, network, address string) (*Conn, error) {
	t := ctx.enter("aio.Dial")
	if err := ctx.checkCancel(); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &InterruptedError{Cause: err}}
	}
	switch network {
	case "unix":
		fd, err := dialStream(ctx, t, network, &net.UnixAddr{Name: address, Net: "unix"})
		if err != nil {
			return nil, err
		}
		return &Conn{fd: fd}, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	aps, err := resolve(ctx, network, address, false)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var first error
	for _, ap := range aps {
		fd, err := dialStream(ctx, t, network, net.TCPAddrFromAddrPort(ap))
		if err == nil {
			return &Conn{fd: fd}, nil
		}
		if first == nil {
			first = err
		}
		if ctx.cancelErr() != nil {
			break
		}
	}
	return nil, first
}

// dnsTTL is how long Dial keeps the addresses a host name resolved to.
const dnsTTL = 10 * time.Second

type dnsEntry struct {
	ips     []netip.Addr
	expires time.Time // real time
}

// dnsCache is the loop's cache of host lookups. Loop goroutine.
type dnsCache struct {
	m        map[string]dnsEntry
	resolver *net.Resolver // nil: defaultResolver (tests set their own)
}

// defaultResolver resolves as net.DefaultResolver does (the system's
// resolver or net's own, as net chooses), except that net's own resolver
// has its sockets closed when the lookup's context ends. Its exchange with
// a name server sets the context's deadline on the socket but does not
// watch for cancellation, so a Dial cancelled during a lookup would keep a
// worker of the loop's pool busy until the resolver's timeout (5 s per
// attempt by default).
var defaultResolver = newResolver("")

// newResolver returns a resolver whose name-server connections close when
// their context ends; a non-empty server replaces the name server of
// /etc/resolv.conf and makes net use its own resolver (tests).
func newResolver(server string) *net.Resolver {
	return &net.Resolver{
		PreferGo: server != "",
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			if server != "" {
				address = server
			}
			var d net.Dialer
			c, err := d.DialContext(ctx, network, address)
			if err != nil {
				return nil, err
			}
			context.AfterFunc(ctx, func() { c.Close() })
			return c, nil
		},
	}
}

// resolve turns "host:port" into addresses of the network's family. An
// empty host means the loopback address for dialing and the wildcard
// address for listening.
func resolve(ctx *Context, network, address string, listen bool) ([]netip.AddrPort, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		p, lerr := net.LookupPort(network, portStr) // /etc/services: a file read, no network
		if lerr != nil {
			return nil, lerr
		}
		port = uint64(p)
	}
	var ips []netip.Addr
	switch {
	case host == "" && listen:
		if network == "tcp6" || network == "udp6" {
			ips = []netip.Addr{netip.IPv6Unspecified()}
		} else {
			ips = []netip.Addr{netip.IPv4Unspecified()}
		}
	case host == "" || host == "localhost":
		ips = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}
	default:
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else {
			ips, err = lookupHost(ctx, host)
			if err != nil {
				return nil, err
			}
		}
	}
	var out []netip.AddrPort
	for _, ip := range ips {
		is4 := ip.Is4() || ip.Is4In6()
		if (network[len(network)-1] == '4' && !is4) || (network[len(network)-1] == '6' && is4) {
			continue
		}
		out = append(out, netip.AddrPortFrom(ip, uint16(port)))
	}
	if len(out) == 0 {
		return nil, &net.AddrError{Err: "no suitable address found", Addr: host}
	}
	return out, nil
}

// lookupHost resolves host on the loop's worker pool (ToThread) and awaits
// the answer in ctx, so the loop never blocks on DNS; a cancelled wait
// cancels the lookup.
func lookupHost(ctx *Context, host string) ([]netip.Addr, error) {
	l := ctx.task.loop
	c := &l.netp.dns
	if e, ok := c.m[host]; ok && time.Now().Before(e.expires) {
		return e.ips, nil
	}
	r := c.resolver
	if r == nil {
		r = defaultResolver
	}
	ips, err := ToThread(ctx, func(lctx context.Context) ([]netip.Addr, error) {
		return r.LookupNetIP(lctx, "ip", host)
	})
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, err
		}
		return nil, &InterruptedError{Cause: err}
	}
	if c.m == nil {
		c.m = make(map[string]dnsEntry)
	}
	if len(c.m) > 1024 {
		clear(c.m)
	}
	c.m[host] = dnsEntry{ips: ips, expires: time.Now().Add(dnsTTL)}
	return ips, nil
}
