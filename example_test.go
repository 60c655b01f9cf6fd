package aio_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/asyncgo/aio"
)

// Examples that involve time run on a virtual clock
// (aio.WithClock(aio.NewVirtualClock(time.Time{}))): every sleep and timeout
// is instant, and the elapsed times they print are virtual, computed from
// ctx.Loop().Time(), so the output is the same on every run.

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

func ExampleGather() {
	// results = await asyncio.gather(*tasks): values in input order
	square := func(n int, d time.Duration) func(*aio.Context) (int, error) {
		return func(ctx *aio.Context) (int, error) {
			if err := aio.Sleep(ctx, d); err != nil {
				return 0, err
			}
			return n * n, nil
		}
	}
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		tasks := []*aio.Task[int]{
			aio.Spawn(ctx, square(1, 3*time.Second)),
			aio.Spawn(ctx, square(2, 1*time.Second)),
			aio.Spawn(ctx, square(3, 2*time.Second)),
		}
		vals, err := aio.Gather(ctx, tasks...)
		if err != nil {
			return err
		}
		fmt.Println(vals, "in", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// [1 4 9] in 3s
}

func ExampleGather_mixed() {
	// await asyncio.gather(fut, task): futures and tasks with one result type
	err := aio.Run(func(ctx *aio.Context) error {
		fut := aio.NewFuture[string](ctx)
		ctx.Loop().CallLater(2*time.Second, func() { _ = fut.SetResult("from a callback") })
		task := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			return "from a task", aio.Sleep(ctx, time.Second)
		})
		vals, err := aio.Gather(ctx, []aio.Awaitable[string]{fut, task}...)
		fmt.Printf("%q %v\n", vals, err)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// ["from a callback" "from a task"] <nil>
}

func ExampleGather_firstError() {
	// gather() without return_exceptions: the first error propagates at once,
	// and the other children are not cancelled.
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		failing := aio.Go(ctx, func(ctx *aio.Context) error {
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			return errors.New("boom")
		})
		slow := aio.Go(ctx, func(ctx *aio.Context) error {
			return aio.Sleep(ctx, 3*time.Second)
		})
		_, err := aio.Gather(ctx, failing, slow)
		fmt.Println("gather:", err, "after", ctx.Loop().Time().Sub(start))
		_, err = slow.Await(ctx)
		fmt.Println("slow finished anyway:", err, "after", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// gather: boom after 1s
	// slow finished anyway: <nil> after 3s
}

func ExampleGatherSettled() {
	// results = await asyncio.gather(*tasks, return_exceptions=True)
	err := aio.Run(func(ctx *aio.Context) error {
		lookup := func(host string) func(*aio.Context) (string, error) {
			return func(ctx *aio.Context) (string, error) {
				if err := aio.Sleep(ctx, time.Second); err != nil {
					return "", err
				}
				if host == "bad.invalid" {
					return "", fmt.Errorf("lookup %s: no such host", host)
				}
				return host + " is up", nil
			}
		}
		a := aio.Spawn(ctx, lookup("example.com"))
		b := aio.Spawn(ctx, lookup("bad.invalid"))
		c := aio.Spawn(ctx, lookup("example.org"))
		results, err := aio.GatherSettled(ctx, a, b, c)
		if err != nil { // only when the caller itself is cancelled
			return err
		}
		for i, r := range results {
			if r.Err != nil {
				fmt.Println(i, "error:", r.Err)
			} else {
				fmt.Println(i, "value:", r.Value)
			}
		}
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 0 value: example.com is up
	// 1 error: lookup bad.invalid: no such host
	// 2 value: example.org is up
}

func ExampleWait() {
	// done, pending = await asyncio.wait(tasks, return_when=FIRST_COMPLETED)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		mirror := func(name string, d time.Duration) *aio.Task[string] {
			t := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
				if err := aio.Sleep(ctx, d); err != nil {
					return "", err
				}
				return "reply from " + name, nil
			})
			t.SetName(name)
			return t
		}
		tasks := []*aio.Task[string]{mirror("eu", 3*time.Second), mirror("us", time.Second), mirror("asia", 2*time.Second)}
		done, pending, err := aio.Wait(ctx, tasks, aio.FirstCompleted)
		if err != nil {
			return err
		}
		v, _ := done[0].Result()
		fmt.Println(v, "after", ctx.Loop().Time().Sub(start))
		// Wait never cancels: cancel the losers, then wait for them to finish.
		for _, t := range pending {
			t.Cancel("another mirror answered")
		}
		if _, _, err := aio.Wait(ctx, pending); err != nil {
			return err
		}
		for _, t := range pending {
			fmt.Println(t.Name(), "cancelled:", t.Cancelled())
		}
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// reply from us after 1s
	// eu cancelled: true
	// asia cancelled: true
}

func ExampleWaitTimeout() {
	// done, pending = await asyncio.wait(tasks, timeout=1.5)
	err := aio.Run(func(ctx *aio.Context) error {
		var tasks []*aio.Task[struct{}]
		for _, d := range []time.Duration{time.Second, 2 * time.Second} {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, d) }))
		}
		done, pending, err := aio.Wait(ctx, tasks, aio.WaitTimeout(1500*time.Millisecond))
		if err != nil { // a timeout is not an error: it shows in pending
			return err
		}
		fmt.Println("done:", len(done), "pending:", len(pending))
		// The pending task is still running; wait for the rest.
		done, pending, err = aio.Wait(ctx, tasks)
		fmt.Println("done:", len(done), "pending:", len(pending), err)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// done: 1 pending: 1
	// done: 2 pending: 0 <nil>
}

