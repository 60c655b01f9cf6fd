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

// TestGatherRunsTheCoroutineTwiceConcurrentlyAndKeepsResultsInOrder: both
// greetings start before either ends, Bob (1 s) finishes before Alice (2 s),
// the results follow the argument order and the whole takes 2 s, not 3 s.
func TestGatherRunsTheCoroutineTwiceConcurrentlyAndKeepsResultsInOrder(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, aio.WithClock(aio.NewVirtualClock(time.Time{}))); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{
		"Welcome, Alice",
		"Welcome, Bob",
		"Goodbye, Bob",
		"Goodbye, Alice",
		`Results: ["greeted Alice" "greeted Bob"]`,
		"Finished in 2.0s",
	}
	if got, w := out.String(), strings.Join(want, "\n")+"\n"; got != w {
		t.Errorf("output:\n%s\nwant:\n%s", got, w)
	}
}
