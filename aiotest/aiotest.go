// Package aiotest runs tests of aio code deterministically: on a fresh
// loop with a virtual clock (an hour of timeouts and retries passes at
// once), failing the test on leaked goroutines, on tasks left pending, on
// errors the loop reports, and on deadlocks — which it detects and
// explains with the task tree instead of hanging until the test binary's
// timeout. Explore runs a test under many schedules to find order bugs.
//
//	func TestRetry(t *testing.T) {
//		aiotest.Run(t, func(ctx *aio.Context) error {
//			...
//		})
//	}
//
// Test bodies report failures by returning an error (or with t.Error,
// which is safe from a task; t.Fatal and t.FailNow are too, see the aio
// package documentation on Goexit).
package aiotest

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

// DeadlockGrace is how long (real time) the loop must stay blocked with
// nothing ready, no timer, nothing posted and no work in flight
// (aio.Loop.AddInFlight) before Run declares a deadlock. Set it before
// calling Run, not concurrently with it.
var DeadlockGrace = 200 * time.Millisecond

// Start is the instant the virtual clock of Run and Explore starts at.
var Start = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Run runs fn as the main task of a fresh loop (aio.Run) with a virtual
// clock starting at Start, followed by opts (which override). It fails t
// (t.Error) when fn returns an error, when the loop reports an error
// (unretrieved task errors, panics in callbacks), when a task other than
// the main one is still pending when fn returns (the task tree is
// printed; aio.Run then cancels it), when the loop deadlocks (the tree is
// printed and the main task is cancelled), and when a goroutine started
// during the test is still running afterwards (goleak). Call it from the
// test's goroutine.
func Run(t testing.TB, fn func(ctx *aio.Context) error, opts ...aio.Option) {
	t.Helper()
	for _, f := range check(fn, opts...) {
		t.Error(f)
	}
}

// Explore runs fn like Run under n schedules: seeds 1 to n of
// aio.WithScheduleSeed, which permute the order of equally-ready task
// steps and callbacks. It stops at the first seed that fails and reports
// the failures with the seed and the command that replays it. With the
// environment variable AIOSEED set, it runs that seed only. Call it from
// the test's goroutine.
func Explore(t testing.TB, n int, fn func(ctx *aio.Context) error, opts ...aio.Option) {
	t.Helper()
	seeds := make([]uint64, 0, n)
	if s := os.Getenv("AIOSEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("aiotest: AIOSEED=%q: %v", s, err)
		}
		seeds = append(seeds, seed)
	} else {
		for i := 1; i <= n; i++ {
			seeds = append(seeds, uint64(i))
		}
	}
	for _, seed := range seeds {
		if fs := check(fn, append(append([]aio.Option(nil), opts...), aio.WithScheduleSeed(seed))...); len(fs) > 0 {
			t.Errorf("schedule seed %d fails:\n%s\nreplay it with:\n\t%s", seed, strings.Join(fs, "\n"), ReplayCommand(t.Name(), seed))
			return
		}
	}
}

// FindFailingSeed runs fn like Explore and returns the first seed in 1..n
// under which it fails, with the failures; 0 and nil if every seed passes.
// It is Explore without a testing.TB, for tests of tests. Any goroutine.
func FindFailingSeed(n int, fn func(ctx *aio.Context) error, opts ...aio.Option) (uint64, []string) {
	for seed := uint64(1); seed <= uint64(n); seed++ {
		if fs := check(fn, append(append([]aio.Option(nil), opts...), aio.WithScheduleSeed(seed))...); len(fs) > 0 {
			return seed, fs
		}
	}
	return 0, nil
}

// Check runs fn like Run and returns the failures instead of reporting
// them to a test. Any goroutine that runs no loop.
func Check(fn func(ctx *aio.Context) error, opts ...aio.Option) []string {
	return check(fn, opts...)
}

// ReplayCommand returns the shell command that reruns test name (as
// testing.TB.Name gives it, subtests included) under seed.
func ReplayCommand(name string, seed uint64) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return fmt.Sprintf("AIOSEED=%d go test -run '%s' .", seed, strings.Join(parts, "/"))
}

// Settle waits until every other task is parked and nothing is ready,
// due, posted or in flight (aio.WaitIdle); virtual time does not move
// meanwhile. ctx must be the running task's.
func Settle(ctx *aio.Context) error { return aio.WaitIdle(ctx) }

// failures collects what a run found, from several goroutines.
type failures struct {
	mu  sync.Mutex
	all []string
}

func (f *failures) add(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.all = append(f.all, fmt.Sprintf(format, args...))
}

func (f *failures) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.all...)
}

func check(fn func(ctx *aio.Context) error, opts ...aio.Option) []string {
	ignore := goleak.IgnoreCurrent()
	var fs failures
	started := make(chan *aio.Loop, 1)
	var mainTask aio.AnyTask
	all := append([]aio.Option{
		aio.WithClock(aio.NewVirtualClock(Start)),
		aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
			msg := fmt.Sprintf("the loop reported: %s: %v", ec.Message, ec.Err)
			if name := ec.TaskName; name != "" {
				msg += " (task " + name + ")"
			} else if ec.Task != nil {
				msg += " (task " + ec.Task.Name() + ")"
			}
			if ec.TaskCreated != "" {
				msg += "\ntask created at:\n" + ec.TaskCreated
			}
			fs.add("%s", msg)
		}),
	}, opts...)
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case l := <-started:
			watchDeadlock(l, &fs, stop, func() {
				_ = l.CallSoonThreadsafe(func() { mainTask.Cancel("aiotest: deadlock") })
			})
		case <-stop:
		}
	}()
	err := aio.Run(func(ctx *aio.Context) error {
		mainTask = aio.CurrentTask(ctx)
		started <- ctx.Loop()
		err := fn(ctx)
		var left []string
		for _, t := range aio.AllTasks(ctx) {
			if t != mainTask {
				left = append(left, t.Name())
			}
		}
		if len(left) > 0 {
			fs.add("task(s) still pending when the test body returned: %s\n%s", strings.Join(left, ", "), ctx.Loop().Tasks())
		}
		return err
	}, all...)
	close(stop)
	<-watched
	if err != nil {
		fs.add("the test body returned an error: %v", err)
	}
	if err := goleak.Find(ignore); err != nil {
		fs.add("leaked goroutines: %v", err)
	}
	return fs.list()
}

// watchDeadlock polls l's metrics until stop is closed; when the loop has
// stayed blocked forever with no work in flight and no step for
// DeadlockGrace, it records the task tree and calls cancel (once).
func watchDeadlock(l *aio.Loop, fs *failures, stop <-chan struct{}, cancel func()) {
	period := max(DeadlockGrace/10, time.Millisecond)
	tick := time.NewTicker(period)
	defer tick.Stop()
	var since time.Time
	var steps uint64
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		m := l.Metrics()
		if !m.WaitingForever || m.InFlight != 0 || (!since.IsZero() && m.Steps != steps) {
			since = time.Time{}
			continue
		}
		if since.IsZero() {
			since, steps = time.Now(), m.Steps
			continue
		}
		if time.Since(since) < DeadlockGrace {
			continue
		}
		tt := l.Tasks()
		fs.add("deadlock: every task is waiting, with no timer, nothing posted and no work in flight (for %v of real time); the main task is cancelled.\n%s", DeadlockGrace, tt)
		cancel()
		return
	}
}
