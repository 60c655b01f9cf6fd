package aio

import (
	"context"
	"errors"
	"fmt"
)

// Error policy. A condition that a correct program can meet at run time is
// returned as an error (a closed loop seen by RunForever or
// CallSoonThreadsafe, a full queue, a cancelled await). A call that no
// correct program makes (awaiting outside the task, a loop-bound call from
// another goroutine, a future of another loop, a nil function, a zero
// value) panics with a *MisuseError that names the call and says what to do
// instead; errors.Is matches it to one of the sentinels below.

// ErrLoopClosed reports a closed loop. Methods that return an error return
// it (RunForever, RunUntilComplete, CallSoonThreadsafe, awaits unwound by
// Close); loop-bound calls that cannot return an error (CallSoon, Spawn,
// NewFuture...) panic with a *MisuseError wrapping it. Create a new Loop
// instead.
var ErrLoopClosed = errors.New("aio: event loop is closed")

// ErrLoopRunning is returned by RunUntilComplete, RunForever and Close when
// the loop is already running: await the work from inside the loop instead.
var ErrLoopRunning = errors.New("aio: event loop is already running")

// ErrNestedRun is returned by Run, RunForever and RunUntilComplete when they
// are called from a coroutine or callback of a running loop: await the
// coroutine (call it, or Spawn it) instead of starting a second loop on the
// same goroutine chain.
var ErrNestedRun = errors.New("aio: Run cannot be called from a running event loop; call the coroutine or Spawn it instead")

// ErrWrongGoroutine is wrapped by the panic of a loop-bound call made from a
// goroutine that is not running the loop (checked cheaply while the loop
// waits for events, fully in debug mode). Other goroutines use the
// thread-safe calls: Loop.CallSoonThreadsafe, Future.SetResultThreadsafe,
// a scope's CancelFunc.
var ErrWrongGoroutine = errors.New("aio: called from a goroutine that is not running the loop")

// ErrNotInTask is wrapped by the panic of an await made outside the running
// task its *Context belongs to (in a callback, another task, another
// goroutine, or after the task ended).
var ErrNotInTask = errors.New("aio: await outside the task the Context belongs to")

// ErrWrongLoop is wrapped by the panic of a call that mixes loops: awaiting
// (or gathering, waiting on, shielding) a future or task of another loop.
var ErrWrongLoop = errors.New("aio: the future or task belongs to another loop")

// ErrNilFunc is wrapped by the panic of a call given a nil function.
var ErrNilFunc = errors.New("aio: nil function")

// ErrZeroValue is wrapped by the panic of a method called on a zero Future
// or TaskGroup, which must be created with NewFuture or NewTaskGroup.
var ErrZeroValue = errors.New("aio: zero value used")

// ErrTaskFinished is the Cause of a task's Context once the task has
// returned: its Done channel is closed and Err returns context.Canceled, so
// goroutines and context.AfterFunc hooks watching it end (as net/http
// cancels a request's context when the handler returns).
var ErrTaskFinished = errors.New("aio: the task has finished")

// MisuseError is the panic value of a call that no correct program makes. It
// names the call (Op), wraps one of the sentinels (ErrWrongGoroutine,
// ErrNotInTask, ErrWrongLoop, ErrNilFunc, ErrZeroValue, ErrLoopClosed,
// ErrInvalidArgument) and
// says what to do instead (Hint).
type MisuseError struct {
	Op   string // the call, as the user wrote it: "Future.SetResult", "aio.Spawn"
	Err  error  // the sentinel
	Hint string // what to do instead
}

// Error returns "aio: Op: what went wrong; what to do instead".
func (e *MisuseError) Error() string {
	msg := "aio: " + e.Op + ": " + trimAio(e.Err.Error())
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *MisuseError) Unwrap() error { return e.Err }

func trimAio(s string) string {
	if len(s) > 5 && s[:5] == "aio: " {
		return s[5:]
	}
	return s
}

// misuse panics with a *MisuseError.
func misuse(op string, err error, hint string) {
	panic(&MisuseError{Op: op, Err: err, Hint: hint})
}

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
	// Cause is the cancellation the inner work ended with, when a WaitFor
	// had to cancel it; nil otherwise. It is not unwrapped: a timeout is not
	// a cancellation, so errors.Is(err, context.Canceled) is false.
	Cause error
}

// Error returns "aio: deadline exceeded".
func (e *TimeoutError) Error() string { return "aio: deadline exceeded" }

// Is makes errors.Is(err, context.DeadlineExceeded) true.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true.
func (e *TimeoutError) Timeout() bool { return true }

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

// Errors of the synchronization primitives and queue shutdown (locks.py and
// queues.py in asyncio).

// ErrNotLocked is returned by Lock.Release and Condition.Release on an
// unlocked lock, and by Condition.Wait, WaitFor, Notify and NotifyAll when
// the condition's lock is not held (asyncio raises RuntimeError).
var ErrNotLocked = errors.New("aio: the lock is not acquired")

// ErrSemaphoreOverReleased is returned by BoundedSemaphore.Release when it
// would raise the value above the initial one (asyncio raises ValueError).
var ErrSemaphoreOverReleased = errors.New("aio: BoundedSemaphore released too many times")

// ErrBrokenBarrier is returned by Barrier.Wait when the barrier is broken
// (Abort) or is reset (Reset) while the task waits (asyncio's
// BrokenBarrierError).
var ErrBrokenBarrier = errors.New("aio: barrier is broken")

// ErrQueueShutDown is returned by the Put, Get and Nowait methods of a
// queue after Shutdown (asyncio's QueueShutDown): puts at once, gets once
// the queue is empty.
var ErrQueueShutDown = errors.New("aio: queue is shut down")

// ErrInvalidArgument is wrapped by the panic of a constructor given a value
// no correct program passes: a negative Semaphore value, a Barrier of fewer
// than one party.
var ErrInvalidArgument = errors.New("aio: invalid argument")
