package aio_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asyncgo/aio"
)

func ExampleToThread() {
	// await asyncio.to_thread(blocking_io, path)
	err := aio.Run(func(ctx *aio.Context) error {
		n, err := aio.ToThread(ctx, func(context.Context) (int, error) {
			// Blocking code runs on a worker goroutine; the loop goes on.
			return len(strings.Fields("the quick brown fox")), nil
		})
		fmt.Println("words:", n, err)

		// Unlike asyncio, cancelling the task reaches the function.
		started := make(chan struct{})
		t := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			return aio.ToThread(ctx, func(c context.Context) (string, error) {
				close(started)
				<-c.Done()
				return "", c.Err()
			})
		})
		if _, _, err := aio.Recv(ctx, started); err != nil {
			return err
		}
		t.Cancel("enough")
		_, err = t.Await(ctx)
		fmt.Println(err)
		return nil
	})
	fmt.Println("Run:", err)
	// Output:
	// words: 4 <nil>
	// aio: cancelled: enough
	// Run: <nil>
}

func ExampleSubmit() {
	// asyncio.run_coroutine_threadsafe(coro, loop).result()
	r := aio.NewRunner(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	defer r.Close()
	result := make(chan string)
	_ = r.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		// Another goroutine hands work to the loop and blocks on the answer.
		go func() {
			s, err := aio.Submit(l, func(ctx *aio.Context) (string, error) {
				if err := aio.Sleep(ctx, time.Second); err != nil {
					return "", err
				}
				return "computed on the loop", nil
			})
			if err != nil {
				result <- err.Error()
				return
			}
			v, err := s.Wait(context.Background())
			result <- fmt.Sprint(v, " ", err)
		}()
		v, _, err := aio.Recv(ctx, result) // the loop runs the submitted task meanwhile
		fmt.Println(v)
		return err
	})
	// Output:
	// computed on the loop <nil>
}

func ExampleRecv() {
	// Receive from a Go channel fed by a goroutine without blocking the loop.
	err := aio.Run(func(ctx *aio.Context) error {
		ch := make(chan int)
		go func() {
			defer close(ch)
			for i := 1; i <= 3; i++ {
				ch <- i * i
			}
		}()
		for {
			v, ok, err := aio.Recv(ctx, ch)
			if err != nil {
				return err
			}
			if !ok {
				fmt.Println("closed")
				return nil
			}
			fmt.Println(v)
		}
	})
	fmt.Println("Run:", err)
	// Output:
	// 1
	// 4
	// 9
	// closed
	// Run: <nil>
}

func ExampleRunner() {
	// with asyncio.Runner() as runner: runner.run(a()); runner.run(b())
	r := aio.NewRunner(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	var bg *aio.Task[string]
	_ = r.Run(func(ctx *aio.Context) error {
		bg = aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			return "background done", aio.Sleep(ctx, time.Minute)
		})
		fmt.Println("first run")
		return nil
	})
	_ = r.Run(func(ctx *aio.Context) error {
		// Same loop: the task spawned by the first run is still there.
		v, err := bg.Await(ctx)
		fmt.Println("second run:", v)
		return err
	})
	err := r.Run(func(*aio.Context) error { return errors.New("third run failed") })
	fmt.Println(err)
	fmt.Println("Close:", r.Close())
	// Output:
	// first run
	// second run: background done
	// third run failed
	// Close: <nil>
}
