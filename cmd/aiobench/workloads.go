package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/asyncgo/aio"
)

// body runs one micro workload with n inside a task of the loop and returns
// the time of its timed region; a failed check returns a *checkError.
type body func(ctx *aio.Context, n int) (time.Duration, error)

// micro wraps a micro workload: one loop (aio.Run), an untimed warm-up with
// N' = max(1, N/10), then the timed run with N, both checked. The metric is
// the timed region's nanoseconds divided by N.
func micro(metric string, b body) func(n int) ([]sample, error) {
	return func(n int) ([]sample, error) {
		var dt time.Duration
		err := aio.Run(func(ctx *aio.Context) error {
			if _, err := b(ctx, max(1, n/10)); err != nil {
				return err
			}
			var err error
			dt, err = b(ctx, n)
			return err
		})
		if err != nil {
			return nil, err
		}
		return []sample{{metric, float64(dt.Nanoseconds()) / float64(n), "ns"}}, nil
	}
}

// triangular is 0 + 1 + ... + (n-1).
func triangular(n int) int64 { return int64(n) * int64(n-1) / 2 }

// checkSum checks that got, the sum of 0..n-1 computed by workload what, is
// right.
func checkSum(what string, got int64, n int) error {
	if want := triangular(n); got != want {
		return checkFailed("%s: sum %d != %d (n=%d)", what, got, want, n)
	}
	return nil
}

// spawnAwait: sequentially, n times, spawn a task returning i and await it.
func spawnAwait(ctx *aio.Context, n int) (time.Duration, error) {
	t0 := time.Now()
	var s int64
	for i := range n {
		t := aio.Spawn(ctx, func(*aio.Context) (int, error) { return i, nil })
		v, err := t.Await(ctx)
		if err != nil {
			return 0, err
		}
		s += int64(v)
	}
	dt := time.Since(t0)
	return dt, checkSum("spawn_await", s, n)
}

// gatherMany: spawn n tasks at once, each yields once and returns i; gather
// them all.
func gatherMany(ctx *aio.Context, n int) (time.Duration, error) {
	t0 := time.Now()
	ts := make([]*aio.Task[int], n)
	for i := range ts {
		ts[i] = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			if err := aio.Sleep(ctx, 0); err != nil {
				return 0, err
			}
			return i, nil
		})
	}
	res, err := aio.Gather(ctx, ts...)
	dt := time.Since(t0)
	if err != nil {
		return 0, err
	}
	return dt, checkGather(res, n)
}

func checkGather(res []int, n int) error {
	if len(res) != n {
		return checkFailed("gather_many: %d results != %d", len(res), n)
	}
	var s int64
	for _, v := range res {
		s += int64(v)
	}
	return checkSum("gather_many", s, n)
}

// yieldRoundtrip: one task yields to the loop n times and counts; the caller
// awaits it.
func yieldRoundtrip(ctx *aio.Context, n int) (time.Duration, error) {
	t0 := time.Now()
	c, err := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
		c := 0
		for range n {
			if err := aio.Sleep(ctx, 0); err != nil {
				return c, err
			}
			c++
		}
		return c, nil
	}).Await(ctx)
	dt := time.Since(t0)
	if err != nil {
		return 0, err
	}
	return dt, checkCount(c, n)
}

func checkCount(c, n int) error {
	if c != n {
		return checkFailed("yield_roundtrip: count %d != %d", c, n)
	}
	return nil
}

// queuePipeline: one producer (this task) puts 0..n-1 into a queue of
// capacity 100, four consumers get, sum and TaskDone; the producer joins,
// then cancels the consumers, which return their partial sums as their
// task results.
func queuePipeline(ctx *aio.Context, n int) (time.Duration, error) {
	t0 := time.Now()
	q := aio.NewQueue[int](100)
	consumers := make([]*aio.Task[int64], 4)
	for k := range consumers {
		consumers[k] = aio.Spawn(ctx, func(ctx *aio.Context) (int64, error) {
			var s int64
			for {
				v, err := q.Get(ctx)
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return s, nil // stopped by the producer: report the partial sum
					}
					return s, err
				}
				s += int64(v)
				if err := q.TaskDone(); err != nil {
					return s, err
				}
			}
		})
	}
	for i := range n {
		if err := q.Put(ctx, i); err != nil {
			return 0, err
		}
	}
	if err := q.Join(ctx); err != nil {
		return 0, err
	}
	for _, c := range consumers {
		c.Cancel("producer done")
	}
	sums, err := aio.Gather(ctx, consumers...)
	dt := time.Since(t0)
	if err != nil {
		return 0, err
	}
	var s int64
	for _, v := range sums {
		s += v
	}
	return dt, checkSum("queue_pipeline", s, n)
}

// xorshift32DelaysUs is the spec's delay generator (xorshift32, Marsaglia
// 13/17/5): delay_us[i] in [0, 100000].
func xorshift32DelaysUs(n int) []int64 {
	x := uint32(2463534242)
	out := make([]int64, n)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = int64(x % 100001)
	}
	return out
}

// procStatusKB reads a "Field:   123 kB" line of /proc/self/status.
func procStatusKB(field string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for l := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/self/status has no %s", field)
}

// timersMany: n tasks created at once, task i sleeps delays[i] µs and
// returns it; gather them. No warm-up; the delays are generated before the
// baseline RSS sample and the timed region.
func timersMany(n int) ([]sample, error) {
	delays := xorshift32DelaysUs(n)
	var (
		wall           time.Duration
		baseKB, peakKB int64
	)
	err := aio.Run(func(ctx *aio.Context) error {
		var err error
		if baseKB, err = procStatusKB("VmRSS"); err != nil {
			return err
		}
		t0 := time.Now()
		ts := make([]*aio.Task[int64], n)
		for i, d := range delays {
			ts[i] = aio.Spawn(ctx, func(ctx *aio.Context) (int64, error) {
				if err := aio.Sleep(ctx, time.Duration(d)*time.Microsecond); err != nil {
					return 0, err
				}
				return d, nil
			})
		}
		res, err := aio.Gather(ctx, ts...)
		wall = time.Since(t0)
		if err != nil {
			return err
		}
		if peakKB, err = procStatusKB("VmHWM"); err != nil {
			return err
		}
		return checkTimers(res, delays, wall)
	})
	if err != nil {
		return nil, err
	}
	return []sample{
		{"wall_ms", float64(wall.Nanoseconds()) / 1e6, "ms"},
		{"peak_rss_kb", float64(peakKB), "kB"},
		{"bytes_per_task", float64(peakKB-baseKB) * 1024 / float64(n), "B"},
	}, nil
}

func checkTimers(res, delays []int64, wall time.Duration) error {
	if len(res) != len(delays) {
		return checkFailed("timers_many: %d results != %d", len(res), len(delays))
	}
	var got, want, maxd int64
	for i := range res {
		got += res[i]
		want += delays[i]
		maxd = max(maxd, delays[i])
	}
	if got != want {
		return checkFailed("timers_many: sum %d != %d", got, want)
	}
	if wall < time.Duration(maxd)*time.Microsecond {
		return checkFailed("timers_many: finished in %v < max delay %d us", wall, maxd)
	}
	return nil
}
