// Command pipeline is a three-stage pipeline on aio's queues and
// synchronization primitives: a producer puts jobs on a bounded queue,
// worker tasks take them and process at most two at a time (a Semaphore
// stands for a scarce resource), and a results stage prints what they
// produce. When the producer is done it shuts the job queue down
// (Queue.Shutdown): the workers drain what is left and stop, then the
// results queue is shut down the same way. On Ctrl-C the producer stops,
// the jobs still queued are dropped (Shutdown(true)), and the jobs in
// progress finish: the program always ends cleanly.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/asyncgo/aio"
)

const (
	numJobs    = 8
	numWorkers = 3
	queueSize  = 2
	maxBusy    = 2 // jobs processed at once
	interval   = 100 * time.Millisecond
)

// jobCost is how long job i takes: 300 ms, 400 ms, 500 ms, 300 ms, ...
func jobCost(i int) time.Duration { return time.Duration(300+100*(i%3)) * time.Millisecond }

type result struct {
	job, worker int
	took        time.Duration
}

// run runs the pipeline, printing to w. It returns nil when every job put
// was processed, or, if parent is cancelled first, once the jobs in
// progress have finished.
func run(parent context.Context, w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		at := func() string { return fmt.Sprintf("%5v", ctx.Loop().Time().Sub(start)) }

		jobs := aio.NewQueue[int](queueSize)
		results := aio.NewQueue[result](0)
		busy := aio.NewSemaphore(maxBusy)

		producer := aio.Go(ctx, func(ctx *aio.Context) error {
			// parent's cancellation reaches the producer's scope from any
			// goroutine (a CancelFunc is thread-safe).
			pctx, cancel := aio.WithCancel(ctx)
			defer cancel()
			defer context.AfterFunc(parent, cancel)()
			for i := range numJobs {
				if parent.Err() != nil || pctx.Err() != nil {
					break
				}
				if err := jobs.Put(pctx, i); err != nil {
					break // interrupted while the queue was full
				}
				fmt.Fprintf(w, "%s producer: job %d queued\n", at(), i)
				if err := aio.Sleep(pctx, interval); err != nil {
					break
				}
			}
			if parent.Err() != nil || pctx.Err() != nil {
				n := jobs.Len()
				jobs.Shutdown(true)
				fmt.Fprintf(w, "%s producer: interrupted, %d queued jobs dropped\n", at(), n)
				return nil
			}
			jobs.Shutdown(false)
			fmt.Fprintf(w, "%s producer: done, job queue shut down\n", at())
			return nil
		})

		workers := make([]*aio.Task[struct{}], numWorkers)
		for id := range workers {
			workers[id] = aio.Go(ctx, func(ctx *aio.Context) error {
				for {
					job, err := jobs.Get(ctx)
					if errors.Is(err, aio.ErrQueueShutDown) {
						return nil
					}
					if err != nil {
						return err
					}
					began := ctx.Loop().Time()
					if err := busy.Acquire(ctx); err != nil {
						return err
					}
					err = aio.Sleep(ctx, jobCost(job))
					busy.Release()
					if err != nil {
						return err
					}
					if err := results.Put(ctx, result{job, id, ctx.Loop().Time().Sub(began)}); err != nil {
						return err
					}
					jobs.TaskDone()
				}
			})
		}

		printer := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			n := 0
			for {
				r, err := results.Get(ctx)
				if errors.Is(err, aio.ErrQueueShutDown) {
					return n, nil
				}
				if err != nil {
					return n, err
				}
				n++
				fmt.Fprintf(w, "%s results: job %d by worker %d in %v\n", at(), r.job, r.worker, r.took)
			}
		})

		if _, err := producer.Await(ctx); err != nil {
			return err
		}
		if _, err := aio.Gather(ctx, workers...); err != nil {
			return err
		}
		results.Shutdown(false)
		n, err := printer.Await(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s done: %d results\n", at(), n)
		return nil
	}, opts...)
}

func main() {
	ctx, stop := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() {
		<-sig
		stop()
	}()
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
