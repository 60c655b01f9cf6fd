package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGatherRunsTheCoroutineTwiceConcurrentlyAndKeepsResultsInOrder: both
// greetings start before either ends, Bob (1 s) finishes before Alice (2 s),
// the results follow the argument order and the whole takes 2 s, not 3 s.
func TestGatherRunsTheCoroutineTwiceConcurrentlyAndKeepsResultsInOrder(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"Welcome, Alice",
		"Welcome, Bob",
		"Goodbye, Bob",
		"Goodbye, Alice",
		`Results: ["greeted Alice" "greeted Bob"]`,
		"Finished in 2.0s",
	})
}
