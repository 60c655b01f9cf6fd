package main

import (
	"testing"
	"time"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestWaitForTimesOutTheSlowOperationAfterOneSecond: the 400 s operation is
// cancelled at the 1 s deadline and WaitFor returns a timeout error then,
// not after 400 s.
func TestWaitForTimesOutTheSlowOperationAfterOneSecond(t *testing.T) {
	lines, elapsed := exampletest.RunTimed(t, run)
	exampletest.Lines(t, lines, []string{
		"Waiting for the 400s operation with a 1s timeout...",
		"Slow operation started.",
		"Timed out after 1.0s: aio: deadline exceeded",
		"Slow operation cancelled: true",
	})
	if elapsed != time.Second {
		t.Errorf("the program ran for %v of virtual time, want 1s", elapsed)
	}
}
