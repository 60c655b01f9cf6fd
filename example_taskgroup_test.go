package aio_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

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

func ExampleRunTaskGroup() {
	// async with asyncio.TaskGroup() as tg: t = tg.create_task(...)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		var tasks []*aio.Task[int]
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
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
		// Every child is done once RunTaskGroup returns.
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
		return aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
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
