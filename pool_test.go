package aio_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/coro"
)

// In steady state Spawn reuses idle coroutines: spawning and finishing a
// thousand tasks, one after another, starts no goroutine.
func TestSpawnInSteadyStateCreatesNoGoroutine(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		yieldOnce := func(ctx *aio.Context) (int, error) { return 1, aio.Sleep(ctx, 0) }
		// Warm up: a few coroutines become idle in the pool.
		for range 4 {
			if _, err := aio.Spawn(ctx, yieldOnce).Await(ctx); err != nil {
				return err
			}
		}
		before := coroutineGoroutines()
		sum := 0
		for i := range 1000 {
			v, err := aio.Spawn(ctx, yieldOnce).Await(ctx)
			if err != nil {
				return err
			}
			sum += v
			if i%100 != 99 {
				continue
			}
			if n := coroutineGoroutines(); n > before {
				t.Fatalf("coroutines grew from %d to %d while spawning sequentially", before, n)
			}
		}
		if sum != 1000 {
			t.Errorf("sum = %d, want 1000", sum)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// coroutineGoroutines counts the goroutines that are aio coroutines, from a
// dump of all stacks (unlike runtime.NumGoroutine, it ignores goroutines
// of the test framework that come and go).
func coroutineGoroutines() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	return bytes.Count(buf, []byte(coro.BodyFrame))
}

// Closing the loop stops every coroutine, idle or suspended: the goroutine
// count returns to where it was.
func TestClosingTheLoopReleasesEveryCoroutine(t *testing.T) {
	before := coroutineGoroutines()
	l := aio.NewLoop()
	block := aio.NewFuture[int](l)
	var tasks []*aio.Task[int]
	for range 50 {
		tasks = append(tasks, aio.Spawn(l, func(ctx *aio.Context) (int, error) { return block.Await(ctx) }))
	}
	l.CallSoon(l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if n := coroutineGoroutines(); n != before+50 {
		t.Fatalf("expected 50 suspended coroutines, have %d (was %d)", n, before)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := coroutineGoroutines(); n != before {
		t.Errorf("after Close: %d coroutines, want %d", n, before)
	}
	for _, tk := range tasks {
		if !tk.Done() {
			t.Errorf("%v still pending after Close", tk)
		}
	}
}
