package aio_test

import (
	"runtime"
	"testing"

	"github.com/asyncgo/aio"
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
		before := runtime.NumGoroutine()
		sum := 0
		for range 1000 {
			v, err := aio.Spawn(ctx, yieldOnce).Await(ctx)
			if err != nil {
				return err
			}
			sum += v
			if n := runtime.NumGoroutine(); n > before {
				t.Fatalf("goroutines grew from %d to %d while spawning sequentially", before, n)
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

// Closing the loop stops every coroutine, idle or suspended: the goroutine
// count returns to where it was.
func TestClosingTheLoopReleasesEveryCoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
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
	if n := runtime.NumGoroutine(); n < before+50 {
		t.Fatalf("expected 50 suspended coroutines, have %d goroutines (was %d)", n, before)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := runtime.NumGoroutine(); n != before {
		t.Errorf("after Close: %d goroutines, want %d", n, before)
	}
	for _, tk := range tasks {
		if !tk.Done() {
			t.Errorf("%v still pending after Close", tk)
		}
	}
}
