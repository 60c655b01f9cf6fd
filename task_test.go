package aio_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Spawn does not run the task: its first step runs after the creator yields.
// CPython: BaseTaskTests.test_task_basics in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestSpawnDoesNotRunTheTaskUntilItsCreatorYields(t *testing.T) {
	var got []string
	runVirtual(t, func(ctx *aio.Context) error {
		aio.Go(ctx, func(*aio.Context) error { got = append(got, "child"); return nil })
		got = append(got, "after-create")
		return aio.Sleep(ctx, 0)
	})
	if want := []string{"after-create", "child"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// Cancel on a pending task returns true and counts in Cancelling(); on a done
// task it returns false.
// CPython: BaseTaskTests.test_cancel and test_cancelling in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestTaskCancelCountsOnPendingTasksAndReturnsFalseWhenDone(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		child := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		if !child.Cancel("a") || !child.Cancel("b") || child.Cancelling() != 2 {
			t.Errorf("Cancel on pending: cancelling=%d, want two true results and 2", child.Cancelling())
		}
		child.Await(ctx)
		if child.Cancel("late") {
			t.Error("Cancel on a done task returned true")
		}
		return nil
	})
}

// Cancelling a task that awaits a future cancels that future.
// CPython: BaseTaskTests.test_cancel_inner_future in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestCancellingATaskAwaitingAFutureCancelsTheFuture(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		child := aio.Spawn(ctx, f.Await)
		aio.Sleep(ctx, 0) // child is now parked on f
		child.Cancel("stop")
		if child.Done() {
			t.Error("cancellation was delivered synchronously")
		}
		_, err := child.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "stop" || !child.Cancelled() {
			t.Errorf("child ended with %v, want *CancelledError{stop}", err)
		}
		if !f.Cancelled() {
			t.Error("the awaited future was not cancelled")
		}
		return nil
	})
}

// A task cancelled before its first step never runs its body.
// CPython: BaseTaskTests.test_cancel_with_message_before_starting_task in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestTaskCancelledBeforeItsFirstStepNeverRuns(t *testing.T) {
	ran := false
	runVirtual(t, func(ctx *aio.Context) error {
		child := aio.Go(ctx, func(*aio.Context) error { ran = true; return nil })
		child.Cancel("early")
		_, err := child.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "early" {
			t.Errorf("child ended with %v, want *CancelledError{early}", err)
		}
		return nil
	})
	if ran {
		t.Fatal("the body of a task cancelled before starting ran")
	}
}

// The awaiter of a task cancelled twice sees the first message.
// CPython: BaseTaskTests.test_cancel_with_message_then_future_result in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestTheFirstCancelMessageReachesTheAwaiter(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		child := aio.Spawn(ctx, f.Await)
		aio.Sleep(ctx, 0)
		child.Cancel("m1")
		child.Cancel("m2")
		_, err := child.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "m1" {
			t.Errorf("awaiter got %v, want *CancelledError{m1}", err)
		}
		return nil
	})
}

// A task that swallows its cancellation and returns finishes with its result,
// not cancelled.
// CPython: BaseTaskTests.test_cancel_task_catching in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestTaskThatSwallowsCancellationFinishesWithItsResult(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		child := aio.Spawn(ctx, func(ctx *aio.Context) (string, error) {
			if err := aio.Sleep(ctx, time.Hour); err != nil {
				return "swallowed", nil
			}
			return "slept", nil
		})
		aio.Sleep(ctx, 0)
		child.Cancel("")
		v, err := child.Await(ctx)
		if v != "swallowed" || err != nil || child.Cancelled() || child.Cancelling() != 1 {
			t.Errorf("got %q, %v, cancelled=%v, cancelling=%d; want swallowed, nil, false, 1",
				v, err, child.Cancelled(), child.Cancelling())
		}
		return nil
	})
}

// A task awaiting itself fails instead of hanging.
// CPython: BaseTaskTests.test_task_awaits_on_itself in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestTaskAwaitingItselfGetsErrAwaitSelf(t *testing.T) {
	l := newLoop(t)
	var self *aio.Task[int]
	self = aio.Spawn(l, func(ctx *aio.Context) (int, error) {
		_, err := self.Await(ctx)
		return 0, err
	})
	if err := l.RunUntilComplete(self); !errors.Is(err, aio.ErrAwaitSelf) {
		t.Fatalf("got %v, want ErrAwaitSelf", err)
	}
}

