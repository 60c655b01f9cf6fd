package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestWaitForTimesOutTheSlowOperationAfterOneSecond: the 400 s operation is
// cancelled at the 1 s deadline and WaitFor returns a timeout error then,
// not after 400 s.
func TestWaitForTimesOutTheSlowOperationAfterOneSecond(t *testing.T) {
	var out bytes.Buffer
	clk := aio.NewVirtualClock(time.Time{})
	if err := run(&out, aio.WithClock(clk)); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{
		"Waiting for the 400s operation with a 1s timeout...",
		"Slow operation started.",
		"Timed out after 1.0s: aio: deadline exceeded",
		"Slow operation cancelled: true",
	}
	if got, w := out.String(), strings.Join(want, "\n")+"\n"; got != w {
		t.Errorf("output:\n%s\nwant:\n%s", got, w)
	}
	if total := clk.Now().Sub(time.Time{}); total != time.Second {
		t.Errorf("the program ran for %v of virtual time, want 1s", total)
	}
}
