package aiohttp

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/http/httptrace"
	"net/textproto"
	"time"

	"github.com/asyncgo/aio"
)

// hostKey names a pool of connections: scheme (TLS or not), host, port,
// and the proxy they go through, if any.
type hostKey struct {
	tls        bool
	host, port string
	proxy      string // the proxy's host:port; "" for a direct connection
	proxyAuth  string // its Proxy-Authorization value, or ""
}

// pool is a Client's connector, bound to one loop. Loop goroutine.
type pool struct {
	loop      *aio.Loop
	c         *Client
	total     *aio.Semaphore // nil: no limit
	perHost   int
	maxIdle   int
	idleTime  time.Duration
	maxHeader int64
	hosts     map[hostKey]*hostPool
	nidle     int
	sweep     *aio.Handle
	tlsConfig *tls.Config
}

type hostPool struct {
	idle  []*pconn       // most recently used last
	sem   *aio.Semaphore // nil: no limit
	inUse int            // connections holding permits
}

// pconn is one pooled connection.
type pconn struct {
	p      *pool
	key    hostKey
	hp     *hostPool
	raw    *aio.Conn
	io     ioConn
	conn   net.Conn // &io, or a *tls.Conn over it
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Time
	reused bool
	held   bool // holds its permits
}

var errOtherLoop = errors.New("aiohttp: the Client is bound to another loop")

func (c *Client) pool(ctx *aio.Context) (*pool, error) {
	if c.p != nil {
		if c.p.loop != ctx.Loop() {
			return nil, errOtherLoop
		}
		return c.p, nil
	}
	p := &pool{loop: ctx.Loop(), c: c, hosts: make(map[hostKey]*hostPool)}
	switch {
	case c.Limit == 0:
		p.total = aio.NewSemaphore(100)
	case c.Limit > 0:
		p.total = aio.NewSemaphore(c.Limit)
	}
	p.perHost = max(c.LimitPerHost, 0)
	p.maxIdle = c.MaxIdlePerHost
	if p.maxIdle <= 0 {
		p.maxIdle = max(p.perHost, 32)
	}
	p.idleTime = c.IdleTimeout
	if p.idleTime <= 0 {
		p.idleTime = 15 * time.Second
	}
	p.maxHeader = c.MaxResponseHeaderBytes
	if p.maxHeader <= 0 {
		p.maxHeader = 1 << 20
	}
	cfg := c.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	if cfg.ClientSessionCache == nil {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(64)
	}
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{"http/1.1"}
	}
	p.tlsConfig = cfg
	c.p = p
	return p, nil
}

func (p *pool) host(k hostKey) *hostPool {
	hp := p.hosts[k]
	if hp == nil {
		hp = &hostPool{}
		if p.perHost > 0 {
			hp.sem = aio.NewSemaphore(p.perHost)
		}
		p.hosts[k] = hp
	}
	return hp
}

// get takes the permits and returns an idle connection that is still
// alive, or a new one.
func (p *pool) get(ctx *aio.Context, k hostKey, trace *httptrace.ClientTrace) (*pconn, error) {
	if trace != nil && trace.GetConn != nil {
		trace.GetConn(k.addr())
	}
	hp := p.host(k)
	cctx := ctx
	if d := p.c.Timeout.Connect; d > 0 {
		var cancel aio.CancelFunc
		cctx, cancel = aio.WithTimeout(ctx, d)
		defer cancel()
	}
	if hp.sem != nil {
		if err := hp.sem.Acquire(cctx); err != nil {
			return nil, err
		}
	}
	if p.total != nil {
		if err := p.total.Acquire(cctx); err != nil {
			if hp.sem != nil {
				hp.sem.Release()
			}
			return nil, err
		}
	}
	now := p.loop.Time()
	for len(hp.idle) > 0 {
		pc := hp.idle[len(hp.idle)-1]
		hp.idle[len(hp.idle)-1] = nil
		hp.idle = hp.idle[:len(hp.idle)-1]
		p.nidle--
		if now.Sub(pc.idleAt) >= p.idleTime || !alive(pc.raw, k.tls) {
			pc.raw.Close()
			continue
		}
		pc.reused, pc.held = true, true
		hp.inUse++
		if trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{Conn: pc.conn, Reused: true, WasIdle: true, IdleTime: now.Sub(pc.idleAt)})
		}
		return pc, nil
	}
	pc, err := p.dial(cctx, k, hp, trace)
	if err != nil {
		p.releasePermits(hp)
		return nil, err
	}
	pc.held = true
	hp.inUse++
	if trace != nil && trace.GotConn != nil {
		trace.GotConn(httptrace.GotConnInfo{Conn: pc.conn})
	}
	return pc, nil
}

