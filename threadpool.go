package aio

import (
	"sync"
	"time"

	"github.com/asyncgo/aio/internal/ring"
)

// threadPool is a loop's bounded pool of worker goroutines (ToThread). At
// most limit functions run at once; more wait in a FIFO queue. Workers are
// reused: a submission goes to the most recently idle worker (so surplus
// workers stay idle and time out), a new worker is started only while fewer
// than limit exist, and a worker idle for idleTTL exits. close makes idle
// workers exit at once and busy ones after their function returns.
type threadPool struct {
	mu      sync.Mutex
	limit   int
	idleTTL time.Duration
	workers int                // live workers, busy or idle
	idle    []*poolWorker      // idle workers, most recent last
	queue   ring.Ring[poolJob] // submissions waiting for a worker, FIFO
	closed  bool
	done    chan struct{} // closed by close
}

// poolJob is a job of the pool. It returns a function (or nil) that the
// worker calls once it is available again: ToThread posts the result to the
// loop there, so that the caller, resumed by that post, finds the worker
// idle and reuses it for its next call instead of starting another one.
type poolJob func() (after func())

type poolWorker struct {
	ch chan poolJob // a job handed to this idle worker (buffer 1)
}

func newThreadPool(limit int, idleTTL time.Duration) *threadPool {
	return &threadPool{limit: limit, idleTTL: idleTTL, done: make(chan struct{})}
}

// Submit makes the pool an Executor: job runs as a poolJob with nothing to
// do afterwards.
func (p *threadPool) Submit(job func()) error {
	return p.submit(func() func() { job(); return nil })
}

// submit runs job on a worker: at once on an idle worker or a new one, or
// later, in submission order, when all limit workers are busy. It returns
// ErrLoopClosed after close. Any goroutine; it never blocks.
func (p *threadPool) submit(job poolJob) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrLoopClosed
	}
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.ch <- job // never blocks: the worker left the idle list only here
		return nil
	}
	if p.workers < p.limit {
		p.workers++
		p.mu.Unlock()
		go p.work(job)
		return nil
	}
	p.queue.Push(job)
	p.mu.Unlock()
	return nil
}

// pop takes the first queued job; p.mu held.
func (p *threadPool) pop() poolJob {
	if p.queue.Len() == 0 {
		return nil
	}
	return p.queue.Pop()
}

// removeIdle takes w off the idle list; false if a Submit took it first.
// p.mu held.
func (p *threadPool) removeIdle(w *poolWorker) bool {
	for i, x := range p.idle {
		if x == w {
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[len(p.idle)-1] = nil
			p.idle = p.idle[:len(p.idle)-1]
			return true
		}
	}
	return false
}

// work is a worker goroutine; job is its first job.
func (p *threadPool) work(job poolJob) {
	w := &poolWorker{ch: make(chan poolJob, 1)}
	var timer *time.Timer
	clean := false
	defer func() {
		if clean {
			return
		}
		// The job called runtime.Goexit (its caller got ErrGoexit): the
		// goroutine ends, so hand its place to a new worker if work waits.
		p.mu.Lock()
		p.workers--
		if !p.closed && p.queue.Len() > 0 {
			p.workers++
			go p.work(nil)
		}
		p.mu.Unlock()
	}()
	for {
		var after func()
		if job != nil {
			after = job()
		}
		p.mu.Lock()
		if job = p.pop(); job != nil {
			p.mu.Unlock()
			if after != nil {
				after()
			}
			continue
		}
		if p.closed {
			p.workers--
			p.mu.Unlock()
			clean = true
			if after != nil {
				after()
			}
			return
		}
		p.idle = append(p.idle, w)
		p.mu.Unlock()
		if after != nil {
			after()
		}
		if timer == nil {
			timer = time.NewTimer(p.idleTTL)
		} else {
			timer.Reset(p.idleTTL)
		}
		select {
		case job = <-w.ch:
			timer.Stop()
			continue
		case <-timer.C:
		case <-p.done:
			timer.Stop()
		}
		p.mu.Lock()
		if p.removeIdle(w) {
			p.workers--
			p.mu.Unlock()
			clean = true
			return
		}
		p.mu.Unlock()
		job = <-w.ch // a Submit took this worker just before it gave up
	}
}

// close stops accepting jobs and drops the queued ones (their loop is
// closed: nobody is left to receive their results). Idle workers exit at
// once, busy workers when their job returns. Any goroutine; idempotent.
func (p *threadPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.queue.Clear()
	close(p.done)
}

// stats reports the live and idle workers and queued jobs (tests).
func (p *threadPool) stats() (workers, idle, queued int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workers, len(p.idle), p.queue.Len()
}
