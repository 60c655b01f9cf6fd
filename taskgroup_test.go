package aio_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// A TaskGroup waits for all its children, including ones started while it
// waits.
// CPython: TestTaskGroup.test_taskgroup_01 and test_taskgroup_23 in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupWaitWaitsForChildrenIncludingOnesStartedWhileWaiting(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		tg, _ := aio.NewTaskGroup(ctx)
		var finished []string
		tg.Go(func(ctx *aio.Context) error {
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			finished = append(finished, "first")
			aio.Spawn(tg, func(ctx *aio.Context) (int, error) { // started while Wait waits
				err := aio.Sleep(ctx, 2*time.Second)
				finished = append(finished, "late")
				return 0, err
			})
			return nil
		})
		if err := tg.Wait(); err != nil {
			t.Errorf("Wait = %v", err)
		}
		if !slices.Equal(finished, []string{"first", "late"}) {
			t.Errorf("finished before Wait returned: %v", finished)
		}
		if d := elapsedSince(ctx, start); d != 3*time.Second {
			t.Errorf("Wait returned after %v, want 3s", d)
		}
		return nil
	})
}

// The first child failure cancels the siblings and the body; the errors come
// back together.
// CPython: TestTaskGroup.test_cancel_children_on_child_error in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupFirstFailureCancelsSiblingsAndTheBody(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		start := ctx.Loop().Time()
		errA, errB := errors.New("a"), errors.New("b")
		tg, gctx := aio.NewTaskGroup(ctx)
		var siblingErr error
		tg.Go(func(ctx *aio.Context) error {
			aio.Sleep(ctx, time.Second)
			return errA
		})
		sibling := tg.Go(func(ctx *aio.Context) error {
			siblingErr = aio.Sleep(ctx, time.Hour)
			return siblingErr
		})
		tg.Go(func(ctx *aio.Context) error { // fails while being cancelled
			aio.Sleep(ctx, time.Hour)
			return errB
		})
		bodyErr := aio.Sleep(gctx, time.Hour)
		if !errors.Is(bodyErr, context.Canceled) || gctx.Err() != context.Canceled {
			t.Errorf("body Sleep = %v, gctx.Err() = %v; want the group's cancellation", bodyErr, gctx.Err())
		}
		if d := elapsedSince(ctx, start); d != time.Second {
			t.Errorf("body cancelled after %v, want 1s", d)
		}
		err := tg.Wait()
		if !errors.Is(siblingErr, context.Canceled) || !sibling.Cancelled() {
			t.Errorf("sibling saw %v (cancelled: %v); want a cancellation", siblingErr, sibling.Cancelled())
		}
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok || !slices.Equal(joined.Unwrap(), []error{errA, errB}) {
			t.Fatalf("Wait = %v, want errors.Join(a, b)", err)
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v includes the siblings' cancellation", err)
		}
		if ctx.Err() != nil {
			t.Errorf("the owning task's scope was cancelled: %v", ctx.Err())
		}
		return aio.Sleep(ctx, time.Second) // the owner carries on
	})
}

// A child cancelled on its own is not a failure of the group.
// CPython: TestTaskGroup.test_taskgroup_03 in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupChildCancelledOnItsOwnIsNotAFailure(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tg, gctx := aio.NewTaskGroup(ctx)
		victim := tg.Go(func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		survivor := aio.Spawn(tg, func(ctx *aio.Context) (int, error) {
			return 1, aio.Sleep(ctx, time.Second)
		})
		aio.Sleep(gctx, 0)
		victim.Cancel("just this one")
		victim.Await(gctx)
		if err := aio.Sleep(gctx, 0); err != nil || !victim.Cancelled() {
			t.Errorf("body after the child's cancellation: Sleep = %v (victim cancelled: %v)", err, victim.Cancelled())
		}
		if err := tg.Wait(); err != nil {
			t.Errorf("Wait = %v, want nil", err)
		}
		if v, err := survivor.Result(); v != 1 || err != nil {
			t.Errorf("survivor = %v, %v; want 1, nil", v, err)
		}
		return nil
	})
}

