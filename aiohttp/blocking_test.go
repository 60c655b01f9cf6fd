package aiohttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// A handler that blocks the loop (here a sleep; in real code a mutex or a
// slow system call) is reported by the loop's watchdog in debug mode while
// it still blocks: the report names the connection's task and shows the
// handler on top of its stack, so the fix (aiohttp.Blocking, or an await)
// is one look away.
func TestAHandlerThatBlocksIsReportedByTheLoop(t *testing.T) {
	reports := make(chan aio.BlockingReport, 8)
	blocking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Block until the watchdog has reported (real time is what this
		// test is about), with a generous cap.
		deadline := time.Now().Add(5 * time.Second)
		for len(reports) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		w.Write([]byte("done"))
	})
	err := aio.Run(func(ctx *aio.Context) error {
		base, stop := serve(t, ctx, &aiohttp.Server{Handler: blocking})
		defer stop()
		got := raw(t, ctx, base, "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10*time.Second)
		if !strings.HasSuffix(got, "done") {
			t.Errorf("response = %q", got)
		}
		return nil
	}, aio.WithDebug(true), aio.WithSlowCallback(20*time.Millisecond),
		aio.WithBlockingReport(func(r aio.BlockingReport) {
			select {
			case reports <- r:
			default:
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 {
		t.Fatal("the blocking handler was not reported")
	}
	r := <-reports
	if !strings.HasPrefix(r.Task, "aiohttp conn 127.0.0.1:") {
		t.Errorf("report names task %q, want the connection's task", r.Task)
	}
	for _, want := range []string{"time.Sleep", "TestAHandlerThatBlocksIsReportedByTheLoop.func1", "blocking_test.go:"} {
		if !strings.Contains(r.Stack, want) {
			t.Errorf("the stack does not show %q:\n%s", want, r.Stack)
		}
	}
}
