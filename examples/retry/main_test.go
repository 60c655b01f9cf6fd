package main

import (
	"io"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiotest"
	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// expected computes the attempts and the time of the successful one by
// hand: each attempt takes 10ms, the delays are 1s, 2s, ..., 32s, then
// one minute each.
func expected(downtime time.Duration) (attempts int, at time.Duration) {
	const rtt = 10 * time.Millisecond
	delay := firstDelay
	for attempt := 1; ; attempt++ {
		at += rtt
		if at >= downtime {
			return attempt, at
		}
		at += delay
		delay = min(2*delay, maxDelay)
	}
}

func TestAnHourOfRetriesRunsInVirtualTime(t *testing.T) {
	wall := time.Now()
	lines, elapsed := exampletest.RunTimed(t, func(w io.Writer, opts ...aio.Option) error {
		return run(w, time.Hour, opts...)
	})
	took := time.Since(wall)
	attempts, at := expected(time.Hour)
	if attempts != 66 || at != time.Hour+3*time.Second+660*time.Millisecond {
		t.Fatalf("the hand computation gives %d attempts at %v", attempts, at)
	}
	exampletest.Lines(t, lines, []string{`got "ok" after 66 attempts in 1h0m3.66s`})
	if elapsed != at {
		t.Errorf("virtual time %v, want %v", elapsed, at)
	}
	if took > time.Second {
		t.Errorf("one hour of virtual retries took %v of real time", took)
	}
	t.Logf("one simulated hour of retries (66 attempts) took %v of wall time", took)
}

// TestRetryUnderAiotest is the same check written with aiotest: the loop
// state is asserted from inside, and the run fails on leaks or deadlocks.
func TestRetryUnderAiotest(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		start := l.Time()
		srv := &server{l: l, up: start.Add(time.Hour)}
		_, attempts, err := retry(ctx, srv.call)
		if err != nil {
			return err
		}
		if want, at := expected(time.Hour); attempts != want || l.Time().Sub(start) != at {
			t.Errorf("%d attempts in %v, want %d in %v", attempts, l.Time().Sub(start), want, at)
		}
		return nil
	})
}

// TestRetryStopsWhenCancelled cancels the client mid-backoff.
func TestRetryStopsWhenCancelled(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		srv := &server{l: ctx.Loop(), up: ctx.Loop().Time().Add(time.Hour)}
		scope, cancel := aio.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		_, attempts, err := retry(scope, srv.call)
		if err == nil || attempts != 15 { // attempt 15 ends at 543.15s; its backoff would end at 603.15s
			t.Errorf("attempts %d, err %v", attempts, err)
		}
		return nil
	})
}
