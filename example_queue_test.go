package aio_test

import (
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

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
