package main

import (
	"bytes"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestFetchOffline: against the embedded fixture server (50 ms per
// answer) both fetches get 10 users and 100 posts; the sequential pair
// takes two latencies, the concurrent pair about one.
func TestFetchOffline(t *testing.T) {
	var out bytes.Buffer
	seq, conc, err := run(&out, "", false)
	if err != nil {
		t.Fatal(err)
	}
	want := "sequential: 10 users, 100 posts\nconcurrent: 10 users, 100 posts\nfirst user: User 1 <user1@example.com>, first post: \"post 1\"\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if seq < 2*latency || conc < latency || conc > seq*3/4 {
		t.Errorf("sequential %v, concurrent %v", seq, conc)
	}
}