// CurrentTask is nil in a plain callback; AllTasks lists pending tasks only.
// CPython: BaseTaskTests.test_current_task in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestCurrentTaskIsNilInCallbacksAndAllTasksListsOnlyPendingOnes(t *testing.T) {
	l := newLoop(t)
	var inCallback aio.AnyTask
	calledBack := false
	var main *aio.Task[struct{}]
	main = aio.Go(l, func(ctx *aio.Context) error {
		if cur := aio.CurrentTask(ctx); cur != aio.AnyTask(main) {
			t.Errorf("CurrentTask = %v, want main", cur)
		}
		finished := aio.Go(ctx, func(*aio.Context) error { return nil })
		sleeper := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		l.CallSoon(func() { inCallback, calledBack = aio.CurrentTask(l), true })
		aio.Sleep(ctx, 0)
		if !finished.Done() {
			t.Error("finished task still pending")
		}
		all := aio.AllTasks(ctx)
		if want := []aio.AnyTask{main, sleeper}; !slices.Equal(all, want) {
			t.Errorf("AllTasks = %v, want %v", all, want)
		}
		sleeper.Cancel("")
		sleeper.Await(ctx)
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if !calledBack || inCallback != nil {
		t.Fatalf("CurrentTask in a callback = %v (called=%v), want nil", inCallback, calledBack)
	}
	if cur := aio.CurrentTask(l); cur != nil {
		t.Fatalf("CurrentTask outside the loop = %v", cur)
	}
}

// Tasks are named Task-<n> by default and can be renamed.
// CPython: BaseTaskTests.test_task_repr_autogenerated in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestTasksAreNamedTaskNByDefaultAndCanBeRenamed(t *testing.T) {
	l := newLoop(t)
	t1 := aio.Go(l, func(*aio.Context) error { return nil })
	t2 := aio.Go(l, func(*aio.Context) error { return nil })
	if t1.Name() != "Task-1" || t2.Name() != "Task-2" {
		t.Fatalf("names %q, %q; want Task-1, Task-2", t1.Name(), t2.Name())
	}
	t2.SetName("987654321")
	if t2.Name() != "987654321" || !strings.Contains(t2.String(), "987654321") {
		t.Fatalf("after SetName: Name=%q String=%q", t2.Name(), t2.String())
	}
	if err := l.RunUntilComplete(t2); err != nil {
		t.Fatal(err)
	}
}

// confPanicker panics; its name must show in the task's stack.
func confPanicker() (int, error) { panic("kaboom") }

func TestPanickingTaskFailsWithAPanicErrorCarryingTheStack(t *testing.T) {
	l := newLoop(t)
	task := aio.Spawn(l, func(*aio.Context) (int, error) { return confPanicker() })
	err := l.RunUntilComplete(task)
	var pe *aio.PanicError
	if !errors.As(err, &pe) || pe.Value != "kaboom" {
		t.Fatalf("task error %v, want *PanicError{kaboom}", err)
	}
	if !strings.Contains(string(pe.Stack), "confPanicker") {
		t.Fatalf("stack does not show the panicking function:\n%s", pe.Stack)
	}
}

func TestTheLoopKeepsATaskNobodyReferencesUntilItIsDone(t *testing.T) {
	finished := false
	runVirtual(t, func(ctx *aio.Context) error {
		aio.Go(ctx, func(ctx *aio.Context) error { // handle dropped
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			finished = true
			return nil
		})
		aio.Sleep(ctx, 0) // it starts and parks
		runtime.GC()
		runtime.GC()
		if n := len(aio.AllTasks(ctx)); n != 2 {
			t.Errorf("AllTasks has %d tasks, want main and the unreferenced one", n)
		}
		return aio.Sleep(ctx, 2*time.Second)
	})
	if !finished {
		t.Fatal("the unreferenced task did not complete")
	}
}

// What ends a task as cancelled is its own scope's cancellation; an error
// wrapping another task's cancellation, or joining a cancellation with a
// failure, is a failure (and so is a WaitFor timeout).
func TestATaskIsCancelledOnlyByItsOwnCancellation(t *testing.T) {
	cleanup := errors.New("cleanup failed")
	cases := []struct {
		name      string
		body      func(ctx *aio.Context, other *aio.Task[struct{}]) error
		cancelled bool
	}{
		{"returns its own cancellation", func(ctx *aio.Context, _ *aio.Task[struct{}]) error {
			return aio.Sleep(ctx, time.Hour)
		}, true},
		{"wraps its own cancellation", func(ctx *aio.Context, _ *aio.Task[struct{}]) error {
			return fmt.Errorf("stopping: %w", aio.Sleep(ctx, time.Hour))
		}, true},
		{"joins its own cancellation with a failure", func(ctx *aio.Context, _ *aio.Task[struct{}]) error {
			return errors.Join(aio.Sleep(ctx, time.Hour), cleanup)
		}, false},
		{"returns another task's cancellation", func(ctx *aio.Context, other *aio.Task[struct{}]) error {
			_, err := aio.Shield(aio.WithoutCancel(ctx), other)
			return err
		}, false},
		{"returns a WaitFor timeout", func(ctx *aio.Context, other *aio.Task[struct{}]) error {
			_, err := aio.WaitFor(aio.WithoutCancel(ctx), aio.NewFuture[int](ctx), 0)
			return err
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var reported []error
			aio.Run(func(ctx *aio.Context) error {
				other := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
				task := aio.Go(ctx, func(ctx *aio.Context) error { return c.body(ctx, other) })
				aio.Sleep(ctx, 0)
				other.Cancel()
				task.Cancel()
				aio.GatherSettled(ctx, task, other)
				if task.Cancelled() != c.cancelled {
					t.Errorf("Cancelled() = %v, want %v (err %v)", task.Cancelled(), c.cancelled, task.Err())
				}
				return nil
			}, virtualClock(), aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { reported = append(reported, ec.Err) }))
			if len(reported) != 0 { // GatherSettled retrieved every outcome
				t.Errorf("reported %v", reported)
			}
		})
	}
}

