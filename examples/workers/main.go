// Command workers is the worker model of asyncio tutorials: ten jobs (sleeps
// of 0.1–1.0 s) are put on a queue, three worker tasks process them, the main
// task joins the queue, then cancels the workers and gathers them. The jobs
// take about a third of their total duration.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/asyncgo/aio"
)

const (
	numJobs    = 10
	numWorkers = 3
)

// jobDurations draws the jobs' sleep durations, uniform in [0.1 s, 1.0 s).
func jobDurations(rng *rand.Rand) []time.Duration {
	ds := make([]time.Duration, numJobs)
	for i := range ds {
		s := 0.1 + 0.9*rng.Float64()
		ds[i] = time.Duration(s * float64(time.Second))
	}
	return ds
}

// seconds formats d like Python's f"{seconds:.2}": two significant digits,
// and at least one digit after the decimal point ("0.15", "0.7", "1.0").
func seconds(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'g', 2, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// worker processes jobs from q until it is cancelled.
func worker(ctx *aio.Context, w io.Writer, id int, q *aio.Queue[time.Duration]) error {
	for {
		d, err := q.Get(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Worker %d sleeping for %ss.\n", id, seconds(d))
		if err := aio.Sleep(ctx, d); err != nil {
			return err
		}
		fmt.Fprintf(w, "Worker %d woke up.\n", id)
		if err := q.TaskDone(); err != nil {
			return err
		}
	}
}

// run runs the example, drawing the jobs from rng and printing to w.
func run(w io.Writer, rng *rand.Rand, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		q := aio.NewQueue[time.Duration](0)

		fmt.Fprintln(w, "Creating jobs...")
		for _, d := range jobDurations(rng) {
			if err := q.PutNowait(d); err != nil {
				return err
			}
		}

		fmt.Fprintln(w, "Creating and starting workers...")
		workers := make([]*aio.Task[struct{}], numWorkers)
		for i := range workers {
			workers[i] = aio.Go(ctx, func(ctx *aio.Context) error {
				return worker(ctx, w, i, q)
			})
		}

		fmt.Fprintln(w, "Waiting for jobs to be completed.")
		if err := q.Join(ctx); err != nil {
			return err
		}
		fmt.Fprintln(w, "Jobs finished.")

		fmt.Fprintln(w, "Terminating workers...")
		for _, t := range workers {
			t.Cancel("jobs finished")
		}
		results, err := aio.GatherSettled(ctx, workers...)
		if err != nil {
			return err
		}
		for i, r := range results {
			// A worker only ever stops by being cancelled.
			if !errors.Is(r.Err, context.Canceled) {
				return fmt.Errorf("worker %d: %v", i, r.Err)
			}
		}
		fmt.Fprintln(w, "Workers terminated. Example finished.")
		return nil
	}, opts...)
}

func main() {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	if err := run(os.Stdout, rng); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
