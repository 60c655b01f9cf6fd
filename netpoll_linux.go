package aio

import (
	"sync/atomic"
	"time"

	"github.com/asyncgo/aio/internal/reactor"
)

// netPoller is the loop's poller on Linux. Until the loop registers its
// first file descriptor it is the portable chanPoller; the first
// registration creates the epoll reactor (internal/reactor), and from then
// on wait blocks in epoll_wait and wake writes the reactor's eventfd. Loops
// that never touch the network thus cost no file descriptor.
//
// The inbox's pending flag already coalesces wake-ups (only the post that
// makes the inbox non-empty calls wake); the reactor coalesces again with
// its own flag, so a burst of posts writes the eventfd at most once per
// loop iteration.
type netPoller struct {
	*chanPoller
	loop  *Loop
	r     atomic.Pointer[reactor.Reactor] // nil until the first registration
	woken uint64                          // tasks woken by readiness, ever; loop goroutine
	fds   map[*netFD]struct{}             // registered descriptors, closed by Loop.Close; loop goroutine
	dns   dnsCache                        // loop goroutine
}

func newNetPoller(l *Loop) *netPoller {
	return &netPoller{chanPoller: newChanPoller(), loop: l}
}

// reactor returns the reactor, creating it on first use. Loop goroutine.
func (p *netPoller) reactor() (*reactor.Reactor, error) {
	if r := p.r.Load(); r != nil {
		return r, nil
	}
	r, err := reactor.New()
	if err != nil {
		return nil, err
	}
	p.r.Store(r)
	return r, nil
}

// wake makes a current or the next wait return. Any goroutine. A wake that
// raced with the creation of the reactor (it saw no reactor and signalled
// the channel) signals the reactor too once it sees it.
func (p *netPoller) wake() {
	if r := p.r.Load(); r != nil {
		_ = r.Wake()
		return
	}
	p.chanPoller.wake()
	if r := p.r.Load(); r != nil {
		_ = r.Wake()
	}
}

// wait blocks until wake, readiness of a registered descriptor, or timeout,
// and wakes the tasks parked on the descriptors the reactor reports. Loop
// goroutine.
func (p *netPoller) wait(timeout time.Duration) {
	r := p.r.Load()
	if r == nil {
		p.chanPoller.wait(timeout)
		return
	}
	select {
	case <-p.ch: // a wake sent before the reactor existed
		timeout = 0
	default:
	}
	p.waitReactor(r, timeout)
}

func (p *netPoller) waitReactor(r *reactor.Reactor, timeout time.Duration) {
	n, err := r.Wait(timeout)
	if err != nil || n == 0 {
		return
	}
	for _, d := range r.Ready() {
		if o, ok := d.Owner.(ioOwner); ok {
			p.woken += uint64(o.ready(d.Readiness()))
		}
	}
}

// active reports whether any descriptor is registered. Loop goroutine.
func (p *netPoller) active() bool { return len(p.fds) > 0 }

// pollNow polls the reactor without blocking, when descriptors are
// registered: the loop calls it at iteration boundaries that do not wait
// (ready callbacks, the direct hand-off), so that I/O is never starved by
// a busy loop. Loop goroutine.
func (p *netPoller) pollNow() {
	if len(p.fds) > 0 {
		p.waitReactor(p.r.Load(), 0)
	}
}

// autojumpThreshold is how long a loop on a virtual clock with registered
// descriptors waits for real I/O (or a post from another goroutine) before
// it jumps the clock to the next timer (Trio's MockClock autojump
// threshold). Loopback peers on the same loop never need it: their data is
// in the kernel before the loop polls.
var autojumpThreshold = 2 * time.Millisecond

// advanceVirtual is the idle step of a loop on a virtual clock with timers
// pending and nothing ready: with no descriptor registered the clock jumps
// at once; otherwise the loop first waits autojumpThreshold of real time
// for I/O, and jumps only if nothing was reported and nothing was posted.
// Loop goroutine.
func (l *Loop) advanceVirtual(a advancer, timeout time.Duration) {
	p := l.netp
	if len(p.fds) > 0 {
		before := p.woken
		l.block(autojumpThreshold)
		if p.woken != before || l.inbox.pending.Load() {
			return
		}
	}
	a.Advance(timeout)
}

// register adds fd to the loop's reactor (creating it) under fd's Desc.
// Loop goroutine.
func (p *netPoller) register(fd *netFD) error {
	r, err := p.reactor()
	if err != nil {
		return err
	}
	fd.desc.Owner = fd
	if err := r.Register(&fd.desc, fd.sysfd); err != nil {
		return err
	}
	if p.fds == nil {
		p.fds = make(map[*netFD]struct{})
	}
	p.fds[fd] = struct{}{}
	return nil
}

// deregister removes fd from the reactor. Loop goroutine.
func (p *netPoller) deregister(fd *netFD) {
	if _, ok := p.fds[fd]; !ok {
		return
	}
	delete(p.fds, fd)
	if r := p.r.Load(); r != nil {
		_ = r.Deregister(&fd.desc)
	}
}

// loseTransports ends every open transport with ErrLoopClosed (their
// ConnectionLost callbacks are scheduled) and reports how many there
// were. Loop.Close calls it before it closes the descriptors. Loop
// goroutine.
func (p *netPoller) loseTransports() int {
	n := 0
	for fd := range p.fds {
		if fd.lose != nil && !fd.closed.Load() {
			fd.lose(ErrLoopClosed)
			n++
		}
	}
	return n
}

// close closes every descriptor still open, then the reactor. Called by
// Loop.Close after the tasks are unwound. Loop goroutine.
func (p *netPoller) close() {
	for fd := range p.fds {
		fd.closed.Store(true)
		fd.release()
	}
	if r := p.r.Load(); r != nil {
		_ = r.Close()
	}
	p.dns = dnsCache{}
}

// ioOwner is what a registered Desc's Owner points to: ready is called with
// the Desc's readiness after a Wait listed it, and returns how many parked
// tasks it woke.
type ioOwner interface {
	ready(ev reactor.Event) int
}