// An error of the body cancels the children and is among the group's errors.
// CPython: TestTaskGroup.test_taskgroup_19 in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestRunTaskGroupBodyErrorCancelsChildrenAndIsIncluded(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		errBody, errChild := errors.New("body"), errors.New("child")
		var plain, failing *aio.Task[struct{}]
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			plain = tg.Go(func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
			failing = tg.Go(func(ctx *aio.Context) error {
				aio.Sleep(ctx, time.Hour)
				return errChild
			})
			aio.Sleep(ctx, 0)
			return errBody
		})
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok || len(joined.Unwrap()) == 0 || joined.Unwrap()[0] != errBody || !errors.Is(err, errChild) {
			t.Errorf("RunTaskGroup = %v, want the body's error first, then the child's", err)
		}
		if !plain.Cancelled() || !failing.Done() {
			t.Errorf("children after a body error: %v, %v", plain, failing)
		}
		return nil
	})
}

func TestRunTaskGroupWaitsForChildrenAfterTheBodyReturns(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		var child *aio.Task[int]
		err := aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			child = aio.Spawn(tg, func(ctx *aio.Context) (int, error) { return 2, aio.Sleep(ctx, time.Second) })
			return nil
		})
		if v, cerr := child.Result(); err != nil || v != 2 || cerr != nil {
			t.Errorf("RunTaskGroup = %v, child = %v, %v; want nil, 2, nil", err, v, cerr)
		}
		return nil
	})
}

// Cancelling the task that owns the group cancels the children and
// propagates.
// CPython: TestTaskGroup.test_cancellation in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupOwnerCancellationCancelsChildrenAndPropagates(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		errCleanup := errors.New("cleanup")
		var children []*aio.Task[struct{}]
		owner := aio.Go(ctx, func(ctx *aio.Context) error {
			tg, _ := aio.NewTaskGroup(ctx)
			children = append(children,
				tg.Go(func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) }),
				tg.Go(func(ctx *aio.Context) error {
					aio.Sleep(ctx, time.Hour)
					return errCleanup
				}))
			return tg.Wait()
		})
		aio.Sleep(ctx, 0)
		aio.Sleep(ctx, 0)
		owner.Cancel("owner")
		_, err := owner.Await(ctx)
		var ce *aio.CancelledError
		if !errors.As(err, &ce) || ce.Message != "owner" || !errors.Is(err, errCleanup) {
			t.Errorf("owner = %v, want its cancellation joined with the child's error", err)
		}
		if !children[0].Cancelled() || children[1].Err() != errCleanup {
			t.Errorf("children: %v, %v", children[0], children[1])
		}
		return nil
	})
}

// Starting a task in a group that has finished is refused.
// CPython: TestTaskGroup.test_taskgroup_finished in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupGoAfterWaitReturnedPanics(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tg, _ := aio.NewTaskGroup(ctx)
		tg.Wait()
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Go on a finished group did not panic")
				}
			}()
			tg.Go(func(ctx *aio.Context) error { return nil })
		}()
		if n := len(aio.AllTasks(ctx)); n != 1 {
			t.Errorf("the refused Go left %d tasks pending besides main", n-1)
		}
		return nil
	})
}

// A task started in a group that is being cancelled never runs.
// CPython: TestTaskGroup.test_taskgroup_no_create_task_after_failure in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupGoWhileCancellingGivesATaskThatNeverRuns(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tg, _ := aio.NewTaskGroup(ctx)
		tg.Cancel()
		ran := false
		late := tg.Go(func(ctx *aio.Context) error { ran = true; return nil })
		if err := tg.Wait(); err != nil {
			t.Errorf("Wait = %v", err)
		}
		if ran || !late.Cancelled() {
			t.Errorf("late child ran: %v, cancelled: %v; want false, true", ran, late.Cancelled())
		}
		return nil
	})
}

func TestTaskGroupWaitTwiceReturnsTheSameResultAtOnce(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tg, _ := aio.NewTaskGroup(ctx)
		tg.Go(func(ctx *aio.Context) error { return errors.New("x") })
		first := tg.Wait()
		yielded := yieldProbe(ctx)
		second := tg.Wait()
		if first == nil || second != first || yielded() {
			t.Errorf("Wait = %v, then %v (yielded %v); want the same error at once", first, second, yielded())
		}
		return nil
	})
}

