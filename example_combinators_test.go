package aio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

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
