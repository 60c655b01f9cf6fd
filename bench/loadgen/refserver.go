package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
)

// refStats are the counts the reference server writes to -stats.
type refStats struct {
	Connections int `json:"connections"` // connections that carried at least one request
	MaxOpen     int `json:"max_open"`    // the most of those open at the same time
	Requests    int `json:"requests"`    // /item/{i} requests answered
}

// refCounter tracks the connections of a net/http server through its
// ConnState hook. A connection counts once it carries a request, so the
// runner's readiness probe (a connect and close) is not counted.
type refCounter struct {
	mu     sync.Mutex
	active map[net.Conn]bool // connections that carried a request, still open
	s      refStats
}

func (rc *refCounter) connState(c net.Conn, st http.ConnState) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch st {
	case http.StateActive:
		if _, seen := rc.active[c]; !seen {
			rc.active[c] = true
			rc.s.Connections++
			rc.s.MaxOpen = max(rc.s.MaxOpen, len(rc.active))
		}
	case http.StateClosed, http.StateHijacked:
		delete(rc.active, c)
	}
}

func (rc *refCounter) stats() refStats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.s
}

// itemHandler answers GET /item/{i} with {"id":i,"title":"item i"}.
func (rc *refCounter) itemHandler(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 {
		http.Error(w, "bad item", http.StatusNotFound)
		return
	}
	body := strconv.AppendInt([]byte(`{"id":`), int64(i), 10)
	body = append(body, `,"title":"item `...)
	body = strconv.AppendInt(body, int64(i), 10)
	body = append(body, `"}`...)
	w.Header()["Content-Type"] = []string{"application/json"}
	w.Write(body)
	rc.mu.Lock()
	rc.s.Requests++
	rc.mu.Unlock()
}

// refServer serves until SIGTERM or SIGINT, then writes the stats.
func refServer(addr, statsFile string) error {
	ctx, stop := signalContext()
	defer stop()
	return serveRef(ctx, addr, statsFile, nil)
}

// serveRef serves until ctx is done; ready, if not nil, gets the address.
func serveRef(ctx context.Context, addr, statsFile string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	rc := &refCounter{active: map[net.Conn]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /item/{i}", rc.itemHandler)
	srv := &http.Server{Handler: mux, ConnState: rc.connState}
	if ready != nil {
		ready(ln.Addr())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		srv.Close()
		err = <-done
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if statsFile != "" {
		b, _ := json.Marshal(rc.stats())
		if werr := os.WriteFile(statsFile, append(b, '\n'), 0o644); err == nil {
			err = werr
		}
	}
	return err
}
