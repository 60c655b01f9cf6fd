package aio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

func ExampleSpawn() {
	// task = asyncio.create_task(fetch(...)); ...; result = await task
	fetch := func(name string, d time.Duration) func(*aio.Context) (string, error) {
		return func(ctx *aio.Context) (string, error) {
			if err := aio.Sleep(ctx, d); err != nil {
				return "", err
			}
			return name + " fetched", nil
		}
	}
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		a := aio.Spawn(ctx, fetch("a", 2*time.Second))
		b := aio.Spawn(ctx, fetch("b", 1*time.Second))
		va, err := a.Await(ctx)
		if err != nil {
			return err
		}
		vb, err := b.Await(ctx)
		if err != nil {
			return err
		}
		// Both tasks ran concurrently from the moment they were spawned:
		// 2s in total, not 3s.
		fmt.Println(va, "/", vb, "in", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// a fetched / b fetched in 2s
}

func ExampleGo() {
	// asyncio.create_task(coro()) for a coroutine that returns nothing
	err := aio.Run(func(ctx *aio.Context) error {
		t := aio.Go(ctx, func(ctx *aio.Context) error {
			fmt.Println("task: running")
			return nil
		})
		// A new task starts only once its creator yields (here, at Await).
		fmt.Println("main: spawned", t.Name())
		_, err := t.Await(ctx)
		fmt.Println("main: task finished, err =", err)
		return err
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// main: spawned Task-2
	// task: running
	// main: task finished, err = <nil>
}

func ExampleTask_Await() {
	// try: v = await task / except Exception as e: ...
	err := aio.Run(func(ctx *aio.Context) error {
		ok := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 42, aio.Sleep(ctx, time.Second)
		})
		bad := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return 0, err
			}
			return 0, errors.New("connection refused")
		})
		v, err := ok.Await(ctx)
		fmt.Println("ok:", v, err)
		v, err = bad.Await(ctx)
		fmt.Println("bad:", v, err)
		// Awaiting a done task again returns the same result at once.
		v, err = ok.Await(ctx)
		fmt.Println("ok again:", v, err)
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// ok: 42 <nil>
	// bad: 0 connection refused
	// ok again: 42 <nil>
}

func ExampleTask_Cancel() {
	// task.cancel("shutting down"); try: await task / except CancelledError
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		t := aio.Go(ctx, func(ctx *aio.Context) error {
			defer fmt.Println("worker: cleanup ran")
			for ticks := 0; ; ticks++ {
				if err := aio.Sleep(ctx, time.Second); err != nil {
					fmt.Println("worker: stopped after", ticks, "ticks:", err)
					return err
				}
			}
		})
		if err := aio.Sleep(ctx, 2500*time.Millisecond); err != nil {
			return err
		}
		fmt.Println("main: cancel returns", t.Cancel("shutting down"))
		_, err := t.Await(ctx)
		fmt.Println("main: task cancelled:", t.Cancelled(), errors.Is(err, context.Canceled),
			"at", ctx.Loop().Time().Sub(start))
		// A done task cannot be cancelled again.
		fmt.Println("main: cancel again returns", t.Cancel("again"))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// main: cancel returns true
	// worker: stopped after 2 ticks: aio: cancelled: shutting down
	// worker: cleanup ran
	// main: task cancelled: true true at 2.5s
	// main: cancel again returns false
}

func ExampleTask_AddDoneCallback() {
	// task.add_done_callback(fn): fn is scheduled on the loop, never called inline
	err := aio.Run(func(ctx *aio.Context) error {
		t := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 7, aio.Sleep(ctx, time.Second)
		})
		t.AddDoneCallback(func() {
			v, err := t.Result()
			fmt.Println("callback: result", v, err)
		})
		remove := t.AddDoneCallback(func() { fmt.Println("never runs") })
		fmt.Println("removed:", remove())
		if err := aio.Sleep(ctx, 2*time.Second); err != nil {
			return err
		}
		fmt.Println("main: done:", t.Done())
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// removed: true
	// callback: result 7 <nil>
	// main: done: true
}

