package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestFutureResolvedElsewhereWakesItsAwaiterOnAHandDrivenLoop: the future
// set by another task after 1 s wakes the awaiting coroutine with its value;
// RunUntilComplete returns when the task is done (1 s) and then when a
// future set by a CallLater callback is done (0.5 s later); Close closes
// the loop, and nothing is reported to the exception handler.
func TestFutureResolvedElsewhereWakesItsAwaiterOnAHandDrivenLoop(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"coroutine: awaiting the future",
		"setter task: setting the result",
		`coroutine: the future gave "hello from the future"`,
		`RunUntilComplete(task) returned after 1.0s; the task's result is "hello from the future"`,
		"callback: setting the result",
		"RunUntilComplete(future) returned after 1.5s; the future's result is 42",
		"loop closed: true",
	})
}
