package httprec

import (
	"io"
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRecorderKeepsTheFirstStatusAndTheBody(t *testing.T) {
	r := New()
	if r.Status() != http.StatusOK {
		t.Errorf("no status written: Status() = %d, want 200", r.Status())
	}
	r.Header().Set("X-A", "1")
	r.WriteHeader(http.StatusTeapot)
	r.WriteHeader(http.StatusNotFound) // ignored, as net/http ignores it
	io.WriteString(r, "short and ")
	io.WriteString(r, "stout")
	if r.Code != http.StatusTeapot || r.Body.String() != "short and stout" || r.Header().Get("X-A") != "1" {
		t.Errorf("recorded %d %q %v", r.Code, r.Body.String(), r.Header())
	}
	w := New()
	io.WriteString(w, "x") // a Write without WriteHeader is a 200
	if w.Code != http.StatusOK {
		t.Errorf("Write first: Code = %d, want 200", w.Code)
	}
}