// A failure joined with a cancellation is reported when nobody retrieves it.
func TestAJoinedCancellationAndFailureIsReportedWhenUnretrieved(t *testing.T) {
	cleanup := errors.New("cleanup failed")
	var reported []error
	aio.Run(func(ctx *aio.Context) error {
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			return errors.Join(aio.Sleep(ctx, time.Hour), cleanup)
		})
		aio.Sleep(ctx, 0)
		task.Cancel()
		return aio.Sleep(ctx, time.Second)
	}, virtualClock(), aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { reported = append(reported, ec.Err) }))
	if len(reported) != 1 || !errors.Is(reported[0], cleanup) {
		t.Fatalf("reported %v; want the joined failure", reported)
	}
}

// Task.Cancel reaches what the task awaits inside the call, as asyncio's
// Task.cancel cancels _fut_waiter: an awaited task is cancelled at once, an
// awaited future is done at once, and the future's done callbacks run
// before the awaiter handles its error.
func TestCancelReachesWhatTheTaskAwaitsAtOnce(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var order []string
		inner := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		f := aio.NewFuture[int](ctx)
		f.AddDoneCallback(func() { order = append(order, "callback") })
		onTask := aio.Go(ctx, func(ctx *aio.Context) error { _, err := inner.Await(ctx); return err })
		onFuture := aio.Go(ctx, func(ctx *aio.Context) error {
			_, err := f.Await(ctx)
			order = append(order, "awaiter")
			return err
		})
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		onTask.Cancel("stop")
		if inner.Cancelling() != 1 {
			t.Errorf("inner.Cancelling() = %d right after the awaiter's Cancel, want 1", inner.Cancelling())
		}
		onFuture.Cancel()
		if !f.Done() || !f.Cancelled() {
			t.Errorf("the awaited future is not cancelled right after the awaiter's Cancel")
		}
		aio.GatherSettled(ctx, onTask, onFuture, inner)
		if !onTask.Cancelled() || !inner.Cancelled() || !onFuture.Cancelled() {
			t.Errorf("cancelled: onTask %v inner %v onFuture %v", onTask.Cancelled(), inner.Cancelled(), onFuture.Cancelled())
		}
		if want := []string{"callback", "awaiter"}; !slices.Equal(order, want) {
			t.Errorf("order %v, want %v", order, want)
		}
		return nil
	})
}

// An awaited task that had already been woken is still cancelled when its
// awaiter is: it does not run past its await to completion.
func TestAWokenAwaitedTaskIsStillCancelled(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		f := aio.NewFuture[int](ctx)
		passed := false
		inner := aio.Go(ctx, func(ctx *aio.Context) error {
			if _, err := f.Await(ctx); err != nil {
				return err
			}
			passed = true
			return nil
		})
		outer := aio.Go(ctx, func(ctx *aio.Context) error { _, err := inner.Await(ctx); return err })
		if err := aio.Sleep(ctx, 0); err != nil {
			return err
		}
		f.SetResult(1) // inner is woken
		outer.Cancel()
		aio.GatherSettled(ctx, outer, inner)
		if passed || !inner.Cancelled() {
			t.Errorf("inner ran past its await (%v) / cancelled %v", passed, inner.Cancelled())
		}
		return nil
	})
}

// A task that cancels itself and then returns without awaiting ends
// cancelled (asyncio: "cancelled right before the coroutine stops").
func TestATaskThatCancelsItselfAndReturnsEndsCancelled(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var self *aio.Task[int]
		self = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			if !self.Cancel() {
				t.Error("Cancel on itself returned false")
			}
			return 1, nil
		})
		_, err := self.Await(aio.WithoutCancel(ctx))
		if !self.Cancelled() || !errors.Is(err, context.Canceled) {
			t.Errorf("Cancelled() = %v, Await = %v; want a cancelled task", self.Cancelled(), err)
		}
		// One that awaits after cancelling itself sees the cancellation and
		// may suppress it.
		suppress := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
			aio.CurrentTask(ctx).Cancel()
			if err := aio.Sleep(ctx, 0); err == nil {
				t.Error("the await after the self-cancel succeeded")
			}
			return 2, nil
		})
		if v, err := suppress.Await(ctx); v != 2 || err != nil {
			t.Errorf("suppressing task = %v, %v; want 2, nil", v, err)
		}
		return nil
	})
}
