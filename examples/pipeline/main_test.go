package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The whole transcript is fixed by the loop's schedule on the virtual
// clock: jobs are queued every 100 ms (the Put waits while two are queued),
// three workers take them but only two process at once (the Semaphore), and
// after the producer's Shutdown the workers drain the queue and stop.
func TestPipelineProcessesEveryJobAndShutsDownInOrder(t *testing.T) {
	lines, elapsed := exampletest.RunTimed(t, func(w io.Writer, opts ...aio.Option) error {
		return run(context.Background(), w, opts...)
	})
	exampletest.Lines(t, lines, []string{
		"   0s producer: job 0 queued",
		"100ms producer: job 1 queued",
		"200ms producer: job 2 queued",
		"300ms producer: job 3 queued",
		"300ms results: job 0 by worker 0 in 300ms",
		"400ms producer: job 4 queued",
		"500ms producer: job 5 queued",
		"500ms results: job 1 by worker 1 in 400ms",
		"600ms producer: job 6 queued",
		"800ms results: job 2 by worker 2 in 600ms",
		"800ms results: job 3 by worker 0 in 500ms",
		"800ms producer: job 7 queued",
		"900ms producer: done, job queue shut down",
		" 1.2s results: job 4 by worker 1 in 700ms",
		" 1.3s results: job 5 by worker 2 in 500ms",
		" 1.5s results: job 6 by worker 0 in 700ms",
		" 1.7s results: job 7 by worker 1 in 500ms",
		" 1.7s done: 8 results",
	})
	// Two at a time: the jobs' 3.1 s of work cannot take less than 1.55 s.
	if elapsed.Seconds() < 1.55 {
		t.Errorf("took %v: more than two jobs ran at once", elapsed)
	}
}

func TestPipelineCancelledBeforeItStartsEndsCleanlyWithNothingDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lines := exampletest.Run(t, func(w io.Writer, opts ...aio.Option) error { return run(ctx, w, opts...) })
	exampletest.Lines(t, lines, []string{
		"   0s producer: interrupted, 0 queued jobs dropped",
		"   0s done: 0 results",
	})
}

// cancelOn is a writer that cancels a context once it has written a line
// containing trigger (like Ctrl-C at that moment).
type cancelOn struct {
	w       io.Writer
	trigger string
	cancel  context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.trigger)) {
		c.cancel()
	}
	return c.w.Write(p)
}

var (
	queuedLine  = regexp.MustCompile(`producer: job \d+ queued$`)
	resultLine  = regexp.MustCompile(`results: job \d+ by worker \d+`)
	droppedLine = regexp.MustCompile(`producer: interrupted, (\d+) queued jobs dropped$`)
	doneLine    = regexp.MustCompile(`done: (\d+) results$`)
)

// An interruption in the middle stops the producer, drops the queued jobs
// and lets the jobs in progress finish: every job queued is either dropped
// or has its result printed, and run returns nil.
func TestPipelineInterruptedMidwayDropsTheQueuedJobsAndFinishesTheOthers(t *testing.T) {
	for _, trigger := range []string{"job 1 queued", "results: job 0", "job 4 queued", "results: job 3"} {
		t.Run(trigger, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			lines := exampletest.Run(t, func(w io.Writer, opts ...aio.Option) error {
				return run(ctx, &cancelOn{w, trigger, cancel}, opts...)
			})
			queued, results, dropped := 0, 0, -1
			for _, l := range lines {
				switch {
				case queuedLine.MatchString(l):
					queued++
				case resultLine.MatchString(l):
					results++
				case droppedLine.MatchString(l):
					dropped, _ = strconv.Atoi(droppedLine.FindStringSubmatch(l)[1])
				}
			}
			last := lines[len(lines)-1]
			if m := doneLine.FindStringSubmatch(last); m == nil || m[1] != fmt.Sprint(results) {
				t.Errorf("last line %q, want done with %d results", last, results)
			}
			if dropped < 0 || queued != results+dropped {
				t.Errorf("%d queued, %d results, %d dropped:\n%s", queued, results, dropped, strings.Join(lines, "\n"))
			}
		})
	}
}
