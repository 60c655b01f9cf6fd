// Command counting runs two coroutines that count to different totals and
// give control back to the loop (aio.Sleep(ctx, 0)) every 1000 counts. They
// take turns on the single loop goroutine, so the one with less to count
// finishes first even though it started second.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/asyncgo/aio"
)

// yieldEvery is how many counts a coroutine makes before yielding.
const yieldEvery = 1000

// count counts to total, yielding to the loop every yieldEvery counts.
func count(ctx *aio.Context, w io.Writer, name string, total int) (int, error) {
	n := 0
	for n < total {
		n++
		if n%yieldEvery == 0 {
			fmt.Fprintf(w, "%s: counted to %d\n", name, n)
			if err := aio.Sleep(ctx, 0); err != nil {
				return n, err
			}
		}
	}
	fmt.Fprintf(w, "%s finished counting to %d\n", name, n)
	return n, nil
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		counts, err := aio.Gather(ctx,
			aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return count(ctx, w, "first", 5000) }),
			aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return count(ctx, w, "second", 3000) }),
		)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Counts: %v\n", counts)
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
