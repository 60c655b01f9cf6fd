package aio

import "time"

// poller is the seam where the loop blocks between iterations. The core
// poller only sleeps and wakes; the I/O reactor (epoll) replaces it.
type poller interface {
	// wait blocks until wake is called or timeout passes (timeout < 0:
	// no timeout). Called on the loop goroutine.
	wait(timeout time.Duration)
	// wake makes a current or the next wait return. Any goroutine.
	wake()
}

// chanPoller is the portable poller: a one-slot channel and a reusable timer.
type chanPoller struct {
	ch    chan struct{}
	timer *time.Timer
}

func newChanPoller() *chanPoller {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &chanPoller{ch: make(chan struct{}, 1), timer: t}
}

func (p *chanPoller) wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

func (p *chanPoller) wait(timeout time.Duration) {
	if timeout < 0 {
		<-p.ch
		return
	}
	p.timer.Reset(timeout)
	select {
	case <-p.ch:
	case <-p.timer.C:
	}
	p.timer.Stop()
}
