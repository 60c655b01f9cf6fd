package aiohttp

import (
	"net/http"
	"testing"
	"time"
)

// The Date value is formatted once per second: a cached value is used
// until the next whole second, and an expired one is replaced by the
// current time.
func TestHTTPDateIsCachedUntilTheNextSecond(t *testing.T) {
	defer dateCache.Store(nil)
	dateCache.Store(&cachedDate{until: time.Now().Add(time.Minute), s: "cached"})
	if got := httpDate(); got != "cached" {
		t.Errorf("a valid cached date was not used: %q", got)
	}
	dateCache.Store(&cachedDate{until: time.Now().Add(-time.Millisecond), s: "stale"})
	got := httpDate()
	parsed, err := time.Parse(http.TimeFormat, got)
	if err != nil || time.Since(parsed) > 2*time.Second || time.Until(parsed) > time.Second {
		t.Errorf("an expired cached date gave %q (%v), want the current time", got, err)
	}
	if d := dateCache.Load(); d == nil || d.s != got || time.Until(d.until) > time.Second {
		t.Errorf("the new value is not cached until the next second: %+v", d)
	}
}
