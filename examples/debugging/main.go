// Command debugging shows aio's debug mode on the three classic asyncio
// complaints: a blocking call that freezes the loop (the watchdog names it
// with its stack while it still blocks), a task error nobody retrieved
// (reported with where the task was created), and a hang (the task tree
// says who awaits what). Run it with AIODEBUG=1 or, as here, WithDebug.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/asyncgo/aio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// legacyFetch stands for a synchronous client call (net/http, a database
// driver, a mutex) made from a task: it holds the loop while it runs.
func legacyFetch() string {
	time.Sleep(300 * time.Millisecond) // the blocking call
	return "data"
}

func run(w io.Writer, opts ...aio.Option) error {
	blocked := make(chan aio.BlockingReport, 1)
	all := append([]aio.Option{
		aio.WithDebug(true),
		aio.WithSlowCallback(100 * time.Millisecond),
		aio.WithBlockingReport(func(r aio.BlockingReport) {
			select {
			case blocked <- r:
			default:
			}
		}),
		aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
			fmt.Fprintf(w, "reported: %s: %v (task %s)\n", ec.Message, ec.Err, ec.TaskName)
			fmt.Fprintf(w, "  created at: %s\n", firstFrame(ec.TaskCreated))
		}),
	}, opts...)
	return aio.Run(func(ctx *aio.Context) error {
		fmt.Fprintln(w, "1. a blocking call inside a task")
		fetcher := aio.Spawn(ctx, func(*aio.Context) (string, error) { return legacyFetch(), nil })
		fetcher.SetName("fetcher")
		if _, err := fetcher.Await(ctx); err != nil {
			return err
		}
		r := <-blocked // the watchdog reported while legacyFetch still blocked
		fmt.Fprintf(w, "caught: task %s blocked the loop for more than 100ms, at:\n", r.Task)
		for _, f := range programFrames(r.Stack) {
			fmt.Fprintln(w, "  "+f)
		}

		fmt.Fprintln(w, "2. who awaits what")
		release := aio.NewFuture[struct{}](ctx)
		db := aio.Go(ctx, func(ctx *aio.Context) error { _, err := release.Await(ctx); return err })
		db.SetName("db-query")
		handler := aio.Go(ctx, func(ctx *aio.Context) error { _, err := db.Await(ctx); return err })
		handler.SetName("handler")
		if err := aio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		for _, line := range strings.Split(ctx.Loop().Tasks().String(), "\n") {
			if strings.Contains(line, "── ") { // the task lines, without stacks
				fmt.Fprintln(w, withoutAge(line))
			}
		}
		_ = release.SetResult(struct{}{})
		if _, err := handler.Await(ctx); err != nil {
			return err
		}

		fmt.Fprintln(w, "3. an error nobody retrieves")
		lost := aio.Go(ctx, func(*aio.Context) error { return errors.New("connection reset") })
		lost.SetName("uploader")
		return aio.Sleep(ctx, time.Second) // the report comes at shutdown
	}, all...)
}

// firstFrame returns the file:line of a creation site's first frame (the
// call of Spawn or Go), without the directory.
func firstFrame(created string) string {
	line, _, _ := strings.Cut(created, "\n")
	fn, loc, _ := strings.Cut(line, " ")
	if i := strings.LastIndexByte(loc, '/'); i >= 0 {
		loc = loc[i+1:]
	}
	if name, ok := programFunc(fn); ok {
		fn = name
	}
	return fn + " (" + loc + ")"
}

// programFunc returns fn without its package if it is this program's
// ("main." when built as a command, the import path under go test).
func programFunc(fn string) (string, bool) {
	for _, pkg := range []string{"main.", "github.com/asyncgo/aio/examples/debugging."} {
		if name, ok := strings.CutPrefix(fn, pkg); ok {
			return name, true
		}
	}
	return "", false
}

// programFrames returns the stack's frames as "function (file:line)",
// from the top down to this program's code, without directories.
func programFrames(stack string) []string {
	lines := strings.Split(stack, "\n")
	var out []string
	for i := 1; i+1 < len(lines); i += 2 {
		fn := lines[i]
		if j := strings.LastIndexByte(fn, '('); j > 0 {
			fn = fn[:j]
		}
		loc := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndexByte(loc, ' '); j > 0 {
			loc = loc[:j]
		}
		if j := strings.LastIndexByte(loc, '/'); j >= 0 {
			loc = loc[j+1:]
		}
		if strings.HasPrefix(fn, "runtime.") {
			continue
		}
		if name, ok := programFunc(fn); ok {
			out = append(out, name+" ("+loc+")")
			if strings.HasPrefix(name, "run.") {
				break
			}
		} else {
			out = append(out, fn)
		}
	}
	return out
}

// withoutAge drops the age (wall-clock) from a task line.
func withoutAge(line string) string {
	if i := strings.Index(line, ", age "); i >= 0 {
		if j := strings.IndexByte(line[i:], ']'); j >= 0 {
			return line[:i] + line[i+j:]
		}
	}
	return line
}
