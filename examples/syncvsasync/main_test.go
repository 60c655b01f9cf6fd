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

// TestSequentialRequestsAddUpWhileConcurrentOnesOverlap: awaited one after
// the other the 1 s and 2 s requests take 3 s; as gathered tasks, 2 s.
func TestSequentialRequestsAddUpWhileConcurrentOnesOverlap(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, aio.WithClock(aio.NewVirtualClock(time.Time{}))); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{
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
	}
	if got, w := out.String(), strings.Join(want, "\n")+"\n"; got != w {
		t.Errorf("output:\n%s\nwant:\n%s", got, w)
	}
}
