// Package debug serves an aio loop's task tree and metrics the way
// net/http/pprof serves profiles, publishes the metrics through expvar,
// and dumps the task tree on a signal.
//
//	mux := http.NewServeMux()
//	debug.Register(mux, "/debug/aio/", loop)   // /debug/aio/tasks, /debug/aio/metrics
//	debug.PublishMetrics("aio", loop)          // in /debug/vars
//	stop := debug.DumpOnSignal(loop, syscall.SIGUSR1)
//	defer stop()
//
// Everything here may be used from any goroutine: the task tree is built
// by the loop on request (Loop.Tasks) and the metrics are atomics
// (Loop.Metrics).
package debug

import (
	"encoding/json"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"

	"github.com/asyncgo/aio"
)

// Handler returns an http.Handler serving l's task tree: as text (the
// format of aio.TaskTree.String), or as JSON with ?format=json. Its
// requests are served on the server's goroutines.
func Handler(l *aio.Loop) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tt := l.Tasks()
		if r.URL.Query().Get("format") == "json" {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(tt)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, tt.String())
	})
}

// MetricsHandler returns an http.Handler serving l.Metrics() as JSON.
func MetricsHandler(l *aio.Loop) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(l.Metrics())
	})
}

// Register serves l's task tree at prefix+"tasks" and its metrics at
// prefix+"metrics" on mux (prefix ends with a slash, e.g. "/debug/aio/").
// Call it once per prefix, from any goroutine.
func Register(mux *http.ServeMux, prefix string, l *aio.Loop) {
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	mux.Handle(prefix+"tasks", Handler(l))
	mux.Handle(prefix+"metrics", MetricsHandler(l))
}

// PublishMetrics publishes l.Metrics() as the expvar variable name (shown
// at /debug/vars when expvar's handler is served). Like expvar.Publish, it
// panics if the name is already in use. Any goroutine.
func PublishMetrics(name string, l *aio.Loop) {
	expvar.Publish(name, expvar.Func(func() any { return l.Metrics() }))
}

// DumpOnSignal prints l's task tree to standard error each time the
// process receives one of sigs (for example syscall.SIGUSR1), from a
// goroutine of its own. The returned stop function stops listening and
// waits for that goroutine to end (a dump in progress completes first);
// calling it again does nothing. Any goroutine.
func DumpOnSignal(l *aio.Loop, sigs ...os.Signal) (stop func()) {
	return dumpOnSignal(l, os.Stderr, sigs...)
}

func dumpOnSignal(l *aio.Loop, w io.Writer, sigs ...os.Signal) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case s := <-ch:
				fmt.Fprintf(w, "aio task tree (signal %v):\n%s", s, l.Tasks())
			case <-quit:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(quit)
			<-done
		})
	}
}
