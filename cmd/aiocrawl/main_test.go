package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncgo/aio/crawl"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemoWritesJSONLinesAndSummary runs the command as a user would:
// -demo serves the generated site on 127.0.0.1 and crawls it; the JSON
// lines file parses, has one line per URL the summary counts, never a
// disallowed URL, and stderr shows the summary (no progress bar: stderr is
// not a terminal).
func TestDemoWritesJSONLinesAndSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-demo", "-demo-pages", "40", "-demo-latency", "1ms", "-o", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout not empty with -o: %q", stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var r crawl.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if strings.Contains(r.URL, "/private/") {
			t.Errorf("disallowed URL fetched: %s", r.URL)
		}
		n++
	}
	m := regexp.MustCompile(`demo site: http://127\.0\.0\.1:\d+ \(40 pages, (\d+) URLs to fetch`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no demo banner in stderr:\n%s", stderr.String())
	}
	if want, _ := strconv.Atoi(m[1]); n != want {
		t.Errorf("%d lines, want %d", n, want)
	}
	if !strings.Contains(stderr.String(), "crawled "+strconv.Itoa(n)+" URLs in ") {
		t.Errorf("summary does not count %d URLs:\n%s", n, stderr.String())
	}
	if strings.Contains(stderr.String(), "\r") {
		t.Errorf("a progress bar was drawn on a non-terminal")
	}
}

// TestDemoToStdout: without -o the lines go to stdout.
func TestDemoToStdout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-demo", "-demo-pages", "10", "-max-pages", "5"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if lines := strings.Count(stdout.String(), "\n"); lines != 5 {
		t.Errorf("%d lines on stdout with -max-pages 5", lines)
	}
}

// TestUsageErrors: no URL, or a bad flag, is exit status 2.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"-no-such-flag"}, {"-depth", "x", "http://127.0.0.1:1/"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"not a url"}, &stdout, &stderr); code != 1 {
		t.Errorf("a bad start URL: exit %d, want 1", code)
	}
}
