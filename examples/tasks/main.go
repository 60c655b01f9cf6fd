// Command tasks runs two tasks that sleep 1 s and 2 s concurrently: a task
// starts as soon as it is created, not when it is awaited, so the program
// takes about 2 s, not 3 s.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

func waitAndPrint(ctx *aio.Context, w io.Writer, d time.Duration) error {
	if err := aio.Sleep(ctx, d); err != nil {
		return err
	}
	fmt.Fprintf(w, "Hello after %ds\n", int(d.Seconds()))
	return nil
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		t1 := aio.Go(ctx, func(ctx *aio.Context) error { return waitAndPrint(ctx, w, 1*time.Second) })
		t2 := aio.Go(ctx, func(ctx *aio.Context) error { return waitAndPrint(ctx, w, 2*time.Second) })
		if _, err := t1.Await(ctx); err != nil {
			return err
		}
		if _, err := t2.Await(ctx); err != nil {
			return err
		}
		// Both tasks started when they were created: 2 s, not 3 s.
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
