package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// realClock overrides exampletest's virtual clock: the example measures
// real blocking time.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

var gapLine = regexp.MustCompile(`^longest gap between ticks: (.+)$`)

// TestThreadsTickerKeepsTickingAndTheCancelledCallSeesItsContext checks
// the transcript's structure and that the loop was never blocked: the
// longest gap between 10 ms ticks stays far below the 300 ms of blocking
// (a generous bound, this is real time).
func TestThreadsTickerKeepsTickingAndTheCancelledCallSeesItsContext(t *testing.T) {
	start := time.Now()
	lines := exampletest.Run(t, run, aio.WithClock(realClock{}))
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the example took %v, want < 2s", elapsed)
	}
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 6:\n%q", len(lines), lines)
	}
	exampletest.Lines(t, []string{lines[0], lines[1]}, []string{
		"blocking for 300ms on a worker while the loop ticks every 10ms",
		"result: 5050",
	})
	m := gapLine.FindStringSubmatch(lines[2])
	if m == nil {
		t.Fatalf("line 3 = %q, want the longest gap", lines[2])
	}
	gap, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if gap >= 150*time.Millisecond {
		t.Errorf("longest gap between ticks %v: the loop was blocked by the 300ms call", gap)
	}
	exampletest.Lines(t, lines[3:], []string{
		"cancelling a blocking call midway",
		"the awaiting task got: aio: cancelled: no longer needed",
		"the blocking function saw its context: context canceled",
	})
}
