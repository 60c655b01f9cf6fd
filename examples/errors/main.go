// Command errors shows how aio.Gather and aio.GatherSettled deal with a task
// that fails. Gather (asyncio.gather) returns the first error to its caller
// at once but does not cancel the other task, which still finishes.
// GatherSettled (return_exceptions=True) waits for both and returns the
// error as one of the results.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// slowTask succeeds after 4 s.
func slowTask(ctx *aio.Context, w io.Writer) (string, error) {
	fmt.Fprintln(w, "slow task: started")
	if err := aio.Sleep(ctx, 4*time.Second); err != nil {
		return "", err
	}
	fmt.Fprintln(w, "slow task: finished")
	return "slow task result", nil
}

// failingTask fails after 2 s.
func failingTask(ctx *aio.Context, w io.Writer) (string, error) {
	fmt.Fprintln(w, "failing task: started")
	if err := aio.Sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	fmt.Fprintln(w, "failing task: failing")
	return "", errors.New("something went wrong in the failing task")
}

func spawnBoth(ctx *aio.Context, w io.Writer) (slow, failing *aio.Task[string]) {
	slow = aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return slowTask(ctx, w) })
	failing = aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return failingTask(ctx, w) })
	return slow, failing
}

// gatherFirstError: the error reaches the awaiter after 2 s; the slow task
// goes on and is awaited separately.
func gatherFirstError(ctx *aio.Context, w io.Writer) error {
	fmt.Fprintln(w, "== Gather (return_exceptions=False)")
	start := ctx.Loop().Time()
	elapsed := func() float64 { return ctx.Loop().Time().Sub(start).Seconds() }
	slow, failing := spawnBoth(ctx, w)
	results, err := aio.Gather(ctx, slow, failing)
	if err == nil {
		return fmt.Errorf("gather returned %q without the task's error", results)
	}
	fmt.Fprintf(w, "gather returned an error after %.1fs: %v\n", elapsed(), err)
	fmt.Fprintf(w, "slow task done: %t, cancelled: %t\n", slow.Done(), slow.Cancelled())
	v, err := slow.Await(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "slow task still returned %q after %.1fs\n", v, elapsed())
	return nil
}

// gatherSettled: both outcomes come back, in order, after 4 s.
func gatherSettled(ctx *aio.Context, w io.Writer) error {
	fmt.Fprintln(w, "== GatherSettled (return_exceptions=True)")
	start := ctx.Loop().Time()
	slow, failing := spawnBoth(ctx, w)
	results, err := aio.GatherSettled(ctx, slow, failing)
	if err != nil {
		return err
	}
	for i, r := range results {
		if r.Err != nil {
			fmt.Fprintf(w, "result %d: error: %v\n", i, r.Err)
		} else {
			fmt.Fprintf(w, "result %d: %q\n", i, r.Value)
		}
	}
	fmt.Fprintf(w, "gather settled after %.1fs\n", ctx.Loop().Time().Sub(start).Seconds())
	return nil
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		if err := gatherFirstError(ctx, w); err != nil {
			return err
		}
		return gatherSettled(ctx, w)
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
