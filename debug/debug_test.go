package debug

import (
	"bytes"
	"encoding/json"
	"expvar"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// withLoop runs fn on a goroutine while the loop runs a parked task named
// "sleeper", then stops the loop.
func withLoop(t *testing.T, fn func(l *aio.Loop)) {
	t.Helper()
	l := aio.NewLoop(aio.WithDebug(false)) // the expected dumps are debug mode's short form
	defer l.Close()
	s := aio.Go(l, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
	s.SetName("sleeper")
	done := make(chan struct{})
	l.CallSoon(func() {
		go func() {
			defer close(done)
			fn(l)
			_ = l.CallSoonThreadsafe(l.Stop)
		}()
	})
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	<-done
}

func get(t *testing.T, h http.Handler, url string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return string(b)
}

func TestRegisterServesTheTaskTreeAndMetrics(t *testing.T) {
	withLoop(t, func(l *aio.Loop) {
		mux := http.NewServeMux()
		Register(mux, "/debug/aio", l)
		if s := get(t, mux, "/debug/aio/tasks"); !strings.Contains(s, "sleeper [waiting] awaiting sleep") {
			t.Errorf("tasks:\n%s", s)
		}
		var tt aio.TaskTree
		if err := json.Unmarshal([]byte(get(t, mux, "/debug/aio/tasks?format=json")), &tt); err != nil || len(tt.Tasks) != 1 || tt.Tasks[0].Name != "sleeper" {
			t.Errorf("json tree %+v, %v", tt, err)
		}
		var m aio.Metrics
		deadline := time.Now().Add(5 * time.Second) // published when the loop next waits
		for l.Metrics().Tasks != 1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if err := json.Unmarshal([]byte(get(t, mux, "/debug/aio/metrics")), &m); err != nil || m.Tasks != 1 {
			t.Errorf("metrics %+v, %v", m, err)
		}
	})
}

var publishRuns int // expvar names are process-wide: one per run (-count)

func TestPublishMetricsShowsInExpvar(t *testing.T) {
	publishRuns++
	name := "aio_test_loop_" + strconv.Itoa(publishRuns)
	withLoop(t, func(l *aio.Loop) {
		PublishMetrics(name, l)
		v := expvar.Get(name)
		// The loop publishes its counters when it next waits for events.
		deadline := time.Now().Add(5 * time.Second)
		for v != nil && !strings.Contains(v.String(), `"Tasks":1`) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if v == nil || !strings.Contains(v.String(), `"Tasks":1`) {
			t.Errorf("expvar = %v", v)
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDumpOnSignalPrintsTheTree(t *testing.T) {
	withLoop(t, func(l *aio.Loop) {
		var out syncBuffer
		stop := dumpOnSignal(l, &out, syscall.SIGUSR1)
		defer stop()
		if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(out.String(), "sleeper") && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // the signal arrives asynchronously
		}
		if s := out.String(); !strings.Contains(s, "aio task tree (signal user defined signal 1)") || !strings.Contains(s, "sleeper [waiting]") {
			t.Errorf("dump:\n%s", s)
		}
		stop()
		stop()
	})
}
