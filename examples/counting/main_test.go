package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestCountingCoroutinesTakeTurnsAndTheShorterOneFinishesFirst: each
// Sleep(ctx, 0) hands the loop to the other coroutine, so their progress
// lines alternate and "second" (3000) finishes while "first" (5000) is
// still counting.
func TestCountingCoroutinesTakeTurnsAndTheShorterOneFinishesFirst(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"first: counted to 1000",
		"second: counted to 1000",
		"first: counted to 2000",
		"second: counted to 2000",
		"first: counted to 3000",
		"second: counted to 3000",
		"first: counted to 4000",
		"second finished counting to 3000",
		"first: counted to 5000",
		"first finished counting to 5000",
		"Counts: [5000 3000]",
	})
}
