package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestFutureResolvedElsewhereWakesItsAwaiterOnAHandDrivenLoop: the future
// set by another task after 1 s wakes the awaiting coroutine with its value;
// RunUntilComplete returns when the task is done (1 s) and then when a
// future set by a CallLater callback is done (0.5 s later); Close closes
// the loop, and nothing is reported to the exception handler.
func TestFutureResolvedElsewhereWakesItsAwaiterOnAHandDrivenLoop(t *testing.T) {
	var out bytes.Buffer
	var reports []string
	err := run(&out,
		aio.WithClock(aio.NewVirtualClock(time.Time{})),
		aio.WithExceptionHandler(func(_ *aio.Loop, c aio.ExceptionContext) {
			reports = append(reports, fmt.Sprint(c.Message, ": ", c.Err))
		}))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{
		"coroutine: awaiting the future",
		"setter task: setting the result",
		`coroutine: the future gave "hello from the future"`,
		`RunUntilComplete(task) returned after 1.0s; the task's result is "hello from the future"`,
		"callback: setting the result",
		"RunUntilComplete(future) returned after 1.5s; the future's result is 42",
		"loop closed: true",
	}
	if got, w := out.String(), strings.Join(want, "\n")+"\n"; got != w {
		t.Errorf("output:\n%s\nwant:\n%s", got, w)
	}
	if len(reports) > 0 {
		t.Errorf("the loop reported errors: %q", reports)
	}
}
