package aio_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/asyncgo/aio"
)

func count(m map[string]int, k string) { m[k]++ }

func ExamplePanicError() {
	// A panic in a task becomes the task's error instead of crashing the program.
	err := aio.Run(func(ctx *aio.Context) error {
		t := aio.Go(ctx, func(ctx *aio.Context) error {
			var counts map[string]int // never made
			count(counts, "x")        // panics: the map is nil
			return nil
		})
		_, err := t.Await(ctx)
		var pe *aio.PanicError
		if errors.As(err, &pe) {
			fmt.Println("task panicked:", pe.Value)
			fmt.Println("stack captured:", len(pe.Stack) > 0)
		}
		// Unwrap exposes a panic value that is an error.
		var re runtime.Error
		fmt.Println("is a runtime.Error:", errors.As(err, &re))
		return nil
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// task panicked: assignment to entry in nil map
	// stack captured: true
	// is a runtime.Error: true
}

func ExampleCancelledError() {
	// except asyncio.CancelledError as e: e.args[0]
	err := aio.Run(func(ctx *aio.Context) error {
		t := aio.Go(ctx, func(ctx *aio.Context) error {
			return aio.Sleep(ctx, time.Hour)
		})
		if err := aio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		t.Cancel("user pressed Ctrl-C")
		_, err := t.Await(ctx)
		var ce *aio.CancelledError
		if errors.As(err, &ce) {
			fmt.Printf("cancelled with message %q\n", ce.Message)
		}
		fmt.Println("errors.Is(err, context.Canceled):", errors.Is(err, context.Canceled))
		fmt.Println(err)
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// cancelled with message "user pressed Ctrl-C"
	// errors.Is(err, context.Canceled): true
	// aio: cancelled: user pressed Ctrl-C
}

func ExampleTimeoutError() {
	// except TimeoutError: (asyncio.timeout raises it at the end of the block)
	err := aio.Run(func(ctx *aio.Context) error {
		tctx, cancel := aio.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		err := aio.Sleep(tctx, time.Second)
		var te *aio.TimeoutError
		fmt.Println("is *TimeoutError:", errors.As(err, &te), "Timeout():", te.Timeout())
		fmt.Println("errors.Is(err, context.DeadlineExceeded):", errors.Is(err, context.DeadlineExceeded))
		fmt.Println("tctx.Err():", tctx.Err())
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// is *TimeoutError: true Timeout(): true
	// errors.Is(err, context.DeadlineExceeded): true
	// tctx.Err(): context deadline exceeded
}
