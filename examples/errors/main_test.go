package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGatherReturnsTheFirstErrorWithoutCancellingAndGatherSettledReturnsItAsAResult:
// Gather hands the failing task's error to its caller after 2 s while the
// slow task keeps running and returns its value at 4 s; GatherSettled waits
// 4 s and reports the value and the error in argument order. No error is
// left unretrieved for the loop to report.
func TestGatherReturnsTheFirstErrorWithoutCancellingAndGatherSettledReturnsItAsAResult(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"== Gather (return_exceptions=False)",
		"slow task: started",
		"failing task: started",
		"failing task: failing",
		"gather returned an error after 2.0s: something went wrong in the failing task",
		"slow task done: false, cancelled: false",
		"slow task: finished",
		`slow task still returned "slow task result" after 4.0s`,
		"== GatherSettled (return_exceptions=True)",
		"slow task: started",
		"failing task: started",
		"failing task: failing",
		"slow task: finished",
		`result 0: "slow task result"`,
		"result 1: error: something went wrong in the failing task",
		"gather settled after 4.0s",
	})
}
