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

// TestTasksStartWhenCreatedSoBothSleepsOverlap: the 1 s and 2 s tasks run
// concurrently, so the program takes 2 s, not 3 s.
func TestTasksStartWhenCreatedSoBothSleepsOverlap(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, aio.WithClock(aio.NewVirtualClock(time.Time{}))); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := "Hello after 1s\nHello after 2s\nFinished in 2.0s\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, strings.TrimSpace(want))
	}
}
