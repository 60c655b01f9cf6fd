package aio_test

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asyncgo/aio"
)

// Longer scenarios: worker pools, pipelines, retries and shutdown. They run
// on a virtual clock, so the elapsed times they print are exact.

func ExampleQueue_Join() {
	// The asyncio.Queue documentation's worker pool: workers take jobs from
	// a queue, call task_done() for each, and main awaits queue.join().
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		jobs := aio.NewQueue[time.Duration](0)
		for _, d := range []time.Duration{500, 200, 300, 400, 100} {
			if err := jobs.PutNowait(d * time.Millisecond); err != nil {
				return err
			}
		}
		var total time.Duration // shared without a lock: tasks only switch at awaits
		var workers []*aio.Task[struct{}]
		for i := range 3 {
			name := fmt.Sprintf("worker-%d", i)
			workers = append(workers, aio.Go(ctx, func(ctx *aio.Context) error {
				for {
					d, err := jobs.Get(ctx)
					if err != nil {
						return err
					}
					if err := aio.Sleep(ctx, d); err != nil {
						return err
					}
					total += d
					fmt.Println(ctx.Loop().Time().Sub(start), name, "finished a", d, "job")
					if err := jobs.TaskDone(); err != nil {
						return err
					}
				}
			}))
		}
		if err := jobs.Join(ctx); err != nil {
			return err
		}
		// The queue is drained: stop the idle workers and wait for them.
		for _, w := range workers {
			w.Cancel("no more jobs")
		}
		if _, err := aio.GatherSettled(ctx, workers...); err != nil {
			return err
		}
		fmt.Println("3 workers did", total, "of work in", ctx.Loop().Time().Sub(start))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 200ms worker-1 finished a 200ms job
	// 300ms worker-2 finished a 300ms job
	// 400ms worker-2 finished a 100ms job
	// 500ms worker-0 finished a 500ms job
	// 600ms worker-1 finished a 400ms job
	// 3 workers did 1.5s of work in 600ms
}

func Example_pipeline() {
	// A two-stage pipeline in a task group: numbers -> squarer -> printer.
	// Bounded queues give backpressure; Join tells when a stage is drained;
	// tg.Cancel stops the stages, which would otherwise wait forever.
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		nums := aio.NewQueue[int](1)
		squares := aio.NewQueue[int](1)
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			tg.Go(func(ctx *aio.Context) error { // squarer: 100ms per item
				for {
					n, err := nums.Get(ctx)
					if err != nil {
						return err
					}
					if err := aio.Sleep(ctx, 100*time.Millisecond); err != nil {
						return err
					}
					if err := squares.Put(ctx, n*n); err != nil {
						return err
					}
					_ = nums.TaskDone()
				}
			})
			tg.Go(func(ctx *aio.Context) error { // printer
				for {
					s, err := squares.Get(ctx)
					if err != nil {
						return err
					}
					fmt.Println(ctx.Loop().Time().Sub(start), "square", s)
					_ = squares.TaskDone()
				}
			})
			for n := 1; n <= 4; n++ {
				if err := nums.Put(ctx, n); err != nil {
					return err
				}
			}
			if err := nums.Join(ctx); err != nil {
				return err
			}
			if err := squares.Join(ctx); err != nil {
				return err
			}
			tg.Cancel()
			return nil
		})
		fmt.Println("pipeline drained in", ctx.Loop().Time().Sub(start), "err:", err)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 100ms square 1
	// 200ms square 4
	// 300ms square 9
	// 400ms square 16
	// pipeline drained in 400ms err: <nil>
}

func Example_retryWithBackoff() {
	// Retry with exponential backoff and a per-attempt timeout:
	//   async with asyncio.timeout(1): await call()  ...  await asyncio.sleep(delay)
	err := aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		attempts := 0
		call := func(ctx *aio.Context) (string, error) {
			attempts++
			d := 100 * time.Millisecond
			if attempts == 2 {
				d = time.Hour // this attempt hangs
			}
			if err := aio.Sleep(ctx, d); err != nil {
				return "", err
			}
			if attempts == 1 {
				return "", errors.New("503 service unavailable")
			}
			return "200 OK", nil
		}
		delay := 100 * time.Millisecond
		for try := 1; ; try++ {
			actx, cancel := aio.WithTimeout(ctx, time.Second)
			v, err := call(actx)
			cancel()
			if err == nil {
				fmt.Println(ctx.Loop().Time().Sub(start), "attempt", try, "succeeded:", v)
				return nil
			}
			if ctx.Err() != nil { // we were cancelled ourselves: stop retrying
				return err
			}
			fmt.Println(ctx.Loop().Time().Sub(start), "attempt", try, "failed:", err, "- retrying in", delay)
			if err := aio.Sleep(ctx, delay); err != nil {
				return err
			}
			delay *= 2
		}
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 100ms attempt 1 failed: 503 service unavailable - retrying in 100ms
	// 1.2s attempt 2 failed: aio: deadline exceeded - retrying in 200ms
	// 1.5s attempt 3 succeeded: 200 OK
}

func Example_gracefulShutdown() {
	// Another goroutine (here standing in for a signal handler) stops a
	// server task through Loop.CallSoonThreadsafe; the server still awaits
	// its cleanup in a shielded scope, as asyncio code does in "finally".
	var wg sync.WaitGroup
	err := aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		ready := make(chan struct{})
		server := aio.Go(ctx, func(ctx *aio.Context) error {
			conns := aio.NewQueue[string](0)
			fmt.Println("server: serving")
			close(ready)
			_, err := conns.Get(ctx) // wait for connections until cancelled
			fmt.Println("server: stopping:", err)
			cleanup := aio.WithoutCancel(ctx)
			if err := aio.Sleep(cleanup, 500*time.Millisecond); err != nil { // drain in-flight requests
				return err
			}
			fmt.Println("server: drained")
			return err
		})
		wg.Go(func() { // the "signal handler"
			<-ready
			_ = l.CallSoonThreadsafe(func() { server.Cancel("SIGTERM") })
		})
		_, err := server.Await(ctx)
		fmt.Println("main: server exited:", err)
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	wg.Wait()
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// server: serving
	// server: stopping: aio: cancelled: SIGTERM
	// server: drained
	// main: server exited: aio: cancelled: SIGTERM
}
