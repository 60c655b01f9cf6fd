package aio_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asyncgo/aio"
)

func ExampleContext() {
	// A *Context is a context.Context: hand it to ordinary Go code, here a
	// goroutine that reports back with Loop.CallSoonThreadsafe.
	err := aio.Run(func(ctx *aio.Context) error {
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		var gctx context.Context = tctx
		result := aio.NewFuture[error](ctx)
		l := ctx.Loop()
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			<-gctx.Done() // e.g. an HTTP request made with gctx
			err := gctx.Err()
			_ = l.CallSoonThreadsafe(func() { _ = result.SetResult(err) })
		})
		gerr, err := result.Await(ctx)
		fmt.Println("goroutine saw:", gerr)
		fmt.Println("cause:", context.Cause(gctx), tctx.Cause())
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// goroutine saw: context deadline exceeded
	// cause: context deadline exceeded aio: deadline exceeded
}

func ExampleWithCancel() {
	// with anyio.CancelScope() as scope: ...  (scope.cancel() from elsewhere)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		sctx, cancel := aio.WithCancel(ctx)
		defer cancel() // release the scope; calling it again does nothing
		ctx.Loop().CallLater(time.Second, cancel)
		err := aio.Sleep(sctx, time.Hour)
		fmt.Println("in the scope:", err, errors.Is(err, context.Canceled),
			"after", ctx.Loop().Time().Sub(start))
		// As a context.Context the scope reports the standard error.
		fmt.Println("sctx.Err():", sctx.Err())
		fmt.Println("outside the scope:", aio.Sleep(ctx, time.Second))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// in the scope: aio: cancelled true after 1s
	// sctx.Err(): context canceled
	// outside the scope: <nil>
}

func ExampleWithTimeout() {
	// async with asyncio.timeout(1): page = await fetch()
	fetch := func(ctx *aio.Context) (string, error) {
		if err := aio.Sleep(ctx, 3*time.Second); err != nil {
			return "", err
		}
		return "page", nil
	}
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		_, err := fetch(tctx)
		fmt.Println("fetch:", err, errors.Is(err, context.DeadlineExceeded),
			"after", ctx.Loop().Time().Sub(start))
		// Cancellation is level-triggered: every later await in the expired
		// scope fails at once too, so a swallowed error cannot hide it.
		fmt.Println("again in the scope:", aio.Sleep(tctx, time.Second))
		cancel()
		// The enclosing scope is not affected.
		fmt.Println("outside the scope:", aio.Sleep(ctx, time.Second),
			"after", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// fetch: aio: deadline exceeded true after 1s
	// again in the scope: aio: deadline exceeded
	// outside the scope: <nil> after 2s
}

func ExampleWithDeadline() {
	// async with asyncio.timeout_at(loop.time() + 2): ...
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		dctx, cancel := aio.WithDeadline(ctx, start.Add(2*time.Second))
		defer cancel()
		for {
			if err := aio.Sleep(dctx, 750*time.Millisecond); err != nil {
				fmt.Println(err, "at", ctx.Loop().Time().Sub(start))
				return nil
			}
			fmt.Println("tick at", ctx.Loop().Time().Sub(start))
		}
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// tick at 750ms
	// tick at 1.5s
	// aio: deadline exceeded at 2s
}

func ExampleWithoutCancel() {
	// Trio's "with CancelScope(shield=True):" around cleanup that must await
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		conn := aio.Go(ctx, func(ctx *aio.Context) error {
			err := aio.Sleep(ctx, time.Hour) // serve until cancelled
			fmt.Println("conn: serve:", err)
			// ctx is cancelled: awaiting in it fails at once...
			fmt.Println("conn: flush in ctx:", aio.Sleep(ctx, time.Second))
			// ...but a shielded scope can still wait for the goodbye message.
			fmt.Println("conn: flush in shield:", aio.Sleep(aio.WithoutCancel(ctx), time.Second),
				"at", ctx.Loop().Time().Sub(start))
			return err
		})
		if err := aio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		conn.Cancel("server stopping")
		_, err := conn.Await(ctx)
		fmt.Println("main:", err)
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// conn: serve: aio: cancelled: server stopping
	// conn: flush in ctx: aio: cancelled: server stopping
	// conn: flush in shield: <nil> at 2s
	// main: aio: cancelled: server stopping
}
