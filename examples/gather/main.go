// Command gather runs the same coroutine twice concurrently with aio.Gather:
// both greetings start at once, the shorter one finishes first, and Gather
// still returns the results in the order the tasks were given.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// greetings welcomes name, waits d and says goodbye.
func greetings(ctx *aio.Context, w io.Writer, name string, d time.Duration) (string, error) {
	fmt.Fprintf(w, "Welcome, %s\n", name)
	if err := aio.Sleep(ctx, d); err != nil {
		return "", err
	}
	fmt.Fprintf(w, "Goodbye, %s\n", name)
	return "greeted " + name, nil
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		results, err := aio.Gather(ctx,
			aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return greetings(ctx, w, "Alice", 2*time.Second) }),
			aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return greetings(ctx, w, "Bob", 1*time.Second) }),
		)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Results: %q\n", results)
		fmt.Fprintf(w, "Finished in %.1fs\n", ctx.Loop().Time().Sub(start).Seconds())
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
