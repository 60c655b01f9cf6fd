// Command threads offloads blocking work with aio.ToThread (asyncio's
// to_thread) while a ticker task keeps ticking every 10 ms: the longest gap
// between ticks stays near 10 ms although the work blocks for 300 ms. Then
// it cancels a blocking call midway: the awaiting task gets its
// cancellation at once, and the blocking function sees its context
// cancelled (something asyncio's threads never learn).
//
// It needs the real clock: blocking work takes real time.
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

const (
	tick     = 10 * time.Millisecond
	blocking = 300 * time.Millisecond
)

// blockingSum is ordinary blocking Go code: it sleeps, ignoring ctx, as a
// synchronous library call would.
func blockingSum(_ context.Context, n int) (int, error) {
	time.Sleep(blocking)
	return n * (n + 1) / 2, nil
}

// ticker ticks every 10 ms until stop is closed and returns the longest
// gap it saw between two ticks (on the real clock).
func ticker(ctx *aio.Context, stop <-chan struct{}) (time.Duration, error) {
	var longest time.Duration
	last := time.Now()
	for {
		select {
		case <-stop:
			return longest, nil
		default:
		}
		if err := aio.Sleep(ctx, tick); err != nil {
			return longest, err
		}
		now := time.Now()
		longest = max(longest, now.Sub(last))
		last = now
	}
}

func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		stop := make(chan struct{})
		tk := aio.Spawn(ctx, func(ctx *aio.Context) (time.Duration, error) { return ticker(ctx, stop) })

		fmt.Fprintf(w, "blocking for %v on a worker while the loop ticks every %v\n", blocking, tick)
		sum, err := aio.ToThread(ctx, func(c context.Context) (int, error) { return blockingSum(c, 100) })
		if err != nil {
			return err
		}
		close(stop)
		longest, err := tk.Await(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "result: %d\n", sum)
		fmt.Fprintf(w, "longest gap between ticks: %v\n", longest.Round(time.Millisecond))

		// A blocking call that honours its context, cancelled midway.
		saw := make(chan error, 1)
		started := make(chan struct{})
		call := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			return aio.ToThread(ctx, func(c context.Context) (string, error) {
				close(started)
				select {
				case <-time.After(time.Minute):
					return "finished", nil
				case <-c.Done():
					saw <- c.Err()
					return "", c.Err()
				}
			})
		})
		if _, _, err := aio.Recv(ctx, started); err != nil {
			return err
		}
		fmt.Fprintln(w, "cancelling a blocking call midway")
		call.Cancel("no longer needed")
		_, err = call.Await(ctx)
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("the cancelled call returned %v", err)
		}
		fmt.Fprintf(w, "the awaiting task got: %v\n", err)
		// The function returns on its own goroutine; wait for what it saw
		// without blocking the loop.
		fnErr, _, err := aio.Recv(ctx, saw)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "the blocking function saw its context: %v\n", fnErr)
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
