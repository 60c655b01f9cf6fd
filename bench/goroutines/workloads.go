package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// micro wraps a timed body: a checked warm-up with max(1, n/10), then the
// timed run with n; the metric is nanoseconds per item.
func micro(name string, body func(n int) (time.Duration, error)) func(int) ([]metric, error) {
	return func(n int) ([]metric, error) {
		if _, err := body(max(1, n/10)); err != nil {
			return nil, err
		}
		dt, err := body(n)
		if err != nil {
			return nil, err
		}
		return []metric{{name, float64(dt.Nanoseconds()) / float64(n), "ns"}}, nil
	}
}

func triangular(n int) int64 { return int64(n) * int64(n-1) / 2 }

func checkSum(what string, got int64, n int) error {
	if got != triangular(n) {
		return checkFailed("%s: sum %d != %d (n=%d)", what, got, triangular(n), n)
	}
	return nil
}

// spawnAwait: n times in a row, start a goroutine that returns i through
// its own result channel and wait for it.
func spawnAwait(n int) (time.Duration, error) {
	t0 := time.Now()
	var s int64
	for i := range n {
		res := make(chan int, 1)
		go func() { res <- i }()
		s += int64(<-res)
	}
	dt := time.Since(t0)
	return dt, checkSum("spawn_await", s, n)
}

// gatherMany: n goroutines at once; each yields once and stores i in its
// slot; wait for all of them.
func gatherMany(n int) (time.Duration, error) {
	t0 := time.Now()
	results := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			runtime.Gosched()
			results[i] = i
		})
	}
	wg.Wait()
	dt := time.Since(t0)
	var s int64
	for _, v := range results {
		s += int64(v)
	}
	return dt, checkSum("gather_many", s, n)
}

// yieldRoundtrip: one goroutine yields n times, counting; wait for its count.
func yieldRoundtrip(n int) (time.Duration, error) {
	t0 := time.Now()
	res := make(chan int, 1)
	go func() {
		c := 0
		for range n {
			runtime.Gosched()
			c++
		}
		res <- c
	}()
	c := <-res
	dt := time.Since(t0)
	if c != n {
		return 0, checkFailed("yield_roundtrip: count %d != %d", c, n)
	}
	return dt, nil
}

// queuePipeline: this goroutine puts 0..n-1 into a channel of capacity 100,
// four consumers sum what they get; unfinished counts items put but not yet
// processed (asyncio's task_done/join); closing the channel stops the
// consumers, which then hand over their partial sums.
func queuePipeline(n int) (time.Duration, error) {
	t0 := time.Now()
	q := make(chan int, 100)
	var unfinished sync.WaitGroup
	sums := make(chan int64, 4)
	for range 4 {
		go func() {
			var s int64
			for v := range q {
				s += int64(v)
				unfinished.Done()
			}
			sums <- s
		}()
	}
	for i := range n {
		unfinished.Add(1)
		q <- i
	}
	unfinished.Wait()
	close(q)
	var s int64
	for range 4 {
		s += <-sums
	}
	dt := time.Since(t0)
	return dt, checkSum("queue_pipeline", s, n)
}

// delaysUs is the spec's xorshift32 (13/17/5) generator, modulo 100001.
func delaysUs(n int) []int64 {
	x := uint32(2463534242)
	d := make([]int64, n)
	for i := range d {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		d[i] = int64(x % 100001)
	}
	return d
}

// statusKB reads "Field:   123 kB" from /proc/self/status.
func statusKB(field string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for l := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			return strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
		}
	}
	return 0, os.ErrNotExist
}

// timersMany: n goroutines sleep their delay and store it; no warm-up.
func timersMany(n int) ([]metric, error) {
	delays := delaysUs(n)
	baseKB, err := statusKB("VmRSS")
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	results := make([]int64, n)
	var wg sync.WaitGroup
	for i, d := range delays {
		wg.Go(func() {
			time.Sleep(time.Duration(d) * time.Microsecond)
			results[i] = d
		})
	}
	wg.Wait()
	wall := time.Since(t0)
	peakKB, err := statusKB("VmHWM")
	if err != nil {
		return nil, err
	}
	var got, want, longest int64
	for i, d := range delays {
		got += results[i]
		want += d
		longest = max(longest, d)
	}
	if got != want {
		return nil, checkFailed("timers_many: sum %d != %d", got, want)
	}
	if wall < time.Duration(longest)*time.Microsecond {
		return nil, checkFailed("timers_many: done in %v, before the longest delay %d us", wall, longest)
	}
	return []metric{
		{"wall_ms", float64(wall.Nanoseconds()) / 1e6, "ms"},
		{"peak_rss_kb", float64(peakKB), "kB"},
		{"bytes_per_task", float64(peakKB-baseKB) * 1024 / float64(n), "B"},
	}, nil
}
