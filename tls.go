package aio

import (
	"crypto/tls"
	"net"
)

// DialTLS dials address (see Dial) and runs the TLS client handshake over
// the connection before returning, both bounded by the scope ctx (wrap it
// in WithTimeout for a connect-and-handshake timeout): a handshake that
// never completes ends with ctx, never hangs. The handshake is eager on
// purpose: crypto/tls holds an internal mutex while it handshakes, so two
// tasks that started using a fresh tls.Conn at once (one reading, one
// writing) would block the loop on that mutex. After DialTLS returns, the
// *tls.Conn's Read and Write wait in the root scope of the task calling
// them, as Conn's do. cfg may be nil (then ServerName comes from address).
// On error the connection is closed. Task of ctx's loop only.
func DialTLS(ctx *Context, network, address string, cfg *tls.Config) (*tls.Conn, error) {
	c, err := Dial(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			host = address
		}
		cfg.ServerName = host
	}
	return ClientTLS(ctx, c, cfg)
}

// ClientTLS upgrades an open connection to TLS as the client (asyncio's
// start_tls), handshaking before it returns, bounded by ctx; see DialTLS.
// On error c is closed. Task of ctx's loop only.
func ClientTLS(ctx *Context, c *Conn, cfg *tls.Config) (*tls.Conn, error) {
	return handshakeTLS(ctx, c, cfg, false)
}

// ServerTLS upgrades an accepted connection to TLS as the server,
// handshaking before it returns, bounded by ctx (a client that stalls or
// vanishes mid-handshake ends it with an error, never a hang). On error c
// is closed. Task of ctx's loop only.
func ServerTLS(ctx *Context, c *Conn, cfg *tls.Config) (*tls.Conn, error) {
	return handshakeTLS(ctx, c, cfg, true)
}

func handshakeTLS(ctx *Context, c *Conn, cfg *tls.Config, server bool) (*tls.Conn, error) {
	c.checkCtx("aio.ServerTLS", ctx)
	// The handshake waits in ctx; afterwards the view waits in the root
	// scope of whichever task uses it (ctx nil).
	v := &scopedConn{Conn: c, ctx: ctx}
	var tc *tls.Conn
	if server {
		tc = tls.Server(v, cfg)
	} else {
		tc = tls.Client(v, cfg)
	}
	// Handshake, not HandshakeContext: the latter closes the connection
	// from another goroutine on cancellation; here the reads and writes
	// themselves wait in ctx.
	err := tc.Handshake()
	v.ctx = nil
	if err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}
