package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSequentialRequestsAddUpWhileConcurrentOnesOverlap: awaited one after
// the other the 1 s and 2 s requests take 3 s; as gathered tasks, 2 s.
func TestSequentialRequestsAddUpWhileConcurrentOnesOverlap(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"Sequential:",
		"fetching posts...",
		"posts fetched",
		"fetching users...",
		"users fetched",
		"Sequential run took 3.0s",
		"Concurrent:",
		"fetching posts...",
		"fetching users...",
		"posts fetched",
		"users fetched",
		"Concurrent run took 2.0s",
	})
}
