package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestTasksStartWhenCreatedSoBothSleepsOverlap: the 1 s and 2 s tasks run
// concurrently, so the program takes 2 s, not 3 s.
func TestTasksStartWhenCreatedSoBothSleepsOverlap(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"Hello after 1s",
		"Hello after 2s",
		"Finished in 2.0s",
	})
}
