package aio_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

// Examples of the synchronization primitives and queue kinds, on a virtual
// clock (see example_test.go).

func ExampleLock() {
	// async with lock: ...
	var mu aio.Lock // the zero Lock is unlocked
	balance := 100
	withdraw := func(ctx *aio.Context, name string, amount int) error {
		if err := mu.Acquire(ctx); err != nil {
			return err
		}
		defer mu.Release()
		// Without the lock, both tasks would read 100 across the await.
		b := balance
		if err := aio.Sleep(ctx, time.Second); err != nil { // an await inside the critical section
			return err
		}
		if b < amount {
			fmt.Println(name, "declined")
			return nil
		}
		balance = b - amount
		fmt.Println(name, "withdrew", amount, "balance", balance)
		return nil
	}
	err := aio.Run(func(ctx *aio.Context) error {
		a := aio.Go(ctx, func(ctx *aio.Context) error { return withdraw(ctx, "alice", 70) })
		b := aio.Go(ctx, func(ctx *aio.Context) error { return withdraw(ctx, "bob", 50) })
		_, err := aio.Gather(ctx, a, b)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println(err)
	// Output:
	// alice withdrew 70 balance 30
	// bob declined
	// <nil>
}

func ExampleEvent() {
	// event = asyncio.Event(); await event.wait(); event.set()
	err := aio.Run(func(ctx *aio.Context) error {
		var ready aio.Event
		start := ctx.Loop().Time()
		var waiters []*aio.Task[struct{}]
		for i := range 3 {
			waiters = append(waiters, aio.Go(ctx, func(ctx *aio.Context) error {
				if err := ready.Wait(ctx); err != nil {
					return err
				}
				fmt.Println("waiter", i, "released after", ctx.Loop().Time().Sub(start))
				return nil
			}))
		}
		aio.Sleep(ctx, 2*time.Second)
		fmt.Println("set")
		ready.Set()
		_, err := aio.Gather(ctx, waiters...)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println(err)
	// Output:
	// set
	// waiter 0 released after 2s
	// waiter 1 released after 2s
	// waiter 2 released after 2s
	// <nil>
}

func ExampleCondition() {
	// async with cond: await cond.wait_for(lambda: items); ...
	err := aio.Run(func(ctx *aio.Context) error {
		cond := aio.NewCondition(nil)
		var items []string
		consumer := aio.Go(ctx, func(ctx *aio.Context) error {
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			defer cond.Release()
			for range 2 {
				if err := cond.WaitFor(ctx, func() bool { return len(items) > 0 }); err != nil {
					return err
				}
				fmt.Println("consumed", items[0])
				items = items[1:]
			}
			return nil
		})
		for _, it := range []string{"apple", "pear"} {
			aio.Sleep(ctx, time.Second)
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			items = append(items, it)
			fmt.Println("produced", it)
			cond.Notify(1)
			cond.Release()
		}
		_, err := consumer.Await(ctx)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println(err)
	// Output:
	// produced apple
	// consumed apple
	// produced pear
	// consumed pear
	// <nil>
}

func ExampleSemaphore() {
	// sem = asyncio.Semaphore(2); async with sem: ...
	err := aio.Run(func(ctx *aio.Context) error {
		sem := aio.NewSemaphore(2)
		start := ctx.Loop().Time()
		var tasks []*aio.Task[struct{}]
		for i := range 5 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				if err := sem.Acquire(ctx); err != nil {
					return err
				}
				defer sem.Release()
				fmt.Println("job", i, "starts at", ctx.Loop().Time().Sub(start))
				return aio.Sleep(ctx, time.Second)
			}))
		}
		_, err := aio.Gather(ctx, tasks...)
		fmt.Println("all done at", ctx.Loop().Time().Sub(start))
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println(err)
	// Output:
	// job 0 starts at 0s
	// job 1 starts at 0s
	// job 2 starts at 1s
	// job 3 starts at 1s
	// job 4 starts at 2s
	// all done at 3s
	// <nil>
}

func ExampleBarrier() {
	// barrier = asyncio.Barrier(3); index = await barrier.wait()
	err := aio.Run(func(ctx *aio.Context) error {
		b := aio.NewBarrier(3)
		start := ctx.Loop().Time()
		var tasks []*aio.Task[struct{}]
		for i := range 3 {
			tasks = append(tasks, aio.Go(ctx, func(ctx *aio.Context) error {
				aio.Sleep(ctx, time.Duration(i+1)*time.Second) // arrive at 1s, 2s, 3s
				idx, err := b.Wait(ctx)
				if err != nil {
					return err
				}
				fmt.Printf("task %d passed at %v with index %d\n", i, ctx.Loop().Time().Sub(start), idx)
				return nil
			}))
		}
		_, err := aio.Gather(ctx, tasks...)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println(err)
	// Output:
	// task 2 passed at 3s with index 2
	// task 0 passed at 3s with index 0
	// task 1 passed at 3s with index 1
	// <nil>
}

func ExamplePriorityQueue() {
	// asyncio.PriorityQueue with (priority, item) tuples
	type job struct {
		prio int
		name string
	}
	err := aio.Run(func(ctx *aio.Context) error {
		q := aio.NewPriorityQueueFunc(0, func(a, b job) bool { return a.prio < b.prio })
		for _, j := range []job{{3, "low"}, {1, "urgent"}, {2, "normal"}, {1, "urgent too"}} {
			if err := q.Put(ctx, j); err != nil {
				return err
			}
		}
		for !q.Empty() {
			j, err := q.Get(ctx)
			if err != nil {
				return err
			}
			fmt.Println(j.prio, j.name)
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1 urgent
	// 1 urgent too
	// 2 normal
	// 3 low
	// <nil>
}

func ExampleQueue_Shutdown() {
	// queue.shutdown(): the workers drain the queue, then get QueueShutDown
	err := aio.Run(func(ctx *aio.Context) error {
		q := aio.NewQueue[int](2)
		worker := aio.Go(ctx, func(ctx *aio.Context) error {
			for {
				v, err := q.Get(ctx)
				if errors.Is(err, aio.ErrQueueShutDown) {
					fmt.Println("worker: queue shut down, exiting")
					return nil
				}
				if err != nil {
					return err
				}
				fmt.Println("worker got", v)
			}
		})
		for i := range 3 {
			if err := q.Put(ctx, i); err != nil {
				return err
			}
		}
		q.Shutdown(false)
		fmt.Println("put after shutdown:", q.Put(ctx, 99))
		_, err := worker.Await(ctx)
		return err
	})
	fmt.Println(err)
	// Output:
	// worker got 0
	// worker got 1
	// worker got 2
	// put after shutdown: aio: queue is shut down
	// worker: queue shut down, exiting
	// <nil>
}