func ExampleWaitFor() {
	// result = await asyncio.wait_for(task, timeout=5)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		t := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			return 42, aio.Sleep(ctx, time.Second)
		})
		v, err := aio.WaitFor(ctx, t, 5*time.Second)
		fmt.Println(v, err, "after", ctx.Loop().Time().Sub(start))
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 42 <nil> after 1s
}

func ExampleWaitFor_timeout() {
	// try: await asyncio.wait_for(task, timeout=2) / except TimeoutError
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		t := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			if err := aio.Sleep(ctx, time.Hour); err != nil {
				fmt.Println("slow task:", err)
				return 0, err
			}
			return 42, nil
		})
		v, err := aio.WaitFor(ctx, t, 2*time.Second)
		fmt.Println("WaitFor:", v, err, "after", ctx.Loop().Time().Sub(start))
		fmt.Println("is DeadlineExceeded:", errors.Is(err, context.DeadlineExceeded))
		// WaitFor cancelled the task and waited until it had finished.
		fmt.Println("task cancelled:", t.Cancelled())
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// slow task: aio: cancelled
	// WaitFor: 0 aio: deadline exceeded after 2s
	// is DeadlineExceeded: true
	// task cancelled: true
}

func ExampleAsCompleted() {
	// for coro in asyncio.as_completed(tasks): result = await coro
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var tasks []*aio.Task[string]
		for _, job := range []struct {
			name string
			d    time.Duration
		}{{"slow", 3 * time.Second}, {"fast", time.Second}, {"medium", 2 * time.Second}} {
			tasks = append(tasks, aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
				return job.name, aio.Sleep(ctx, job.d)
			}))
		}
		for t, err := range aio.AsCompleted(ctx, tasks...) {
			if err != nil { // the caller's scope was cancelled or timed out
				return err
			}
			v, err := t.Result()
			fmt.Println(ctx.Loop().Time().Sub(start), v, err)
		}
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 1s fast <nil>
	// 2s medium <nil>
	// 3s slow <nil>
}

