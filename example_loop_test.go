package aio_test

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asyncgo/aio"
)

// The examples of every example_*_test.go file that involve time run on a
// virtual clock (aio.WithClock(aio.NewVirtualClock(time.Time{}))): every
// sleep and timeout is instant, and the elapsed times they print are
// virtual, computed from ctx.Loop().Time(), so the output is the same on
// every run.

func ExampleRun() {
	// asyncio.run(main())
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		fmt.Println("hello")
		if err := aio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		fmt.Println("world after", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println("Run returned", err)
	// Output:
	// hello
	// world after 1s
	// Run returned <nil>
}

func ExampleNewLoop() {
	// loop = asyncio.new_event_loop(); loop.run_until_complete(task); loop.close()
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	start := l.Time()
	t := aio.Spawn(l, func(ctx *aio.Context) (string, error) {
		return "done", aio.Sleep(ctx, time.Second)
	})
	if err := l.RunUntilComplete(t); err != nil {
		fmt.Println("error:", err)
	}
	v, err := t.Result()
	fmt.Println(v, err, "after", l.Time().Sub(start))
	fmt.Println("close:", l.Close(), "closed:", l.IsClosed())
	// Output:
	// done <nil> after 1s
	// close: <nil> closed: true
}

func ExampleLoop_CallSoon() {
	// loop.call_soon(callback): FIFO, each batch in its own iteration
	l := aio.NewLoop()
	defer l.Close()
	l.CallSoon(func() {
		fmt.Println("callback 1")
		l.CallSoon(func() {
			fmt.Println("callback 3, scheduled by 1, runs in the next iteration")
			l.Stop()
		})
	})
	l.CallSoon(func() { fmt.Println("callback 2") })
	skipped := l.CallSoon(func() { fmt.Println("never runs") })
	skipped.Cancel()
	fmt.Println("RunForever:", l.RunForever())
	// Output:
	// callback 1
	// callback 2
	// callback 3, scheduled by 1, runs in the next iteration
	// RunForever: <nil>
}

func ExampleLoop_CallLater() {
	// loop.call_later(delay, callback): timers fire in deadline order
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	defer l.Close()
	start := l.Time()
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		l.CallLater(d, func() { fmt.Println("timer", d, "fired at", l.Time().Sub(start)) })
	}
	late := l.CallLater(10*time.Second, func() { fmt.Println("never fires") })
	l.CallAt(start.Add(4*time.Second), func() {
		late.Cancel()
		l.Stop()
	})
	if err := l.RunForever(); err != nil {
		fmt.Println("error:", err)
	}
	fmt.Println("stopped at", l.Time().Sub(start), "cancelled:", late.Cancelled())
	// Output:
	// timer 1s fired at 1s
	// timer 2s fired at 2s
	// timer 3s fired at 3s
	// stopped at 4s cancelled: true
}

func ExampleLoop_CallSoonThreadsafe() {
	// loop.call_soon_threadsafe(fut.set_result, v) from a worker thread
	var wg sync.WaitGroup
	err := aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		fut := aio.NewFuture[int](ctx)
		wg.Go(func() {
			sum := 0
			for i := 1; i <= 100; i++ { // blocking work, off the loop
				sum += i
			}
			// Futures belong to the loop goroutine: post the call there.
			if err := l.CallSoonThreadsafe(func() { _ = fut.SetResult(sum) }); err != nil {
				fmt.Println("loop closed:", err)
			}
		})
		v, err := fut.Await(ctx)
		fmt.Println("sum from the goroutine:", v, err)
		return err
	})
	wg.Wait()
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// sum from the goroutine: 5050 <nil>
}

func ExampleLoop_RunUntilComplete() {
	// loop.run_until_complete(fut): runs the loop until fut is done
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	start := l.Time()
	fut := aio.NewFuture[string](l)
	l.CallLater(time.Second, func() { _ = fut.SetResult("ready") })
	err := l.RunUntilComplete(fut)
	v, _ := fut.Result()
	fmt.Println(v, err, "after", l.Time().Sub(start))
	// On a done future it runs one iteration and returns at once.
	fmt.Println("again:", l.RunUntilComplete(fut), "after", l.Time().Sub(start))

	// The loop can run again; RunUntilComplete returns the task's error.
	t := aio.Go(l, func(ctx *aio.Context) error {
		if err := aio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		return errors.New("boom")
	})
	fmt.Println(l.RunUntilComplete(t), "after", l.Time().Sub(start))
	fmt.Println("close:", l.Close())
	// Output:
	// ready <nil> after 1s
	// again: <nil> after 1s
	// boom after 2s
	// close: <nil>
}

func ExampleLoop_Stop() {
	// loop.stop() from a task; loop.run_forever() returns
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	defer l.Close()
	start := l.Time()
	aio.Go(l, func(ctx *aio.Context) error {
		if err := aio.Sleep(ctx, 5*time.Second); err != nil {
			return err
		}
		ctx.Loop().Stop()
		return nil
	})
	fmt.Println("RunForever:", l.RunForever(), "after", l.Time().Sub(start))
	// Output:
	// RunForever: <nil> after 5s
}

func ExampleNewVirtualClock() {
	// Like Trio's MockClock(autojump_threshold=0): time jumps to the next
	// timer whenever every task is waiting, so this "90 minute" program
	// finishes at once.
	start := time.Date(2030, time.January, 1, 9, 0, 0, 0, time.UTC)
	err := aio.Run(func(ctx *aio.Context) error {
		fmt.Println("start:", ctx.Loop().Time().Format(time.Kitchen))
		if err := aio.Sleep(ctx, 90*time.Minute); err != nil {
			return err
		}
		fmt.Println("end:", ctx.Loop().Time().Format(time.Kitchen))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(start)))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// start: 9:00AM
	// end: 10:30AM
}

func ExampleWithExceptionHandler() {
	// loop.set_exception_handler(handler)
	handler := func(l *aio.Loop, ec aio.ExceptionContext) {
		var pe *aio.PanicError
		switch {
		case errors.As(ec.Err, &pe):
			fmt.Printf("handler: %s: panic: %v\n", ec.Message, pe.Value)
		case ec.Task != nil:
			fmt.Printf("handler: %s (task %s): %v\n", ec.Message, ec.Task.Name(), ec.Err)
		default:
			fmt.Printf("handler: %s: %v\n", ec.Message, ec.Err)
		}
	}
	err := aio.Run(func(ctx *aio.Context) error {
		ctx.Loop().CallSoon(func() { panic("bad callback") })
		aio.Go(ctx, func(ctx *aio.Context) error {
			return errors.New("nobody awaits me")
		}).SetName("forgotten")
		return aio.Sleep(ctx, time.Second)
	}, aio.WithExceptionHandler(handler), aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println("Run:", err)
	// Output:
	// handler: exception in callback: panic: bad callback
	// handler: task error was never retrieved (task forgotten): nobody awaits me
	// Run: <nil>
}
