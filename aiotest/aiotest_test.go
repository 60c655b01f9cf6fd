package aiotest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiotest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunPassesACleanBodyOnVirtualTime(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		if err := aio.Sleep(ctx, 24*time.Hour); err != nil {
			return err
		}
		if d := ctx.Loop().Time().Sub(start); d != 24*time.Hour {
			return fmt.Errorf("slept %v", d)
		}
		return nil
	})
}

func TestCheckReportsADeadlockWithTheTaskTree(t *testing.T) {
	start := time.Now()
	fs := aiotest.Check(func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		w := aio.Go(ctx, func(ctx *aio.Context) error { _, err := f.Await(ctx); return err })
		w.SetName("stuck")
		_, err := w.Await(ctx)
		return err
	})
	if time.Since(start) > 10*time.Second {
		t.Errorf("the deadlock took %v to detect", time.Since(start))
	}
	all := strings.Join(fs, "\n")
	for _, want := range []string{"deadlock: every task is waiting", "main [waiting", "] awaiting task stuck", "stuck [waiting", "] awaiting future", "aiotest: deadlock"} {
		if !strings.Contains(all, want) {
			t.Errorf("failures lack %q:\n%s", want, all)
		}
	}
}

func TestCheckReportsTasksLeftPending(t *testing.T) {
	fs := aiotest.Check(func(ctx *aio.Context) error {
		aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) }).SetName("forgotten")
		return nil
	})
	if len(fs) != 1 || !strings.Contains(fs[0], "still pending when the test body returned: forgotten") || !strings.Contains(fs[0], "forgotten [") {
		t.Errorf("failures = %q", fs)
	}
}

func TestCheckReportsLeakedGoroutinesAndErrors(t *testing.T) {
	release := make(chan struct{})
	fs := aiotest.Check(func(ctx *aio.Context) error {
		go func() { <-release }()
		aio.Go(ctx, func(*aio.Context) error { return errors.New("lost") })
		return aio.Sleep(ctx, time.Second)
	})
	close(release)
	all := strings.Join(fs, "\n")
	for _, want := range []string{"leaked goroutines", "task error was never retrieved: lost"} {
		if !strings.Contains(all, want) {
			t.Errorf("failures lack %q:\n%s", want, all)
		}
	}
}

// plantedOrderBug has an order bug FIFO never shows: the reader assumes
// the filler, spawned just before it, has run.
func plantedOrderBug(ctx *aio.Context) error {
	cache := map[string]int{}
	filler := aio.Go(ctx, func(*aio.Context) error { cache["k"] = 42; return nil })
	reader := aio.Spawn(ctx, func(*aio.Context) (int, error) {
		v, ok := cache["k"]
		if !ok {
			return 0, errors.New("cache miss: the reader ran before the filler")
		}
		return v, nil
	})
	if _, err := filler.Await(ctx); err != nil {
		return err
	}
	_, err := reader.Await(ctx)
	return err
}

func TestExploreFindsAnOrderBugThatFIFONeverShows(t *testing.T) {
	for range 20 {
		if fs := aiotest.Check(plantedOrderBug); len(fs) != 0 {
			t.Fatalf("FIFO failed: %q", fs)
		}
	}
	seed, fs := aiotest.FindFailingSeed(50, plantedOrderBug)
	if seed == 0 || !strings.Contains(strings.Join(fs, "\n"), "cache miss") {
		t.Fatalf("no seed in 1..50 found the bug (seed %d, %q)", seed, fs)
	}
	// The seed replays it, every time.
	for range 5 {
		if fs := aiotest.Check(plantedOrderBug, aio.WithScheduleSeed(seed)); len(fs) == 0 {
			t.Fatalf("seed %d did not replay the failure", seed)
		}
	}
	t.Logf("seed %d finds it; %s", seed, aiotest.ReplayCommand(t.Name(), seed))
}

func TestReplayCommand(t *testing.T) {
	got := aiotest.ReplayCommand("TestX/sub.case", 1234)
	if want := `AIOSEED=1234 go test -run '^TestX$/^sub\.case$' .`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSettleWaitsForEveryTaskAndPostToBlock(t *testing.T) {
	aiotest.Run(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		q := aio.NewQueue[int](0)
		got := 0
		consumer := aio.Go(ctx, func(ctx *aio.Context) error {
			for {
				v, err := q.Get(ctx)
				if err != nil {
					return err
				}
				got += v
			}
		})
		for i := 1; i <= 3; i++ {
			aio.Go(ctx, func(ctx *aio.Context) error {
				if err := aio.Sleep(ctx, 0); err != nil {
					return err
				}
				return q.Put(ctx, i)
			})
		}
		// Work on another goroutine that posts back.
		l.AddInFlight(1)
		go func() {
			defer l.AddInFlight(-1)
			_ = l.CallSoonThreadsafe(func() { _ = q.PutNowait(10) })
		}()
		if err := aiotest.Settle(ctx); err != nil {
			return err
		}
		if got != 16 {
			return fmt.Errorf("after Settle got = %d, want 16", got)
		}
		consumer.Cancel()
		_, _ = consumer.Await(ctx)
		return nil
	})
}

func ExampleRun() {
	t := &testing.T{} // in a test, the test's *testing.T
	aiotest.Run(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		attempts := 0
		for attempts < 5 {
			attempts++
			if err := aio.Sleep(ctx, time.Duration(attempts)*time.Minute); err != nil {
				return err
			}
		}
		fmt.Println(attempts, "attempts in", ctx.Loop().Time().Sub(start), "of virtual time")
		return nil
	})
	fmt.Println("failed:", t.Failed())
	// Output:
	// 5 attempts in 15m0s of virtual time
	// failed: false
}
