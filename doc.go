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
// order among equal deadlines, behind what was already ready (a scope's
// deadline cancels it only after the wake-ups queued before it ran);
// Future callbacks are scheduled, never called synchronously; a new task
// starts after its creator yields. Awaiting something that is already
// available (a done future, a non-empty queue) does not yield;
// Sleep(ctx, 0) always yields exactly once. The waiters of queues, locks,
// semaphores, conditions and barriers are served first come, first served. Run and RunUntilComplete stop
// from a callback scheduled when the awaited future completes, as asyncio
// does.
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
// A cancellation reaches what the task awaits at once, inside the call
// that cancelled: an awaited future is cancelled, an awaited task is
// cancelled in turn and waited for, Gather's children are cancelled. A task
// ends cancelled only when its own root scope's cancellation ends it; an
// error that wraps someone else's cancellation is a failure. A completed
// result is never thrown away: a task's result, or a queue item, that is
// there when the awaiter resumes is returned even if a cancellation arrived
// meanwhile (it shows at the next await). docs/MAPPING.md lists every
// deliberate difference from asyncio.
//
// # Goroutines
//
// Loop methods, tasks, futures, queues and scopes belong to the loop
// goroutine: call them from a task or a callback of that loop. Other
// goroutines use the thread-safe calls: Loop.CallSoonThreadsafe,
// Future.SetResultThreadsafe and SetErrorThreadsafe, a scope's CancelFunc,
// Submit, and the context.Context methods of a *Context (which work off the
// loop: Done closes at a real-clock deadline even while the loop is held,
// and when the task returns). A loop-bound call from another goroutine
// panics with ErrWrongGoroutine while the loop waits for events (a cheap
// check, always on); debug mode (WithDebug, or the AIODEBUG environment
// variable) checks every call. Awaiting with another task's Context always
// panics with ErrNotInTask.
//
// # Error policy
//
// A condition a correct program can meet at run time is a returned error
// (ErrLoopClosed from RunForever or CallSoonThreadsafe, ErrQueueFull, a
// cancellation). A call no correct program makes panics with a
// *MisuseError that names the call, wraps a sentinel (ErrWrongGoroutine,
// ErrNotInTask, ErrWrongLoop, ErrNilFunc, ErrZeroValue, ErrLoopClosed) and
// says what to do instead.
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
// Run cancels the tasks still pending when main returns, waits for them
// (saying which ones it still waits for when that takes long), and reports
// their errors.
//
// runtime.Goexit inside a task (for example t.FailNow in a test) finishes
// the task with ErrGoexit and then, as iter.Pull specifies, ends the
// goroutine that resumed it, and so the goroutine that runs the loop:
// RunForever and RunUntilComplete never return. When the task was resumed
// by another task's hand-off (the direct hand-off in docs/ARCHITECTURE.md),
// that task's coroutine ends the same way: its defers run and it finishes
// with ErrGoexit too. The loop stays consistent: Run (and Loop.Close)
// still cancel and unwind every other task, running their defers, before
// the Goexit completes, so a test that calls t.FailNow inside a task stops
// cleanly and leaks no goroutine.
//
// # Debugging and testing
//
// Debug mode (WithDebug, or AIODEBUG=1) catches a step that blocks the loop
// while it blocks and reports its stack, and records where each task was
// created for every report. Loop.Tasks returns the task tree (who awaits
// what) from any goroutine; Loop.Metrics the loop's counters. Package
// github.com/asyncgo/aio/debug serves both over HTTP and expvar; package
// github.com/asyncgo/aio/aiotest runs tests on virtual time, detects
// deadlocks and leaks, and explores schedules (WithScheduleSeed). See the
// Debugging section of docs/ARCHITECTURE.md.
//
// # Zero values
//
// The zero Queue and the zero LifoQueue are unbounded queues; the zero
// Lock is an unlocked lock, the zero Event a cleared event, the zero
// Condition a condition over its own unlocked lock, and the zero Semaphore
// a semaphore with no permits (NewSemaphore(0)). A PriorityQueue (it needs
// an ordering), a BoundedSemaphore (its bound) and a Barrier (its parties)
// must be created with their New functions, and so must loops, futures,
// tasks, task groups and scopes: NewLoop, NewFuture, Spawn/Go,
// NewTaskGroup and the With functions; a zero Future or TaskGroup panics
// with ErrZeroValue, naming the constructor to use.
package aio
