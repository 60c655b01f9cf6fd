// Command futures shows aio.Future, the low-level awaitable that gets its
// result "somewhere else", and a loop driven by hand instead of by aio.Run:
// NewLoop creates it, RunUntilComplete runs it until a task or a future is
// done and returns its error, Close releases it.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// awaitResolvedByTask creates a Future that another task resolves after 1 s
// and awaits it.
func awaitResolvedByTask(ctx *aio.Context, w io.Writer) (string, error) {
	fut := aio.NewFuture[string](ctx)
	setter := aio.Go(ctx, func(ctx *aio.Context) error {
		if err := aio.Sleep(ctx, 1*time.Second); err != nil {
			return err
		}
		fmt.Fprintln(w, "setter task: setting the result")
		return fut.SetResult("hello from the future")
	})
	fmt.Fprintln(w, "coroutine: awaiting the future")
	v, err := fut.Await(ctx)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(w, "coroutine: the future gave %q\n", v)
	if _, err := setter.Await(ctx); err != nil {
		return "", err
	}
	return v, nil
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	l := aio.NewLoop(opts...)
	defer l.Close()
	start := l.Time()
	elapsed := func() float64 { return l.Time().Sub(start).Seconds() }

	// A task run to completion: RunUntilComplete returns its error, Result
	// its value.
	t := aio.Spawn(l, func(ctx *aio.Context) (string, error) { return awaitResolvedByTask(ctx, w) })
	if err := l.RunUntilComplete(t); err != nil {
		return err
	}
	v, _ := t.Result()
	fmt.Fprintf(w, "RunUntilComplete(task) returned after %.1fs; the task's result is %q\n", elapsed(), v)

	// A plain future resolved by a timer callback: the loop can wait for it
	// too.
	fut := aio.NewFuture[int](l)
	l.CallLater(500*time.Millisecond, func() {
		fmt.Fprintln(w, "callback: setting the result")
		_ = fut.SetResult(42)
	})
	if err := l.RunUntilComplete(fut); err != nil {
		return err
	}
	n, _ := fut.Result()
	fmt.Fprintf(w, "RunUntilComplete(future) returned after %.1fs; the future's result is %d\n", elapsed(), n)

	if err := l.Close(); err != nil {
		return err
	}
	fmt.Fprintf(w, "loop closed: %t\n", l.IsClosed())
	return nil
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
