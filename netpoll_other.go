//go:build !linux

package aio

import "time"

// netPoller is the loop's poller off Linux: the portable chanPoller. It
// watches no file descriptors (Dial and Listen return an error wrapping
// errors.ErrUnsupported).
type netPoller struct {
	*chanPoller
	dns dnsCache
}

func newNetPoller(l *Loop) *netPoller { return &netPoller{chanPoller: newChanPoller()} }

func (p *netPoller) active() bool { return false }

func (p *netPoller) pollNow() {}

func (p *netPoller) close() {}

func (p *netPoller) loseTransports() int { return 0 }

func (l *Loop) advanceVirtual(a advancer, timeout time.Duration) { a.Advance(timeout) }
