// Package aio is Python's asyncio for Go: one event loop, coroutines that
// give up control only where they await, Tasks, Futures, cancellation
// scopes, gather/wait/wait_for/as_completed, task groups and queues.
//
// # The model
//
// A coroutine is a plain Go function func(ctx *aio.Context) (T, error).
// Calling another coroutine is awaiting it: v, err := sub(ctx). Spawn (or Go)
// runs a coroutine concurrently as a Task. All coroutines of a loop run one
// at a time on stackful coroutines (iter.Pull), switching only at an await
// (Sleep, Future.Await, Task.Await, Queue.Get, ...), so they share memory
// without locks. Blocking Go code inside a coroutine (time.Sleep, a channel
// receive, a mutex) blocks the whole loop, exactly as time.sleep does in
// asyncio.
//
//	err := aio.Run(func(ctx *aio.Context) error {
//		t := aio.Spawn(ctx, func(ctx *aio.Context) (int, error) {
//			return 42, aio.Sleep(ctx, time.Second)
//		})
//		v, err := t.Await(ctx)
//		...
//	})
//
// # Ordering contract
//
// The loop follows asyncio's scheduling: CallSoon callbacks and task steps
// run in FIFO order; one iteration runs only what was ready when it started;
// timers fire in deadline order and, stricter than asyncio, in scheduling
// order among equal deadlines; Future callbacks are scheduled, never called
// synchronously; a new task starts after its creator yields. Awaiting
// something that is already available (a done future, a non-empty queue)
// does not yield; Sleep(ctx, 0) always yields exactly once. The waiters of
// queues, locks, semaphores, conditions and barriers are served first come,
// first served.
//
// # Cancellation
//
// A *Context is a cancellation scope and a context.Context. Task.Cancel
// cancels a task's root scope; WithCancel, WithTimeout and WithDeadline open
// nested scopes in the same coroutine, WithoutCancel a shielded one.
// Cancellation is level-triggered: every await in a cancelled scope returns
// the cancellation error until the coroutine leaves the scope, so a
// swallowed error cannot defeat a timeout. Errors satisfy
// errors.Is(err, context.Canceled) (*CancelledError, with the cancel message)
// or errors.Is(err, context.DeadlineExceeded) (*TimeoutError).
//
// # Goroutines
//
// Loop methods, tasks, futures, queues and scopes belong to the loop
// goroutine: call them from a task or a callback of that loop. Other
// goroutines talk to a loop only through Loop.CallSoonThreadsafe (and the
// context.Context methods of a *Context). Debug mode (WithDebug, or the
// AIODEBUG environment variable) checks this and panics with a message on
// misuse; awaiting with another task's Context always panics.
//
// # Errors, panics and Goexit
//
// Nothing is lost silently. The loop holds every task until it is done. A
// panic in a task becomes the task's error, a *PanicError with the value
// and the stack; a panic in a callback is reported to the exception handler
// and the loop goes on. A task or future error that nobody retrieved (by
// Await, Result, Err, Gather, ...) is reported to the exception handler
// once the failed task or future has been garbage collected (nobody can
// retrieve it any more), or when the loop closes, whichever comes first.
// Run cancels the tasks still pending when main
// returns, waits for them, and reports their errors.
//
// runtime.Goexit inside a task (for example t.FailNow in a test) finishes
// the task with ErrGoexit and then, as iter.Pull specifies, ends the
// goroutine that resumed it, and so the goroutine that runs the loop:
// RunForever and RunUntilComplete never return. When the task was resumed
// by another task's hand-off (see Loop.runAhead in docs/ARCHITECTURE.md),
// that task's coroutine ends the same way: its defers run and it finishes
// with ErrGoexit too. The loop stays consistent: Run (and Loop.Close)
// still cancel and unwind every other task, running their defers, before
// the Goexit completes, so a test that calls t.FailNow inside a task stops
// cleanly and leaks no goroutine.
//
// # Zero values
//
// The zero Queue and the zero LifoQueue are unbounded queues; the zero
// Lock is an unlocked lock, the zero Event a cleared event, the zero
// Condition a condition over its own unlocked lock, and the zero Semaphore
// a semaphore with no permits (NewSemaphore(0)). A PriorityQueue (it needs
// an ordering), a BoundedSemaphore (its bound) and a Barrier (its parties)
// must be created with their New functions, and so must loops, futures,
// tasks and scopes: NewLoop, NewFuture, Spawn/Go and the With functions.
package aio
