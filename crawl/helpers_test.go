package crawl_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/crawl"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hits counts requests per path (with query) on a test server.
type hits struct {
	mu sync.Mutex
	m  map[string]int
}

func (h *hits) add(r *http.Request) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]int{}
	}
	k := r.URL.Path
	if r.URL.RawQuery != "" {
		k += "?" + r.URL.RawQuery
	}
	h.m[k]++
	return h.m[k]
}

func (h *hits) get(k string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[k]
}

func (h *hits) snapshot() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for k, v := range h.m {
		out[k] = v
	}
	return out
}

// server starts an httptest server on 127.0.0.1 that counts its requests.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *hits) {
	t.Helper()
	var hs hits
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.add(r)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hs
}

// crawlReal runs c on a real-clock loop and returns its stats and the
// results decoded from its JSON lines output (which must parse), checking
// that the output holds exactly one line per counted URL.
func crawlReal(t *testing.T, c *crawl.Crawler, seeds ...string) (crawl.Stats, []crawl.Result) {
	t.Helper()
	var out bytes.Buffer
	c.Output = &out
	var stats crawl.Stats
	err := aio.Run(func(ctx *aio.Context) error {
		var err error
		stats, err = c.Run(ctx, seeds...)
		return err
	}, aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		t.Errorf("the loop reported: %s: %v", ec.Message, ec.Err)
	}))
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	results := parseLines(t, out.Bytes())
	if got, want := len(results), stats.Pages+stats.FetchErrors; got != want {
		t.Errorf("%d JSON lines, want Pages+FetchErrors = %d", got, want)
	}
	return stats, results
}

// parseLines decodes JSON lines strictly.
func parseLines(t *testing.T, b []byte) []crawl.Result {
	t.Helper()
	var rs []crawl.Result
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r crawl.Result
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q does not parse: %v", sc.Text(), err)
		}
		rs = append(rs, r)
	}
	return rs
}

// byURL indexes results by URL, failing on duplicates.
func byURL(t *testing.T, rs []crawl.Result) map[string]crawl.Result {
	t.Helper()
	m := map[string]crawl.Result{}
	for _, r := range rs {
		if _, dup := m[r.URL]; dup {
			t.Errorf("%s recorded twice", r.URL)
		}
		m[r.URL] = r
	}
	return m
}

// page writes an HTML page with links.
func page(w http.ResponseWriter, title string, links ...string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	b := "<html><head><title>" + title + "</title></head><body>"
	for _, l := range links {
		b += `<a href="` + l + `">x</a>`
	}
	w.Write([]byte(b + "</body></html>"))
}
