package aio_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// treeWorkload spawns a main task awaiting a gather of two workers, one
// sleeping, one reading an empty queue, and returns the tree taken from
// the given function once they are all parked.
func treeWorkload(t *testing.T, take func(*aio.Loop) aio.TaskTree, opts ...aio.Option) aio.TaskTree {
	t.Helper()
	var tt aio.TaskTree
	err := aio.Run(func(ctx *aio.Context) error {
		q := aio.NewQueue[int](0)
		sleeper := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Minute) })
		sleeper.SetName("sleeper")
		reader := aio.Go(ctx, func(ctx *aio.Context) error { _, err := q.Get(ctx); return err })
		reader.SetName("reader")
		parent := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := aio.Gather(ctx, sleeper, reader)
			return err
		})
		parent.SetName("parent")
		if err := aio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		tt = take(ctx.Loop())
		parent.Cancel()
		_, _ = parent.Await(ctx)
		return nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func TestTaskTreeShowsWhoAwaitsWhat(t *testing.T) {
	tt := treeWorkload(t, (*aio.Loop).Tasks, aio.WithClock(aio.NewVirtualClock(time.Time{})), aio.WithDebug(false))
	got := tt.String()
	want := `4 task(s)
├── main [running]
└── parent [waiting] awaiting gather of 2
    ├── sleeper [waiting] awaiting sleep (59s left)
    └── reader [waiting] awaiting queue
(creation sites, ages and stacks are recorded in debug mode: aio.WithDebug(true) or AIODEBUG=1)
`
	if got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
}

func TestTaskTreeInDebugModeHasCreationSitesAndStacks(t *testing.T) {
	tt := treeWorkload(t, (*aio.Loop).Tasks, aio.WithClock(aio.NewVirtualClock(time.Time{})), aio.WithDebug(true))
	s := tt.String()
	for _, want := range []string{"created at:", "tasktree_test.go:", "stack:", "aio.Sleep", "(*queue[...]).Get", "aio.Gather"} {
		if !strings.Contains(s, want) {
			t.Errorf("tree lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "internal/coro") || strings.Contains(s, "iter.Pull") {
		t.Errorf("tree shows the coroutine machinery:\n%s", s)
	}
}

func TestTasksFromAnotherGoroutineAsksTheLoop(t *testing.T) {
	tt := treeWorkload(t, func(l *aio.Loop) aio.TaskTree {
		// main is running this; another goroutine asks while main waits
		// for the answer in a ToThread-style goroutine.
		ch := make(chan aio.TaskTree)
		go func() { ch <- l.Tasks() }()
		return <-ch // blocks the loop: the answer cannot come
	}, aio.WithDebug(true))
	if tt.Note == "" || !strings.Contains(tt.Note, "did not answer") || !strings.Contains(tt.Note, "task main, running for") {
		t.Errorf("note = %q", tt.Note)
	}
}

func TestTasksFromAnotherGoroutineWhileTheLoopWaits(t *testing.T) {
	var tt aio.TaskTree
	err := aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		f := aio.NewFuture[aio.TaskTree](ctx)
		go func() { _ = f.SetResultThreadsafe(l.Tasks()) }()
		var err error
		tt, err = f.Await(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if tt.Note != "" || len(tt.Tasks) != 1 || tt.Tasks[0].Name != "main" || tt.Tasks[0].Awaiting != "future" {
		t.Errorf("tree = %+v", tt)
	}
}

func ExampleLoop_Tasks() {
	_ = aio.Run(func(ctx *aio.Context) error {
		worker := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		worker.SetName("worker")
		waiter := aio.Go(ctx, func(ctx *aio.Context) error { _, err := worker.Await(ctx); return err })
		waiter.SetName("waiter")
		_ = aio.Sleep(ctx, time.Second)
		fmt.Print(ctx.Loop().Tasks())
		worker.Cancel()
		_, _ = waiter.Await(ctx)
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})), aio.WithDebug(false))
	// Output:
	// 3 task(s)
	// ├── main [running]
	// └── waiter [waiting] awaiting task worker
	//     └── worker [waiting] awaiting sleep (59m59s left)
	// (creation sites, ages and stacks are recorded in debug mode: aio.WithDebug(true) or AIODEBUG=1)
}
