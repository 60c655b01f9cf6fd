// Command syncvsasync fetches posts (1 s) and users (2 s) from a simulated
// web service twice: first one request after the other, which takes about
// 3 s, then both concurrently, which takes about 2 s.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// request simulates a network request that takes d to answer.
func request(ctx *aio.Context, w io.Writer, what string, d time.Duration) (string, error) {
	fmt.Fprintf(w, "fetching %s...\n", what)
	if err := aio.Sleep(ctx, d); err != nil {
		return "", err
	}
	fmt.Fprintf(w, "%s fetched\n", what)
	return what, nil
}

func fetchPosts(ctx *aio.Context, w io.Writer) (string, error) {
	return request(ctx, w, "posts", 1*time.Second)
}

func fetchUsers(ctx *aio.Context, w io.Writer) (string, error) {
	return request(ctx, w, "users", 2*time.Second)
}

// sequential awaits one request after the other.
func sequential(ctx *aio.Context, w io.Writer) error {
	if _, err := fetchPosts(ctx, w); err != nil {
		return err
	}
	_, err := fetchUsers(ctx, w)
	return err
}

// concurrent runs both requests as tasks and gathers them.
func concurrent(ctx *aio.Context, w io.Writer) error {
	posts := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return fetchPosts(ctx, w) })
	users := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) { return fetchUsers(ctx, w) })
	_, err := aio.Gather(ctx, posts, users)
	return err
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		for _, approach := range []struct {
			name string
			fn   func(*aio.Context, io.Writer) error
		}{
			{"Sequential", sequential},
			{"Concurrent", concurrent},
		} {
			fmt.Fprintf(w, "%s:\n", approach.name)
			start := ctx.Loop().Time()
			if err := approach.fn(ctx, w); err != nil {
				return err
			}
			fmt.Fprintf(w, "%s run took %.1fs\n", approach.name, ctx.Loop().Time().Sub(start).Seconds())
		}
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
