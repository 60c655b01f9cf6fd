package reactor

import "time"

// chanWaiter is the sleep/wake half of the non-Linux fallback Reactor: a
// one-slot channel (so wakes coalesce) and a reusable timer. It lives in a
// file without a build constraint so that its tests run on Linux too.
type chanWaiter struct {
	ch    chan struct{}
	timer *time.Timer
}

func newChanWaiter() chanWaiter {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return chanWaiter{ch: make(chan struct{}, 1), timer: t}
}

// wait blocks until wake or timeout (negative: no timeout; zero: poll) and
// reports whether a wake ended it. One goroutine at a time.
func (w *chanWaiter) wait(timeout time.Duration) bool {
	switch {
	case timeout < 0:
		<-w.ch
		return true
	case timeout == 0:
		select {
		case <-w.ch:
			return true
		default:
			return false
		}
	}
	w.timer.Reset(timeout)
	defer w.timer.Stop()
	select {
	case <-w.ch:
		return true
	case <-w.timer.C:
		return false
	}
}

// wake makes a current or the next wait return. Any goroutine.
func (w *chanWaiter) wake() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// stop releases the timer.
func (w *chanWaiter) stop() { w.timer.Stop() }
