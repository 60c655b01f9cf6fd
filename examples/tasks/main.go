// Command tasks runs two tasks that sleep 1 s and 2 s concurrently: the
// program takes about 2 s, not 3 s.
package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

func waitAndPrint(ctx *aio.Context, d time.Duration) error {
	if err := aio.Sleep(ctx, d); err != nil {
		return err
	}
	fmt.Printf("Hello after %ds\n", int(d.Seconds()))
	return nil
}

func main() {
	start := time.Now()
	err := aio.Run(func(ctx *aio.Context) error {
		t1 := aio.Go(ctx, func(ctx *aio.Context) error { return waitAndPrint(ctx, 1*time.Second) })
		t2 := aio.Go(ctx, func(ctx *aio.Context) error { return waitAndPrint(ctx, 2*time.Second) })
		if _, err := t1.Await(ctx); err != nil {
			return err
		}
		_, err := t2.Await(ctx)
		return err
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	fmt.Printf("Finished in %.1fs\n", time.Since(start).Seconds())
}
