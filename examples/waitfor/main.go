// Command waitfor runs a 400-second operation under a 1-second aio.WaitFor
// timeout (asyncio.wait_for): after about 1 s the operation is cancelled and
// WaitFor returns a timeout error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// slowOperation would take 400 s.
func slowOperation(ctx *aio.Context, w io.Writer) (string, error) {
	fmt.Fprintln(w, "Slow operation started.")
	if err := aio.Sleep(ctx, 400*time.Second); err != nil {
		return "", err
	}
	fmt.Fprintln(w, "Slow operation completed.")
	return "done", nil
}

// run runs the example, printing to w. The timeout is the expected outcome;
// run returns an error only if the operation was not timed out.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		fmt.Fprintln(w, "Waiting for the 400s operation with a 1s timeout...")
		op := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return slowOperation(ctx, w) })
		v, err := aio.WaitFor(ctx, op, 1*time.Second)
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("WaitFor returned (%q, %v), want a timeout", v, err)
		}
		fmt.Fprintf(w, "Timed out after %.1fs: %v\n", ctx.Loop().Time().Sub(start).Seconds(), err)
		fmt.Fprintf(w, "Slow operation cancelled: %t\n", op.Cancelled())
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
