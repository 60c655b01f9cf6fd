package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDebuggingShowsTheBlockingCallTheTreeAndTheCreationSite(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, aio.WithClock(aio.NewVirtualClock(time.Time{}))); err != nil {
		t.Fatal(err)
	}
	t.Logf("output:\n%s", out.String())
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	exampletest.Lines(t, lines, []string{
		"1. a blocking call inside a task",
		"caught: task fetcher blocked the loop for more than 100ms, at:",
		"  time.Sleep",
		"  legacyFetch (main.go:29)",
		"  run.func3.1 (main.go:51)",
		"2. who awaits what",
		"├── main [running]",
		"└── handler [waiting] awaiting task db-query",
		"    └── db-query [waiting] awaiting future",
		"3. an error nobody retrieves",
		"reported: task error was never retrieved: connection reset (task uploader)",
		"  created at: run.func3 (main.go:82)",
	})
}
