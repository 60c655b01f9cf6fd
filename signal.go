package aio

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
)

// signalState is a loop's signal handling: the handler table (loop
// goroutine only) and one goroutine that receives the signals and posts
// their handlers to the loop. The goroutine exists only while at least one
// handler is installed.
type signalState struct {
	loop     *Loop
	handlers map[os.Signal]func()
	ch       chan os.Signal      // signal.Notify channel, owned by the goroutine
	swap     chan chan os.Signal // a new channel after a handler was removed
	quit     chan struct{}
	exited   chan struct{}
}

func newSignalState(l *Loop) *signalState {
	s := &signalState{
		loop:     l,
		handlers: map[os.Signal]func(){},
		ch:       make(chan os.Signal, 8),
		swap:     make(chan chan os.Signal),
		quit:     make(chan struct{}),
		exited:   make(chan struct{}),
	}
	go s.run(s.ch)
	return s
}

func (s *signalState) run(ch chan os.Signal) {
	defer close(s.exited)
	for {
		select {
		case sig := <-ch:
			if !s.post(sig) {
				return
			}
		case nc := <-s.swap:
			// The old channel is unsubscribed; handle what it still holds.
			for drained := false; !drained; {
				select {
				case sig := <-ch:
					if !s.post(sig) {
						return
					}
				default:
					drained = true
				}
			}
			ch = nc
		case <-s.quit:
			return
		}
	}
}

func (s *signalState) post(sig os.Signal) bool {
	return s.loop.CallSoonThreadsafe(func() { s.dispatch(sig) }) == nil
}

// dispatch runs sig's handler, if it is still installed. Loop goroutine.
func (s *signalState) dispatch(sig os.Signal) {
	if fn := s.handlers[sig]; fn != nil {
		fn()
	}
}

// resubscribe moves the goroutine to a channel subscribed to exactly the
// signals that still have handlers. The new channel is subscribed before
// the old one is stopped, so the remaining signals never fall back to
// their default action in between. Loop goroutine.
func (s *signalState) resubscribe() {
	nc := make(chan os.Signal, 8)
	sigs := make([]os.Signal, 0, len(s.handlers))
	for sig := range s.handlers {
		sigs = append(sigs, sig)
	}
	signal.Notify(nc, sigs...)
	signal.Stop(s.ch)
	s.ch = nc
	select {
	case s.swap <- nc:
	case <-s.exited: // the loop closed under the goroutine
	}
}

// stop unsubscribes, drops the handlers and waits for the goroutine to
// exit. Loop goroutine.
func (s *signalState) stop() {
	signal.Stop(s.ch)
	clear(s.handlers)
	close(s.quit)
	<-s.exited
}

// AddSignalHandler makes fn run on the loop, as a callback, whenever the
// process receives sig (loop.add_signal_handler). Installing a handler for
// a signal that has one replaces it. While a handler is installed the
// signal's default action (for os.Interrupt: ending the process) does not
// happen. Signals that arrive while a previous one is still waiting to be
// handled may be merged into one call, as Go's os/signal does.
//
// One goroutine per loop receives the signals while at least one handler
// is installed; it exits when the last handler is removed or the loop
// closes (Close removes every handler). AddSignalHandler returns an error
// for a nil signal, a nil fn, or a signal that cannot be caught (os.Kill,
// SIGSTOP), and ErrLoopClosed on a closed loop. Loop goroutine only (or
// the goroutine that owns the loop while it is not running).
func (l *Loop) AddSignalHandler(sig os.Signal, fn func()) error {
	switch {
	case sig == nil:
		return errors.New("aio: AddSignalHandler with a nil signal")
	case fn == nil:
		return fmt.Errorf("aio: AddSignalHandler(%v) with a nil function; use RemoveSignalHandler to remove a handler", sig)
	case sig == os.Kill || sig == sigStop:
		return fmt.Errorf("aio: AddSignalHandler(%v): the signal cannot be caught", sig)
	}
	e := extrasOf(l)
	if e == nil {
		return ErrLoopClosed
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrLoopClosed
	}
	s := e.sig
	if s == nil {
		s = newSignalState(l)
		e.sig = s
	}
	e.mu.Unlock()
	s.handlers[sig] = fn
	signal.Notify(s.ch, sig)
	return nil
}

// RemoveSignalHandler removes the handler of sig and restores the signal's
// default action (loop.remove_signal_handler). It reports whether there was
// a handler; removing again returns false. When no handler remains, the
// loop's signal goroutine exits before RemoveSignalHandler returns. Loop
// goroutine only.
func (l *Loop) RemoveSignalHandler(sig os.Signal) bool {
	e := extrasOf(l)
	if e == nil {
		return false
	}
	e.mu.Lock()
	s := e.sig
	if s == nil || s.handlers[sig] == nil {
		e.mu.Unlock()
		return false
	}
	delete(s.handlers, sig)
	last := len(s.handlers) == 0
	if last {
		e.sig = nil
	}
	e.mu.Unlock()
	if last {
		s.stop()
	} else {
		s.resubscribe()
	}
	return true
}

// interruptMessage is the cancel message of a main task interrupted by
// Ctrl-C (handleInterrupt).
const interruptMessage = "interrupted (SIGINT)"

// interruptExit ends the process on a second Ctrl-C; tests replace it.
var interruptExit = func() { os.Exit(130) }

// handleInterrupt is Ctrl-C handling for Run (asyncio.Runner's SIGINT
// behaviour): the first os.Interrupt cancels main with the message
// "interrupted (SIGINT)" — its defers run and Run returns the
// *CancelledError, so the program can report the interrupt and exit — and a
// second os.Interrupt ends the process at once with status 130 (128+SIGINT,
// what a shell reports for a process killed by Ctrl-C), for a program stuck
// in blocking code or in cleanup. stop uninstalls the handling (Ctrl-C gets
// its default action again) and waits for its goroutine to exit; call it
// when the loop no longer runs main, before the loop closes. stop may be
// called more than once. Any goroutine may call handleInterrupt and stop.
func handleInterrupt(l *Loop, main AnyTask) (stop func()) {
	ch := make(chan os.Signal, 1)
	quit := make(chan struct{})
	exited := make(chan struct{})
	signal.Notify(ch, os.Interrupt)
	go func() {
		defer close(exited)
		select {
		case <-ch:
			if l.CallSoonThreadsafe(func() { main.Cancel(interruptMessage) }) != nil {
				// The loop is closed: nothing to cancel, so the interrupt
				// ends the process right away.
				signal.Stop(ch)
				interruptExit()
				return
			}
		case <-quit:
			return
		}
		select {
		case <-ch:
			signal.Stop(ch)
			interruptExit()
		case <-quit:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(quit)
			<-exited
		})
	}
}
