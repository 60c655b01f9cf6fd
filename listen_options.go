package aio

import "errors"

// ListenOption configures a listening socket, as the keywords of
// asyncio's create_server and create_datagram_endpoint do. Listen,
// CreateServer and ListenPacket take them, and StartServer through
// ServerListen. An option that does not apply to the socket's kind (a
// Backlog for a datagram endpoint, say) makes the call fail.
type ListenOption interface{ applyListen(*listenConfig) }

type listenConfig struct {
	reusePort bool
	backlog   int  // 0: listenBacklog
	broadcast bool // SO_BROADCAST, datagram endpoints
}

type listenOptionFunc func(*listenConfig)

func (f listenOptionFunc) applyListen(c *listenConfig) { f(c) }

func listenOptions(opts []ListenOption) listenConfig {
	var c listenConfig
	for _, o := range opts {
		o.applyListen(&c)
	}
	return c
}

var (
	errBacklogDgram    = errors.New("aio: Backlog applies to stream listeners, not datagram endpoints")
	errBroadcastStream = errors.New("aio: AllowBroadcast applies to datagram endpoints, not stream listeners")
)

// ReusePort sets SO_REUSEPORT on the socket (asyncio's reuse_port=True):
// several sockets, of this process or others, may then listen on the same
// address and port, and the kernel spreads the incoming connections (or
// datagrams) among them. Its common use is one loop per core, each with
// its own listener on the shared port: asyncio needs a process per core
// for that, aio a goroutine per loop. Every socket sharing the port must
// set it. Linux only, like the rest of the network layer. Options are
// plain values: any goroutine may make them, and one may be passed to any
// number of calls.
func ReusePort() ListenOption {
	return listenOptionFunc(func(c *listenConfig) { c.reusePort = true })
}

// Backlog sets the length of the queue of connections not yet accepted
// (listen(2)'s backlog, asyncio's backlog). The default is 4096; the kernel
// caps it at net.core.somaxconn. n must be positive; anything else panics
// with a *MisuseError. Stream listeners only.
func Backlog(n int) ListenOption {
	if n <= 0 {
		misuse("aio.Backlog", ErrInvalidArgument, "pass a positive queue length, or leave the option out for the default")
	}
	return listenOptionFunc(func(c *listenConfig) { c.backlog = n })
}

// AllowBroadcast sets SO_BROADCAST on a datagram endpoint (asyncio's
// allow_broadcast=True), so that it may send to a broadcast address.
// Datagram endpoints only.
func AllowBroadcast() ListenOption {
	return listenOptionFunc(func(c *listenConfig) { c.broadcast = true })
}
