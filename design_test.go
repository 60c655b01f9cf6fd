package aio_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// The API reads as intended when used the plain way: a worker pool fed by
// a Queue, spreading a []*Task[T] into GatherSettled, Cancel without a
// message, Spawn inferring T. This program compiles and runs as written.
func TestAWorkerPoolFedByAQueueRunsAsWritten(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomDuration := func() time.Duration { return time.Duration(100+rng.IntN(900)) * time.Millisecond }
	var lines []string
	printf := func(format string, a ...any) { lines = append(lines, fmt.Sprintf(format, a...)) }

	err := aio.Run(func(ctx *aio.Context) error {
		q := aio.NewQueue[time.Duration](0)
		for range 10 {
			q.PutNowait(randomDuration())
		}
		var workers []*aio.Task[struct{}]
		for i := range 3 {
			workers = append(workers, aio.Go(ctx, func(ctx *aio.Context) error {
				for {
					d, err := q.Get(ctx)
					if err != nil {
						return err // cancelled
					}
					printf("Worker %d sleeping for %v.", i, d)
					if err := aio.Sleep(ctx, d); err != nil {
						return err
					}
					q.TaskDone()
				}
			}))
		}
		if err := q.Join(ctx); err != nil {
			return err
		}
		for _, w := range workers {
			w.Cancel()
		}
		aio.GatherSettled(ctx, workers...)

		// A value: Spawn infers T from the coroutine.
		t := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { return 42, nil })
		v, err := t.Await(ctx)
		printf("value %d", v)
		return err
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 11 || lines[10] != "value 42" {
		t.Fatalf("got %d lines ending %q; want 10 jobs and the value 42", len(lines), lines[len(lines)-1])
	}
}
