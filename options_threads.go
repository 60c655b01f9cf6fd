package aio

import (
	"fmt"
	"runtime"
	"time"
)

// Fields of config used by the thread pool (tothread.go) live in config;
// their defaults are the zero values, resolved here.

// defaultThreadIdle is how long an idle pool worker waits for more work
// before it exits.
const defaultThreadIdle = 10 * time.Second

// threadLimitOrDefault returns the loop's worker-pool size: the WithThreadLimit
// value, or min(32, GOMAXPROCS+4), Python's default executor size.
func (c *config) threadLimitOrDefault() int {
	if c.threadLimit > 0 {
		return c.threadLimit
	}
	return min(32, runtime.GOMAXPROCS(0)+4)
}

// threadIdleOrDefault returns how long an idle pool worker lingers.
func (c *config) threadIdleOrDefault() time.Duration {
	if c.threadIdle > 0 {
		return c.threadIdle
	}
	return defaultThreadIdle
}

// WithThreadLimit bounds how many functions ToThread (and RunInExecutor
// with a nil Executor) runs at the same time on the loop's worker pool
// (default min(32, GOMAXPROCS+4), the size of Python's default executor).
// Calls beyond the limit wait, first come first served, for a worker to
// free up, like Trio's CapacityLimiter. n < 1 panics: a pool without
// workers would never run anything.
func WithThreadLimit(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("aio: WithThreadLimit(%d): the limit must be at least 1", n))
	}
	return optionFunc(func(c *config) { c.threadLimit = n })
}
