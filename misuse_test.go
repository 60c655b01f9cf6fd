package aio_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestAwaitingWithAnotherTasksContextPanicsNamingBothTasks(t *testing.T) {
	var got any
	err := confRun(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		alpha := aio.Spawn(ctx, f.Await)
		alpha.SetName("alpha")
		beta := aio.Go(ctx, func(*aio.Context) error {
			got = confRecover(func() { f.Await(alpha.Context()) })
			return nil
		})
		beta.SetName("beta")
		beta.Await(ctx)
		f.SetResult(1)
		_, err := alpha.Await(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	confMisuse(t, got, aio.ErrNotInTask, "alpha", "beta")
}

func TestAwaitingFromAPlainCallbackPanics(t *testing.T) {
	var sleepPanic, awaitPanic any
	err := confRun(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		ctx.Loop().CallSoon(func() {
			sleepPanic = confRecover(func() { aio.Sleep(ctx, 0) })
			awaitPanic = confRecover(func() { f.Await(ctx) })
		})
		return aio.Sleep(ctx, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	confMisuse(t, sleepPanic, aio.ErrNotInTask, "aio.Sleep")
	confMisuse(t, awaitPanic, aio.ErrNotInTask, "Future.Await")
}

func TestAwaitingWithANilContextPanics(t *testing.T) {
	var sleepPanic, awaitPanic any
	err := confRun(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		sleepPanic = confRecover(func() { aio.Sleep(nil, time.Second) })
		awaitPanic = confRecover(func() { f.Await(nil) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	confMisuse(t, sleepPanic, aio.ErrNotInTask, "not nil")
	confMisuse(t, awaitPanic, aio.ErrNotInTask, "not nil")
}

// inventory §2 item 48: a negative delay sleeps like 0, yielding once.
func TestNegativeSleepIsTreatedAsZero(t *testing.T) {
	var got []string
	err := confRun(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		start := l.Time()
		l.CallSoon(func() {
			got = append(got, "ready")
			l.CallSoon(func() { got = append(got, "scheduled-meanwhile") })
		})
		if err := aio.Sleep(ctx, -time.Hour); err != nil {
			return err
		}
		got = append(got, "resumed")
		if !l.Time().Equal(start) {
			t.Errorf("virtual clock moved by %v", l.Time().Sub(start))
		}
		return aio.Sleep(ctx, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ready", "resumed", "scheduled-meanwhile"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestCallLaterWithTheLargestDurationNeverFiresAndDoesNotOverflow(t *testing.T) {
	l := confLoop(t)
	l.CallLater(time.Hour, l.Stop) // move the clock off zero first
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	fired := false
	h := l.CallLater(math.MaxInt64, func() { fired = true })
	l.CallLater(time.Hour, l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if fired {
		t.Fatal("a timer of math.MaxInt64 fired")
	}
	if !h.When().After(l.Time()) {
		t.Fatalf("deadline %v is not after now %v: it overflowed", h.When(), l.Time())
	}
}

func TestSpawnOnAClosedLoopPanicsWithErrLoopClosed(t *testing.T) {
	l := aio.NewLoop(confVirtual())
	l.Close()
	ran := false
	r := confRecover(func() { aio.Go(l, func(*aio.Context) error { ran = true; return nil }) })
	confMisuse(t, r, aio.ErrLoopClosed, "aio.Go")
	if ran {
		t.Fatal("the task ran")
	}
}

// confMisuse checks that r, a recovered panic, is a *aio.MisuseError that
// errors.Is matches to sentinel and whose message contains words.
func confMisuse(t *testing.T, r any, sentinel error, words ...string) {
	t.Helper()
	err, ok := r.(error)
	var me *aio.MisuseError
	if !ok || !errors.As(err, &me) || !errors.Is(err, sentinel) {
		t.Fatalf("panic %v; want a *MisuseError wrapping %v", r, sentinel)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("panic %q; want it to mention %q", err, w)
		}
	}
}

func TestSetResultTwiceReturnsErrInvalidState(t *testing.T) {
	f := aio.NewFuture[int](confLoop(t))
	if err := f.SetResult(1); err != nil {
		t.Fatal(err)
	}
	if err := f.SetResult(2); !errors.Is(err, aio.ErrInvalidState) {
		t.Fatalf("second SetResult: %v, want ErrInvalidState", err)
	}
	if v, _ := f.Result(); v != 1 {
		t.Fatalf("result %d, want the first one", v)
	}
}

// Awaiting with a Context whose loop has closed panics with an error that
// wraps ErrLoopClosed (like CallSoon on a closed loop), not a hang.
func TestAwaitingWithTheContextOfAClosedLoopPanicsWithErrLoopClosed(t *testing.T) {
	var kept *aio.Context
	if err := aio.Run(func(ctx *aio.Context) error { kept = ctx; return nil }); err != nil {
		t.Fatal(err)
	}
	r := confRecover(func() { aio.Sleep(kept, time.Second) })
	err, ok := r.(error)
	if !ok || !errors.Is(err, aio.ErrLoopClosed) {
		t.Fatalf("recovered %v, want an error wrapping ErrLoopClosed", r)
	}
}
