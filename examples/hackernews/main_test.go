package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHackerNewsOffline: against the embedded fixture server, the two
// stories print, then the top 30 in rank order; 30 requests of 20 ms at
// most 8 at a time take at least 4 rounds (80 ms), far less than 30 in
// sequence (600 ms).
func TestHackerNewsOffline(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	if err := run(&out, "", false); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	want := []string{"Two stories, fetched concurrently:", "  Fixture story 1", "  Fixture story 2", "Top 30 stories:"}
	for i := range 30 {
		id := 1000 + i
		want = append(want, fmt.Sprintf("%3d. Fixture story %d (%d points by user%d)", i+1, i+1, 500-id%100, id%7))
	}
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d < 80*time.Millisecond || d > 500*time.Millisecond {
		t.Errorf("took %v: the 8-in-flight limit or the concurrency is off", d)
	}
}