func ExampleShield() {
	// await asyncio.shield(task): a timeout on the waiter does not cancel the work
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		save := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			if err := aio.Sleep(ctx, 3*time.Second); err != nil {
				return "", err
			}
			return "saved", nil
		})
		tctx, cancel := aio.WithTimeout(ctx, time.Second)
		_, err := aio.Shield(tctx, save)
		cancel()
		fmt.Println("waiter gave up:", err, "after", ctx.Loop().Time().Sub(start))
		fmt.Println("save still running:", !save.Done())
		v, err := save.Await(ctx)
		fmt.Println(v, err, "after", ctx.Loop().Time().Sub(start))
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// waiter gave up: aio: deadline exceeded after 1s
	// save still running: true
	// saved <nil> after 3s
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

func ExampleNewTaskGroup() {
	// async with asyncio.TaskGroup() as tg: ... (with an explicit Wait)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		tg, gctx := aio.NewTaskGroup(ctx)
		tg.Go(func(ctx *aio.Context) error {
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			return errors.New("disk full")
		})
		tg.Go(func(ctx *aio.Context) error {
			err := aio.Sleep(ctx, time.Hour)
			fmt.Println("sibling:", err)
			return err
		})
		// The body awaits in the group's Context, which the failure cancels.
		fmt.Println("body:", aio.Sleep(gctx, time.Hour))
		err := tg.Wait()
		fmt.Println("group:", err, "after", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// sibling: aio: cancelled: task group is cancelling
	// body: aio: cancelled: task group is cancelling
	// group: disk full after 1s
}

func ExampleWithTaskGroup() {
	// async with asyncio.TaskGroup() as tg: t = tg.create_task(...)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var tasks []*aio.Task[int]
		err := aio.WithTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			for _, word := range []string{"go", "asyncio", "trio"} {
				tasks = append(tasks, aio.Spawn(tg, func(ctx *aio.Context) (int, error) {
					d := time.Duration(len(word)) * 100 * time.Millisecond
					return len(word), aio.Sleep(ctx, d)
				}))
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Every child is done once WithTaskGroup returns.
		for _, t := range tasks {
			n, _ := t.Result()
			fmt.Print(n, " ")
		}
		fmt.Println("after", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 2 7 4 after 700ms
}

func ExampleTaskGroup_Cancel() {
	// tg.cancel() (asyncio 3.15): stop every child without an error
	err := aio.Run(func(ctx *aio.Context) error {
		return aio.WithTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			tg.Go(func(ctx *aio.Context) error {
				err := aio.Sleep(ctx, time.Hour)
				fmt.Println("child:", err)
				return err
			})
			tg.Go(func(ctx *aio.Context) error {
				if err := aio.Sleep(ctx, time.Second); err != nil {
					return err
				}
				fmt.Println("found it; stopping the group")
				tg.Cancel()
				return nil
			})
			return nil
		})
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println("group:", err)
	// Output:
	// found it; stopping the group
	// child: aio: cancelled: task group is cancelling
	// group: <nil>
}

func ExampleNewQueue() {
	// queue = asyncio.Queue(maxsize=1): Put waits while the queue is full
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		q := aio.NewQueue[int](1)
		consumer := aio.Go(ctx, func(ctx *aio.Context) error {
			for {
				v, err := q.Get(ctx)
				if err != nil {
					return err
				}
				fmt.Println(ctx.Loop().Time().Sub(start), "got", v)
				if v == 3 {
					return nil
				}
				if err := aio.Sleep(ctx, time.Second); err != nil { // process it
					return err
				}
			}
		})
		for i := 1; i <= 3; i++ {
			if err := q.Put(ctx, i); err != nil {
				return err
			}
			fmt.Println(ctx.Loop().Time().Sub(start), "put", i)
		}
		_, err := consumer.Await(ctx)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 0s put 1
	// 0s got 1
	// 0s put 2
	// 1s got 2
	// 1s put 3
	// 2s got 3
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

func ExamplePanicError() {
	// A panic in a task becomes the task's error instead of crashing the program.
	err := aio.Run(func(ctx *aio.Context) error {
		t := aio.Go(ctx, func(ctx *aio.Context) error {
			var counts map[string]int
			counts["x"]++ // nil map: panics
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
