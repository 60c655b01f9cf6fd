package aio

import (
	"context"
	"errors"
	"fmt"
)

// ErrLoopClosed is returned (or, for the non-thread-safe scheduling methods,
// panicked with) when a closed loop is used. Create a new Loop instead.
var ErrLoopClosed = errors.New("aio: event loop is closed")

// ErrLoopRunning is returned by RunUntilComplete, RunForever and Close when
// the loop is already running: await the work from inside the loop instead.
var ErrLoopRunning = errors.New("aio: event loop is already running")

// ErrNestedRun is returned by Run when it is called from a coroutine or
// callback of a running loop: await the coroutine (call it, or Spawn it)
// instead of starting a second loop on the same goroutine chain.
var ErrNestedRun = errors.New("aio: Run cannot be called from a running event loop; call the coroutine or Spawn it instead")

// ErrStoppedBeforeComplete is returned by RunUntilComplete when Stop ended
// the loop before the awaited future was done.
var ErrStoppedBeforeComplete = errors.New("aio: event loop stopped before the future completed")

// ErrInvalidState is returned when a future is resolved twice, or its result
// is read before it is done.
var ErrInvalidState = errors.New("aio: invalid future state")

// ErrAwaitSelf is returned when a task awaits itself, which could never finish.
var ErrAwaitSelf = errors.New("aio: a task cannot await itself")

// ErrQueueFull is returned by Queue.PutNowait on a full queue.
var ErrQueueFull = errors.New("aio: queue is full")

// ErrQueueEmpty is returned by Queue.GetNowait on an empty queue.
var ErrQueueEmpty = errors.New("aio: queue is empty")

// ErrTaskDoneTooMany is returned by Queue.TaskDone when it is called more
// times than items were put.
var ErrTaskDoneTooMany = errors.New("aio: Queue.TaskDone called too many times")

// ErrEmptyWait is returned by Wait when it is given nothing to wait for.
var ErrEmptyWait = errors.New("aio: Wait needs at least one task or future")

// ErrGoexit is the error of a task whose coroutine called runtime.Goexit
// (for example t.FailNow in a test). See the package documentation for the
// Goexit policy.
var ErrGoexit = errors.New("aio: task called runtime.Goexit")

// CancelledError is the error of a cancelled task, future or scope.
// It satisfies errors.Is(err, context.Canceled) and carries the message given
// to Cancel, as asyncio's CancelledError carries its args.
type CancelledError struct {
	Message string
}

// Error returns "aio: cancelled", followed by the message if there is one.
func (e *CancelledError) Error() string {
	if e.Message == "" {
		return "aio: cancelled"
	}
	return "aio: cancelled: " + e.Message
}

// Is makes errors.Is(err, context.Canceled) true.
func (e *CancelledError) Is(target error) bool { return target == context.Canceled }

// TimeoutError is the error returned by awaits inside a scope whose deadline
// passed (WithTimeout, WithDeadline, WaitFor). It satisfies
// errors.Is(err, context.DeadlineExceeded) and has Timeout() == true, like
// net errors.
type TimeoutError struct {
	// Cause is the cancellation of the inner work, when a WaitFor had to
	// cancel it; nil otherwise.
	Cause error
}

// Error returns "aio: deadline exceeded".
func (e *TimeoutError) Error() string { return "aio: deadline exceeded" }

// Is makes errors.Is(err, context.DeadlineExceeded) true.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true.
func (e *TimeoutError) Timeout() bool { return true }

// Unwrap returns Cause.
func (e *TimeoutError) Unwrap() error { return e.Cause }

// PanicError is the error of a task whose coroutine panicked, or of a callback
// that panicked (reported to the exception handler). It keeps the panic value
// and the stack of the panicking goroutine.
type PanicError struct {
	Value any
	Stack []byte
}

// Error returns the panic value followed by the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("aio: panic: %v\n\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// isCancel reports whether err is a cancellation (not a timeout).
func isCancel(err error) bool { return err != nil && errors.Is(err, context.Canceled) }
