//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// interruptingWriter sends SIGINT to the process on its first write (from
// the crawler's writer, so while aio.Run handles Ctrl-C), then records.
type interruptingWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
}

func (w *interruptingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { _ = syscall.Kill(os.Getpid(), syscall.SIGINT) })
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestCtrlCStopsPromptlyAndWritesWhatItHas: a real SIGINT in the middle of
// a -demo crawl stops it with exit status 130; every line written parses,
// and there is exactly one per URL the summary counts, fewer than the site
// has.
func TestCtrlCStopsPromptlyAndWritesWhatItHas(t *testing.T) {
	// Keep the test process alive whatever happens to the signal.
	guard := make(chan os.Signal, 4)
	signal.Notify(guard, os.Interrupt)
	defer signal.Stop(guard)

	var out interruptingWriter
	var stderr bytes.Buffer
	code := run([]string{"-demo", "-demo-pages", "2000", "-demo-latency", "10ms", "-per-host", "4"}, &out, &stderr)
	if code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("no interruption notice:\n%s", stderr.String())
	}
	out.mu.Lock()
	b := out.buf.Bytes()
	out.mu.Unlock()
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("line %d is not JSON: %q", n+1, sc.Text())
		}
		n++
	}
	m := regexp.MustCompile(`crawled (\d+) URLs`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no summary:\n%s", stderr.String())
	}
	if counted, _ := strconv.Atoi(m[1]); counted != n || n == 0 || n >= 2000 {
		t.Errorf("%d lines written, summary counts %s (want equal, between 1 and the site's 2000+)", n, m[1])
	}
}