func ExampleCurrentTask() {
	// asyncio.current_task()
	err := aio.Run(func(ctx *aio.Context) error {
		fmt.Println("main runs in", aio.CurrentTask(ctx).Name())
		t := aio.Go(ctx, func(ctx *aio.Context) error {
			fmt.Println("child runs in", aio.CurrentTask(ctx).Name())
			return nil
		})
		t.SetName("worker")
		ctx.Loop().CallSoon(func() {
			fmt.Println("a callback runs in no task:", aio.CurrentTask(ctx) == nil)
		})
		_, err := t.Await(ctx)
		return err
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// main runs in main
	// child runs in worker
	// a callback runs in no task: true
}

func ExampleAllTasks() {
	// asyncio.all_tasks(): the pending tasks, oldest first
	err := aio.Run(func(ctx *aio.Context) error {
		for _, name := range []string{"db", "cache"} {
			aio.Go(ctx, func(ctx *aio.Context) error {
				return aio.Sleep(ctx, time.Second)
			}).SetName(name)
		}
		for _, t := range aio.AllTasks(ctx) {
			fmt.Println("pending:", t.Name())
		}
		if err := aio.Sleep(ctx, 2*time.Second); err != nil {
			return err
		}
		fmt.Println("still pending:", len(aio.AllTasks(ctx)))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// pending: main
	// pending: db
	// pending: cache
	// still pending: 1
}

func ExampleNewFuture() {
	// fut = loop.create_future(); loop.call_later(1, fut.set_result, "pong"); await fut
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		fut := aio.NewFuture[string](ctx)
		ctx.Loop().CallLater(time.Second, func() { _ = fut.SetResult("pong") })
		v, err := fut.Await(ctx)
		if err != nil {
			return err
		}
		fmt.Println(v, "after", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// pong after 1s
}

func ExampleFuture_SetResult() {
	// fut.set_result(v); a second set_result raises InvalidStateError
	err := aio.Run(func(ctx *aio.Context) error {
		fut := aio.NewFuture[int](ctx)
		waiter := aio.Go(ctx, func(ctx *aio.Context) error {
			v, err := fut.Await(ctx)
			fmt.Println("waiter got", v, err)
			return err
		})
		if err := aio.Sleep(ctx, 0); err != nil { // let the waiter start waiting
			return err
		}
		fmt.Println("first SetResult:", fut.SetResult(1))
		err := fut.SetResult(2)
		fmt.Println("second SetResult:", err, errors.Is(err, aio.ErrInvalidState))
		fmt.Println("Cancel after SetResult:", fut.Cancel("too late"))
		if _, err := waiter.Await(ctx); err != nil {
			return err
		}
		v, err := fut.Result()
		fmt.Println("the first result stands:", v, err)
		return nil
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// first SetResult: <nil>
	// second SetResult: aio: invalid future state true
	// Cancel after SetResult: false
	// waiter got 1 <nil>
	// the first result stands: 1 <nil>
}

func ExampleSleep() {
	// await asyncio.sleep(delay) in two concurrent tasks
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		ticker := func(name string, every time.Duration, n int) func(*aio.Context) error {
			return func(ctx *aio.Context) error {
				for range n {
					if err := aio.Sleep(ctx, every); err != nil {
						return err
					}
					fmt.Println(ctx.Loop().Time().Sub(start), name)
				}
				return nil
			}
		}
		fast := aio.Go(ctx, ticker("fast", time.Second, 3))
		slow := aio.Go(ctx, ticker("slow", 1250*time.Millisecond, 2))
		_, err := aio.Gather(ctx, fast, slow)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 1s fast
	// 1.25s slow
	// 2s fast
	// 2.5s slow
	// 3s fast
}

func ExampleSleep_zero() {
	// await asyncio.sleep(0): yield once so that other tasks can run
	err := aio.Run(func(ctx *aio.Context) error {
		step := func(name string) func(*aio.Context) error {
			return func(ctx *aio.Context) error {
				for i := 1; i <= 2; i++ {
					fmt.Println(name, "step", i)
					if err := aio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
				return nil
			}
		}
		a := aio.Go(ctx, step("a"))
		b := aio.Go(ctx, step("b"))
		_, err := aio.Gather(ctx, a, b)
		return err
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// a step 1
	// b step 1
	// a step 2
	// b step 2
}
