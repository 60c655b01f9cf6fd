package aio

import (
	"context"
	"testing"
	"time"
)

// withThreadIdle shortens how long idle pool workers linger (tests only).
func withThreadIdle(d time.Duration) Option {
	return optionFunc(func(c *config) { c.threadIdle = d })
}

func TestToThreadReusesAnIdleWorkerInsteadOfStartingAGoroutinePerCall(t *testing.T) {
	var workers int
	err := Run(func(ctx *Context) error {
		for i := range 100 {
			if _, err := ToThread(ctx, func(context.Context) (int, error) { return i, nil }); err != nil {
				return err
			}
		}
		workers, _, _ = threadPoolOf(ctx.Loop()).stats()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if workers != 1 {
		t.Errorf("100 sequential calls left %d workers, want 1 reused worker", workers)
	}
}

// Real time is the subject here: a worker idle for the idle timeout exits.
func TestToThreadIdleWorkersExitAfterTheIdleTimeout(t *testing.T) {
	err := Run(func(ctx *Context) error {
		if _, err := ToThread(ctx, func(context.Context) (int, error) { return 0, nil }); err != nil {
			return err
		}
		p := threadPoolOf(ctx.Loop())
		deadline := time.Now().Add(5 * time.Second)
		for {
			w, idle, _ := p.stats()
			if w == 0 && idle == 0 {
				return nil
			}
			if time.Now().After(deadline) {
				t.Errorf("%d workers (%d idle) still alive 5s after going idle with a 20ms idle timeout", w, idle)
				return nil
			}
			if err := Sleep(ctx, 5*time.Millisecond); err != nil {
				return err
			}
		}
	}, withThreadIdle(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
}

func TestThreadPoolRefusesWorkOnceClosed(t *testing.T) {
	p := newThreadPool(2, time.Hour)
	done := make(chan struct{})
	if err := p.Submit(func() { close(done) }); err != nil {
		t.Fatal(err)
	}
	<-done
	p.close()
	p.close() // idempotent
	if err := p.Submit(func() { t.Error("a job ran on a closed pool") }); err != ErrLoopClosed {
		t.Errorf("Submit on a closed pool = %v, want ErrLoopClosed", err)
	}
}
