package aio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// asyncio.timeout's Timeout: when(), reschedule() and expired().
func TestTimeoutWhenRescheduleExpired(t *testing.T) {
	runMain(t, func(ctx *aio.Context) error {
		l := ctx.Loop()
		start := l.Time()
		to := aio.NewTimeout(ctx, time.Second)
		defer to.Cancel()
		if w, ok := to.When(); !ok || !w.Equal(start.Add(time.Second)) {
			t.Errorf("When = %v, %v", w, ok)
		}
		// Push the deadline back: the sleep of 2 s now fits.
		if err := to.Reschedule(start.Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := aio.Sleep(to.Context(), 2*time.Second); err != nil {
			t.Errorf("Sleep after moving the deadline back = %v", err)
		}
		if to.Expired() {
			t.Error("Expired before the deadline")
		}
		// Bring it forward: the next sleep times out at the new deadline.
		if err := to.Reschedule(l.Time().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		before := l.Time()
		err := aio.Sleep(to.Context(), time.Hour)
		if !errors.Is(err, context.DeadlineExceeded) || l.Time().Sub(before) != time.Second {
			t.Errorf("Sleep = %v after %v, want a timeout after 1s", err, l.Time().Sub(before))
		}
		if !to.Expired() {
			t.Error("Expired() false after the deadline passed")
		}
		if err := to.Reschedule(l.Time().Add(time.Hour)); !errors.Is(err, aio.ErrInvalidState) {
			t.Errorf("Reschedule of an expired timeout = %v, want ErrInvalidState", err)
		}
		return nil
	}, virtualClock())
}

// asyncio.timeout(None): no deadline until rescheduled.
func TestTimeoutWithoutADeadlineUntilRescheduled(t *testing.T) {
	runMain(t, func(ctx *aio.Context) error {
		to := aio.NewTimeoutAt(ctx, time.Time{})
		defer to.Cancel()
		if _, ok := to.When(); ok {
			t.Error("a timeout(None) has a deadline")
		}
		to.Reschedule(ctx.Loop().Time().Add(time.Minute))
		err := aio.Sleep(to.Context(), time.Hour)
		if !errors.Is(err, context.DeadlineExceeded) || !to.Expired() {
			t.Errorf("Sleep = %v, Expired %v", err, to.Expired())
		}
		// A cancelled (not expired) timeout is not Expired.
		other := aio.NewTimeout(ctx, time.Hour)
		other.Cancel()
		if other.Expired() {
			t.Error("a cancelled timeout reports Expired")
		}
		return nil
	}, virtualClock())
}

// Eager tasks (Python 3.12): the body runs inside the spawn until its first
// suspension; one that never suspends is done when the spawn returns.
func TestEagerTasksRunUntilTheirFirstSuspension(t *testing.T) {
	runMain(t, func(ctx *aio.Context) error {
		var order []string
		quick := aio.SpawnEager(ctx, func(*aio.Context) (int, error) {
			order = append(order, "quick ran")
			return 7, nil
		})
		order = append(order, "after quick")
		if !quick.Done() {
			t.Error("an eager task that never suspends is not done when SpawnEager returns")
		}
		slow := aio.GoEager(ctx, func(ctx *aio.Context) error {
			order = append(order, "slow started")
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			order = append(order, "slow resumed")
			return nil
		})
		order = append(order, "after slow")
		if _, err := slow.Await(ctx); err != nil {
			return err
		}
		want := []string{"quick ran", "after quick", "slow started", "after slow", "slow resumed"}
		if len(order) != len(want) {
			t.Fatalf("order %v, want %v", order, want)
		}
		for i := range want {
			if order[i] != want[i] {
				t.Fatalf("order %v, want %v", order, want)
			}
		}
		if v, err := quick.Result(); v != 7 || err != nil {
			t.Errorf("quick = %v, %v", v, err)
		}
		return nil
	}, virtualClock())
}

// WithEagerTasks makes every spawn eager, and WithTaskFactory sees every
// new task before its first step.
func TestEagerTaskOptionAndTaskFactory(t *testing.T) {
	var seen []string
	err := aio.Run(func(ctx *aio.Context) error {
		ran := false
		task := aio.Go(ctx, func(*aio.Context) error { ran = true; return nil })
		if !ran || !task.Done() {
			t.Error("Go on a loop WithEagerTasks(true) did not start the task at once")
		}
		return nil
	}, virtualClock(), aio.WithEagerTasks(true), aio.WithTaskFactory(func(task aio.AnyTask) {
		seen = append(seen, task.Name())
		task.SetName("named-" + task.Name())
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "Task-1" || seen[1] != "Task-2" {
		t.Fatalf("factory saw %v", seen)
	}
}
