package crawl

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

// TestParseRetryAfter: seconds, HTTP dates (past ones mean now), garbage.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Monday, 02-Jan-26 03:05:05 GMT", time.Minute, true}, // RFC 850
		{"soon", 0, false},
		{"", 0, false},
		{"99999999999", 24 * time.Hour, true},
	} {
		got, ok := parseRetryAfter(c.v, now)
		if got != c.want || ok != c.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", c.v, got, ok, c.want, c.ok)
		}
	}
}

// TestBackoffGrowsWithJitterAndCap: retry n waits in [d/2, d] with
// d = min(max, base·2ⁿ⁻¹).
func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	c := &Crawler{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second, rng: rand.New(rand.NewPCG(1, 2))}
	for n, d := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		distinct := map[time.Duration]bool{}
		for range 50 {
			w := c.backoff(n)
			if w < d/2 || w > d {
				t.Errorf("backoff(%d) = %v, want in [%v, %v]", n, w, d/2, d)
			}
			distinct[w] = true
		}
		if len(distinct) < 10 {
			t.Errorf("backoff(%d): only %d distinct waits in 50: no jitter", n, len(distinct))
		}
	}
}
