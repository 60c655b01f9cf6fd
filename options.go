package aio

import (
	"context"
	"os"
	"time"
)

// Option configures a Loop (NewLoop, Run).
type Option interface{ apply(*config) }

type config struct {
	base    context.Context
	debug   bool
	slow    time.Duration
	clock   Clock
	onError func(*Loop, ExceptionContext)
	maxIdle int
	// shutdownReport is when Run first reports tasks it is still waiting
	// for at shutdown (0: never).
	shutdownReport time.Duration
	eager          bool                 // WithEagerTasks
	taskFactory    func(AnyTask)        // WithTaskFactory
	threadLimit    int                  // WithThreadLimit; 0: the default (options_threads.go)
	threadIdle     time.Duration        // idle time before a pool worker exits; 0: the default
	labels         bool                 // pprof labels on coroutines (debug.go)
	onBlock        func(BlockingReport) // the watchdog's report (debug.go)
	seed           uint64               // schedule exploration (explore.go)
	seeded         bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

func defaultConfig() config {
	return config{
		debug:          os.Getenv("AIODEBUG") != "",
		slow:           100 * time.Millisecond,
		maxIdle:        1 << 16,
		shutdownReport: time.Second,
	}
}

// WithDebug turns debug mode on or off (default: on when the AIODEBUG
// environment variable is non-empty). In debug mode the loop checks that its
// non-thread-safe methods are called from the loop goroutine or one of its
// coroutines (panicking with a message otherwise), logs task steps and
// callbacks slower than the slow-callback threshold, runs a watchdog that
// reports a step blocking the loop past that threshold while it still
// blocks, with its stack (WithBlockingReport), and records where each task
// was created, shown in reports and in the task tree (Loop.Tasks).
func WithDebug(on bool) Option { return optionFunc(func(c *config) { c.debug = on }) }

// WithSlowCallback sets debug mode's slow-callback threshold (default
// 100ms), also the threshold of its blocking-step watchdog.
func WithSlowCallback(d time.Duration) Option {
	return optionFunc(func(c *config) { c.slow = d })
}

// WithClock makes the loop measure time with clk instead of the real
// monotonic clock. A *VirtualClock makes every sleep and timeout instant.
func WithClock(clk Clock) Option { return optionFunc(func(c *config) { c.clock = clk }) }

// WithExceptionHandler replaces the default exception handler (which logs
// with log/slog). The handler is called on the loop goroutine for errors
// nobody else can receive: panics in callbacks, task errors nobody
// retrieved, errors of tasks cancelled at shutdown.
func WithExceptionHandler(h func(*Loop, ExceptionContext)) Option {
	return optionFunc(func(c *config) { c.onError = h })
}

// WithBaseContext makes ctx's values visible through every task's
// Context.Value (its deadline and cancellation are not inherited: cancel
// tasks through aio). Useful for request-scoped values such as trace ids
// when a *Context is handed to Go APIs.
func WithBaseContext(ctx context.Context) Option {
	return optionFunc(func(c *config) { c.base = ctx })
}

// WithIdleCoroutines bounds how many finished coroutines the loop keeps for
// reuse (default 65536). Spawning a task reuses an idle coroutine when there
// is one and creates a goroutine only otherwise. Idle coroutines beyond a
// warm set of 256 that the loop has not needed for a second are released.
func WithIdleCoroutines(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			n = 0
		}
		c.maxIdle = n
	})
}

// WithShutdownReport sets how long Run waits for cancelled tasks at
// shutdown before it logs which ones it is still waiting for (default one
// second; later reports follow at growing intervals; d ≤ 0 turns the
// reports off).
func WithShutdownReport(d time.Duration) Option {
	return optionFunc(func(c *config) { c.shutdownReport = d })
}

// WithEagerTasks makes every Spawn and Go on the loop start eagerly, as
// SpawnEager does (asyncio.eager_task_factory): the body runs inside the
// call until its first suspension. Default off (tasks start in a coming
// iteration, as asyncio.create_task).
func WithEagerTasks(on bool) Option { return optionFunc(func(c *config) { c.eager = on }) }

// WithTaskFactory installs a hook called on the loop goroutine for every
// new task, right after it is created and before its first step (asyncio's
// loop.set_task_factory, the Go way: the hook can name the task, record
// it, or wrap what it needs; it cannot replace the task). A hook that
// panics panics in the Spawn call.
func WithTaskFactory(f func(AnyTask)) Option {
	return optionFunc(func(c *config) { c.taskFactory = f })
}
