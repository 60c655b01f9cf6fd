// Package reactor is the loop's I/O readiness poller: an edge-triggered
// epoll(7) reactor on Linux and a wake-only fallback elsewhere. Between loop
// iterations the loop calls [Reactor.Wait]; it reports which registered file
// descriptors became readable, writable, hung up or failed, so the loop can
// resume the tasks parked on them. [Reactor.Wake] interrupts a Wait from any
// goroutine.
//
// # Registration
//
// The loop embeds a [Desc] in whatever represents a file descriptor (a
// connection, a listener) and calls [Reactor.Register] once. The fd is
// registered once with EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, as Go's runtime
// netpoller does (runtime/netpoll_epoll.go, netpollopen): there is no
// EPOLL_CTL_MOD per wait, ever. The epoll event data carries the Desc's
// slot index in the reactor's slot table and the slot's generation, never a
// Go pointer (the garbage collector cannot see pointers in kernel memory).
// Deregister bumps the generation, so an event that still names the old
// registration (a dup(2)ed description that outlives the fd, see
// epoll(7) Q6, or an fd reused after close) is dropped instead of waking
// whoever holds the slot now.
//
// The fd must be non-blocking and close-on-exec and owned by the caller: a
// raw socket from [Socket] or [Accept], never an fd that Go's runtime poller
// already owns (net.Conn, os.File). Call [Reactor.Deregister] before closing
// the fd.
//
// # Readiness protocol
//
// Readiness is edge-triggered and sticky until consumed:
//
//  1. Wait sets bits in Desc.Readiness when the kernel reports an edge and
//     lists the Desc once in [Reactor.Ready]; Wait never clears a bit.
//  2. The owner tries the syscall first (optimistic I/O), whatever the bits
//     say; a freshly registered Desc starts with no bits set, and the first
//     Wait reports the fd's current state (usually writable).
//  3. Only when read/accept returns EAGAIN does the owner clear [Readable]
//     (write/connect: [Writable]) with [Desc.Clear], then park its task
//     until a later Wait lists the Desc with that bit set again.
//  4. Data that arrives after the EAGAIN is a new edge: the next Wait
//     reports it. Clearing before the EAGAIN, or not retrying after a Wait
//     reported the bit, loses a wake-up.
//  5. [ReadHup], [Hup] and [Error] are terminal conditions; they also set
//     Readable (and Hup/Error also Writable), so a parked reader or writer
//     runs, sees EOF or the error, and nobody clears them.
//
// # Goroutines
//
// A Reactor belongs to one goroutine, the loop's: New, Register,
// Deregister, Wait, Ready, Close and every Desc method run there, and Wait
// is the only place the reactor writes a Desc. [Reactor.Wake] is the one
// method any goroutine may call, concurrently with everything else,
// including Wait and Close. Wake is not a Go happens-before edge for data:
// publish work through a mutex or atomics first, call Wake, and have the
// loop re-check that state after every Wait returns.
package reactor