func TestTaskGroupCancelCancelsChildrenAndTheBodyWithoutError(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tg, gctx := aio.NewTaskGroup(ctx)
		child := tg.Go(func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
		aio.Sleep(gctx, 0)
		tg.Cancel()
		tg.Cancel()
		if err := aio.Sleep(gctx, time.Second); !errors.Is(err, context.Canceled) {
			t.Errorf("body Sleep after Cancel = %v", err)
		}
		if err := tg.Wait(); err != nil {
			t.Errorf("Wait = %v, want nil", err)
		}
		if !child.Cancelled() || ctx.Err() != nil {
			t.Errorf("child %v, owner ctx.Err() = %v", child, ctx.Err())
		}
		return nil
	})
}

// A panicking body does not leave children behind: they are cancelled and
// waited for, then the panic becomes the owning task's *PanicError.
func TestRunTaskGroupBodyPanicCancelsChildrenFirst(t *testing.T) {
	var childSawCancel bool
	err := aio.Run(func(ctx *aio.Context) error {
		return aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			tg.Go(func(ctx *aio.Context) error {
				err := aio.Sleep(ctx, time.Hour)
				childSawCancel = errors.Is(err, context.Canceled)
				return err
			})
			if err := aio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			panic("body exploded")
		})
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	var pe *aio.PanicError
	if !errors.As(err, &pe) || pe.Value != "body exploded" {
		t.Fatalf("Run = %v, want the body's *PanicError", err)
	}
	if !strings.Contains(string(pe.Stack), "TestRunTaskGroupBodyPanicCancelsChildrenFirst") {
		t.Errorf("the stack should be the original panic's:\n%s", pe.Stack)
	}
	if !childSawCancel {
		t.Error("the child was not cancelled before the panic went on")
	}
}

// A TaskGroup belongs to a running task, as in asyncio.
// Creating one outside a task, or waiting on it from another task, panics
// with an explanation instead of corrupting the group.
// CPython: TestTaskGroup.test_taskgroup_without_parent_task in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_taskgroups.py
func TestTaskGroupOutsideItsTaskPanics(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		tg, _ := aio.NewTaskGroup(ctx)
		var fromCallback, fromOtherTask any
		done := aio.NewFuture[struct{}](ctx)
		ctx.Loop().CallSoon(func() {
			fromCallback = recoverPanic(func() { aio.NewTaskGroup(ctx) })
			done.SetResult(struct{}{})
		})
		if _, err := done.Await(ctx); err != nil {
			return err
		}
		other := aio.Go(ctx, func(octx *aio.Context) error {
			fromOtherTask = recoverPanic(func() { tg.Wait() })
			return nil
		})
		if _, err := other.Await(ctx); err != nil {
			return err
		}
		expectMisuse(t, fromCallback, aio.ErrNotInTask, "aio.NewTaskGroup")
		expectMisuse(t, fromOtherTask, aio.ErrNotInTask, "TaskGroup.Wait")
		return tg.Wait()
	})
}

// A WaitFor timeout is a failure, not a cancellation: the TaskGroup stops
// the siblings and reports it (asyncio raises ExceptionGroup([TimeoutError])
// for this program).
func TestWaitForTimeoutInATaskGroupIsAFailureOfTheGroup(t *testing.T) {
	err := aio.Run(func(ctx *aio.Context) error {
		return aio.RunTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			tg.Go(func(ctx *aio.Context) error {
				slow := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
				_, err := aio.WaitFor(ctx, slow, time.Second)
				return err
			})
			return nil
		})
	}, virtualClock())
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; want the timeout, not a cancellation", err)
	}
}

// WithTaskGroup, the former name of RunTaskGroup, still works.
func TestWithTaskGroupIsRunTaskGroup(t *testing.T) {
	runVirtual(t, func(ctx *aio.Context) error {
		ran := false
		err := aio.WithTaskGroup(ctx, func(ctx *aio.Context, tg *aio.TaskGroup) error {
			tg.Go(func(*aio.Context) error { ran = true; return nil })
			return nil
		})
		if err != nil || !ran {
			t.Errorf("WithTaskGroup = %v, child ran %v", err, ran)
		}
		return nil
	})
}