func (p *pool) dial(ctx *aio.Context, k hostKey, hp *hostPool, trace *httptrace.ClientTrace) (*pconn, error) {
	addr := k.addr()
	if k.proxy != "" {
		addr = k.proxy
	}
	if trace != nil && trace.ConnectStart != nil {
		trace.ConnectStart("tcp", addr)
	}
	dial := p.c.Dial
	if dial == nil {
		dial = aio.Dial
	}
	raw, err := dial(ctx, "tcp", addr)
	if raw == nil && err == nil {
		err = errors.New("aiohttp: Client.Dial returned neither a connection nor an error")
	}
	if trace != nil && trace.ConnectDone != nil {
		trace.ConnectDone("tcp", addr, err)
	}
	if err != nil {
		return nil, err
	}
	pc := &pconn{p: p, key: k, hp: hp, raw: raw}
	pc.io = ioConn{Conn: raw, limit: -1, errLimit: ErrResponseHeaderTooLarge}
	pc.conn = &pc.io
	if k.tls && k.proxy != "" {
		pc.io.rctx, pc.io.wctx = ctx, ctx
		err := pc.connect(k)
		pc.io.rctx, pc.io.wctx = nil, nil
		if err != nil {
			raw.Close()
			return nil, err
		}
	}
	if k.tls {
		// The handshake runs over the scoped view (not aio.ClientTLS),
		// so that later reads of the tls.Conn wait in each request's
		// scopes too.
		cfg := p.tlsConfig
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName = k.host
		}
		if trace != nil && trace.TLSHandshakeStart != nil {
			trace.TLSHandshakeStart()
		}
		pc.io.rctx, pc.io.wctx = ctx, ctx
		tc := tls.Client(&pc.io, cfg)
		err := tc.Handshake()
		pc.io.rctx, pc.io.wctx = nil, nil
		if trace != nil && trace.TLSHandshakeDone != nil {
			trace.TLSHandshakeDone(tc.ConnectionState(), err)
		}
		if err != nil {
			raw.Close()
			return nil, err
		}
		pc.conn = tc
	}
	pc.br = bufio.NewReaderSize(pc.conn, 4096)
	pc.bw = bufio.NewWriterSize(pc.conn, 4096)
	return pc, nil
}

func (p *pool) unhold(pc *pconn) {
	if pc.held {
		pc.held = false
		pc.hp.inUse--
		p.releasePermits(pc.hp)
	}
}

func (p *pool) releasePermits(hp *hostPool) {
	if p.total != nil {
		p.total.Release()
	}
	if hp.sem != nil {
		hp.sem.Release()
	}
}

// put returns a connection whose exchange completed cleanly to the pool.
func (p *pool) put(pc *pconn) {
	pc.io.rctx, pc.io.wctx = nil, nil
	if pc.io.sockRead > 0 {
		pc.io.sockRead = 0
		_ = pc.raw.SetReadDeadline(time.Time{})
	}
	if len(pc.hp.idle) >= p.maxIdle {
		p.discard(pc)
		return
	}
	p.unhold(pc)
	pc.idleAt = p.loop.Time()
	pc.hp.idle = append(pc.hp.idle, pc)
	p.nidle++
	if p.sweep == nil {
		p.sweep = p.loop.CallLater(p.idleTime, p.sweepIdle)
	}
}

// discard closes a connection that cannot be reused.
func (p *pool) discard(pc *pconn) {
	pc.raw.Close()
	pc.io.rctx, pc.io.wctx = nil, nil
	p.unhold(pc)
}

// sweepIdle closes connections idle for IdleTimeout. Loop callback.
func (p *pool) sweepIdle() {
	p.sweep = nil
	now := p.loop.Time()
	var next time.Duration
	for k, hp := range p.hosts {
		keep := hp.idle[:0]
		for _, pc := range hp.idle {
			if left := p.idleTime - now.Sub(pc.idleAt); left > 0 {
				keep = append(keep, pc)
				if next == 0 || left < next {
					next = left
				}
			} else {
				pc.raw.Close()
				p.nidle--
			}
		}
		clear(hp.idle[len(keep):])
		hp.idle = keep
		if len(keep) == 0 && hp.inUse == 0 {
			delete(p.hosts, k)
		}
	}
	if p.nidle > 0 {
		p.sweep = p.loop.CallLater(next, p.sweepIdle)
	}
}

func (p *pool) closeIdle() {
	for _, hp := range p.hosts {
		for i, pc := range hp.idle {
			pc.raw.Close()
			hp.idle[i] = nil
		}
		hp.idle = hp.idle[:0]
	}
	p.nidle = 0
	if p.sweep != nil {
		p.sweep.Cancel()
		p.sweep = nil
	}
}

func textprotoHeader(h map[string][]string) textproto.MIMEHeader { return textproto.MIMEHeader(h) }
