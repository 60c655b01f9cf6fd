package aio

import (
	"math"
	"runtime/debug"
	"strconv"

	"github.com/asyncgo/aio/internal/coro"
	"github.com/asyncgo/aio/internal/goid"
	"github.com/asyncgo/aio/internal/timerheap"
)

// Host names the loop to create a task or future on: a *Loop, a task's
// *Context, or a *TaskGroup (whose tasks join the group).
type Host interface {
	Loop() *Loop
}

// AnyTask is the type-erased view of a *Task[T], returned by CurrentTask and
// AllTasks. Its methods follow the same goroutine rules as Task's.
type AnyTask interface {
	Waitable
	Name() string
	SetName(string)
	Cancel(msg ...string) bool
	Cancelled() bool
	Err() error
}

// Task runs a coroutine concurrently with its creator on the loop
// (asyncio.Task). Create one with Spawn or Go. The loop holds every task
// until it is done, so a task never disappears mid-flight, whether or not
// anyone keeps a reference to it.
//
// All methods must be called on the loop's goroutine (from a task or a
// callback); other goroutines post work with Loop.CallSoonThreadsafe.
type Task[T any] struct {
	t   task
	val T
	fn  func(*Context) (T, error)
	efn func(*Context) error // Go's body (fn is nil then)
}

// Spawn schedules fn to run as a new task on the loop of h and returns the
// task. The task starts in a coming loop iteration, after the caller yields
// (it never runs synchronously inside Spawn). The task's *Context inherits
// values from the loop's base context (WithBaseContext) but not
// cancellation: like asyncio.create_task, cancelling the spawner does not
// cancel the task; use a TaskGroup (pass it as h) for tasks that share a
// lifetime. Loop goroutine only; on a closed loop it panics with a
// *MisuseError wrapping ErrLoopClosed.
func Spawn[T any](h Host, fn func(*Context) (T, error)) *Task[T] {
	if fn == nil {
		misuse("aio.Spawn", ErrNilFunc, "pass the coroutine to run")
	}
	t := &Task[T]{fn: fn}
	t.start("aio.Spawn", h, false)
	return t
}

// SpawnEager is Spawn with an eager start (Python 3.12's eager tasks): on a
// running loop the body runs at once, inside the call, until its first
// suspension, and SpawnEager returns then (a task that finishes without
// suspending is done when SpawnEager returns). Its coroutine comes from the
// loop's pool of idle coroutines and goes back there as soon as the task is
// done, so a task that never suspends holds none. On a loop that is not
// running it starts like Spawn. WithEagerTasks makes every Spawn eager.
func SpawnEager[T any](h Host, fn func(*Context) (T, error)) *Task[T] {
	if fn == nil {
		misuse("aio.SpawnEager", ErrNilFunc, "pass the coroutine to run")
	}
	t := &Task[T]{fn: fn}
	t.start("aio.SpawnEager", h, true)
	return t
}

// GoEager is SpawnEager for a coroutine without a value.
func GoEager(h Host, fn func(*Context) error) *Task[struct{}] {
	if fn == nil {
		misuse("aio.GoEager", ErrNilFunc, "pass the coroutine to run")
	}
	t := &Task[struct{}]{efn: fn}
	t.start("aio.GoEager", h, true)
	return t
}

// Go is Spawn for a coroutine without a value: the task's result is
// struct{}.
func Go(h Host, fn func(*Context) error) *Task[struct{}] {
	if fn == nil {
		misuse("aio.Go", ErrNilFunc, "pass the coroutine to run")
	}
	t := &Task[struct{}]{efn: fn}
	t.start("aio.Go", h, false)
	return t
}

func (t *Task[T]) start(op string, h Host, eager bool) {
	g, isGroup := h.(*TaskGroup)
	if isGroup {
		g.check(op)
	}
	l := h.Loop()
	l.checkCaller(op)
	if l.state.Load() == stateClosed {
		misuse(op, ErrLoopClosed, "spawn tasks before closing the loop, or create a new loop")
	}
	tk := &t.t
	tk.loop = l
	tk.job = t
	l.taskSeq++
	tk.id = l.taskSeq
	tk.ctx.task = tk
	tk.ctx.deadline.Store(math.MaxInt64)
	if l.instrumented() {
		tk.dbg = l.newTaskDebug(tk)
	}
	tk.core.loop = l
	tk.core.owner = tk
	if isGroup {
		g.adopt(tk)
	}
	l.tasks.add(tk)
	if f := l.cfg.taskFactory; f != nil {
		f(t)
	}
	if (eager || l.cfg.eager) && l.state.Load() == stateRunning && !tk.done {
		l.stepNow(tk)
		return
	}
	tk.schedule()
}

func (t *Task[T]) core() *futureCore { return &t.t.core }

// run is the coroutine body; it runs on the task's coroutine.
func (t *Task[T]) run(c *coro.Coro) {
	if t.t.loop.cfg.debug && c.Data == 0 {
		c.Data = goid.Get() // lets debug mode recognise this coroutine
	}
	if t.t.dbg != nil {
		t.t.loop.taskStarted(&t.t, c.Data)
		defer t.t.loop.taskEnded()
	}
	if st := t.t.ctx.state.Load(); st != nil {
		// Cancelled before its first step: the body never runs.
		t.finish(st.err)
		return
	}
	v, err := t.call()
	t.val = v
	t.finish(err)
}

// call runs the body, turning a panic into a *PanicError. If the body calls
// runtime.Goexit the task is finished with ErrGoexit here, in the deferred
// call, because the goroutine (and then the loop's goroutine, through
// iter.Pull) is exiting.
func (t *Task[T]) call() (v T, err error) {
	normal := false
	defer func() {
		if normal {
			return
		}
		if r := recover(); r != nil {
			var zero T
			if pe, ok := r.(*PanicError); ok {
				v, err = zero, pe // re-raised by aio itself, stack kept
			} else {
				v, err = zero, newPanicError(r)
			}
			return
		}
		t.finish(ErrGoexit)
	}()
	if t.fn != nil {
		v, err = t.fn(&t.t.ctx)
	} else {
		err = t.efn(&t.t.ctx)
	}
	normal = true
	return
}

func (t *Task[T]) finish(err error) {
	tk := &t.t
	if tk.done {
		return
	}
	if err == nil && tk.mustCancel {
		// Cancelled during its last step and returned without awaiting
		// again: it ends cancelled, as asyncio's "cancelled right before
		// the coroutine stops".
		err = tk.ctx.cancelErr()
	}
	if err != nil {
		var zero T
		t.val = zero
	}
	tk.done = true
	tk.loop.tasks.remove(tk)
	if tk.sleep.Queued() {
		tk.loop.timers.Remove(&tk.sleep)
	}
	cancelled := tk.endsCancelled(err)
	tk.ctx.finish()
	traceEnd(tk)
	t.t.core.complete(err, cancelled)
	watchTask(t)
}

func (t *Task[T]) abort(err error) { t.finish(err) }

// Await suspends the calling task until t is done and returns t's result;
// ctx must be the Context of the running task (of a scope of it).
// A done task returns at once without yielding. If the caller's scope is
// cancelled while waiting, t is cancelled at once and Await waits for t to
// finish its cancellation (asyncio semantics): it then returns t's value if
// t suppressed the cancellation, t's error if t failed otherwise, or the
// caller's cancellation error. A task that completed before the
// cancellation reached the caller returns its result. Use Shield to stop
// waiting without cancelling t. A task awaiting itself gets ErrAwaitSelf.
func (t *Task[T]) Await(ctx *Context) (T, error) {
	return awaitOf("Task.Await", &t.t.core, &t.val, ctx)
}

// Result returns the value and error of a done task (a cancelled task
// returns its cancellation error), or ErrInvalidState while it is pending.
// It marks the error as retrieved.
func (t *Task[T]) Result() (T, error) { return resultOf(&t.t.core, &t.val) }

// Err returns the error of a done task (nil on success) or ErrInvalidState
// while it is pending. It marks the error as retrieved.
func (t *Task[T]) Err() error {
	_, err := t.Result()
	return err
}

// Done reports whether the task has finished (returned, failed, or was
// cancelled).
func (t *Task[T]) Done() bool { return t.t.core.done }

// Cancelled reports whether the task ended cancelled: by the cancellation
// of its own root scope (Task.Cancel, a TaskGroup, Gather or WaitFor
// cancelling it). A task that returns an error wrapping another task's or
// scope's cancellation, or joining a cancellation with a failure, has
// failed, not been cancelled.
func (t *Task[T]) Cancelled() bool { return t.t.core.cancelled }

// Cancel requests cancellation of the task: from now on every await in the
// task's Context (outside WithoutCancel scopes) returns a *CancelledError
// carrying the message (optional; several strings are joined with spaces),
// until the coroutine returns; a task that has not started never runs.
// What the task awaits is cancelled at once, inside the call (an awaited
// future is cancelled, an awaited task is cancelled in turn). It reports
// false if the task is already done, true otherwise. Repeated calls count
// (see Cancelling) but the first message stands. Loop goroutine only.
func (t *Task[T]) Cancel(msg ...string) bool {
	t.t.loop.checkCaller("Task.Cancel")
	return t.t.cancel(joinMsg(msg))
}

// Cancelling returns how many times Cancel was called while the task was
// pending; it keeps that count after the task is done.
func (t *Task[T]) Cancelling() int { return int(t.t.cancels) }

// Name returns the task's name, "Task-N" by default, where N counts the
// tasks spawned on the loop (from 1).
func (t *Task[T]) Name() string { return t.t.Name() }

// SetName renames the task.
func (t *Task[T]) SetName(name string) { t.t.name = name }

// AddDoneCallback arranges for fn to run on the loop when the task is done;
// see Future.AddDoneCallback.
func (t *Task[T]) AddDoneCallback(fn func()) (remove func() bool) {
	return t.t.core.addDoneCallback("Task.AddDoneCallback", fn)
}

// Context returns the task's root Context.
func (t *Task[T]) Context() *Context { return &t.t.ctx }

// String returns the task's name and state, for debugging.
func (t *Task[T]) String() string {
	state := "pending"
	switch {
	case t.t.core.cancelled:
		state = "cancelled"
	case t.t.core.done && t.t.core.err != nil:
		state = "failed: " + t.t.core.err.Error()
	case t.t.core.done:
		state = "done"
	}
	return "<Task " + t.Name() + " " + state + ">"
}

// taskJob is the generic Task seen from the loop.
type taskJob interface {
	AnyTask
	run(c *coro.Coro)
	abort(err error)
}

// task is the type-independent part of a Task. Every field is owned by the
// loop goroutine (the loop, or the task's own coroutine during its step).
type task struct {
	loop       *Loop           // immutable
	core       futureCore      // the Task's state as a future
	job        taskJob         // the generic Task; immutable
	coro       *coro.Coro      // set at the first step, cleared when done
	ctx        Context         // the root scope
	sleep      timerheap.Entry // Sleep's timer
	node       waitNode        // links the task into the future it awaits (node.fc is that future while the wait is pending)
	waitCtx    *Context        // the scope of the current wait (park)
	parker     parker          // undoes the current wait (park)
	dbg        *taskDebug      // debug mode, labels or tracing (debug.go); nil otherwise
	prev, next *task           // the loop's list of pending tasks
	id         uint64          // numbers the default name
	name       string          // "" until named or asked for
	cancels    int32           // Cancel calls while pending
	pstate     parkState       // see park
	done       bool            // finished; set once
	scheduled  bool            // a step is in the ready queue
	mustCancel bool            // cancelled during its own step and not delivered since
}

// Run implements coro.Job (the type is unexported, so users cannot call it).
func (t *task) Run(c *coro.Coro) { t.job.run(c) }

func (t *task) Name() string {
	if t.name == "" {
		t.name = "Task-" + strconv.FormatUint(t.id, 10)
	}
	return t.name
}

// schedule queues the task's next step (once).
func (t *task) schedule() {
	if t.scheduled || t.done {
		return
	}
	t.scheduled = true
	t.loop.ready.Push(readyItem{t: t})
}

// wake implements waiter: the future the task awaits completed.
func (t *task) wake(*futureCore) { t.wakeUp() }

func (t *task) cancel(msg string) bool {
	if t.done {
		return false
	}
	t.cancels++
	if t.loop.current == t {
		t.mustCancel = true
	}
	t.ctx.cancel(&CancelledError{Message: msg})
	return true
}

// endsCancelled reports whether err, returned by the task's body, means the
// task ended cancelled: it is (or wraps) the cancellation of the task's own
// root scope, with no failure joined to it. An error that wraps another
// task's or scope's cancellation is a failure.
func (t *task) endsCancelled(err error) bool {
	st := t.ctx.state.Load()
	if err == nil || st == nil || st == finishedState {
		return false
	}
	return onlyCancellation(err, st.err)
}

// onlyCancellation reports whether err is own, or wraps own with nothing
// but other cancellations beside it in a join.
func onlyCancellation(err, own error) bool {
	for {
		if err == own {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			found := false
			for _, e := range u.Unwrap() {
				if onlyCancellation(e, own) {
					found = true
				} else if !isCancel(e) {
					return false
				}
			}
			return found
		case interface{ Unwrap() error }:
			err = u.Unwrap()
			if err == nil {
				return false
			}
		default:
			return false
		}
	}
}

// taskList is the loop's intrusive list of pending tasks.
type taskList struct {
	head, tail *task
	n          int
}

func (tl *taskList) add(t *task) {
	t.prev = tl.tail
	t.next = nil
	if tl.tail != nil {
		tl.tail.next = t
	} else {
		tl.head = t
	}
	tl.tail = t
	tl.n++
}

func (tl *taskList) remove(t *task) {
	if t.prev != nil {
		t.prev.next = t.next
	} else if tl.head == t {
		tl.head = t.next
	} else {
		return
	}
	if t.next != nil {
		t.next.prev = t.prev
	} else {
		tl.tail = t.prev
	}
	t.prev, t.next = nil, nil
	tl.n--
}

// CurrentTask returns the task whose step is running on h's loop, or nil in
// a plain callback or outside the loop. Loop goroutine only.
func CurrentTask(h Host) AnyTask {
	l := h.Loop()
	if l.current == nil {
		return nil
	}
	return l.current.job
}

// AllTasks returns the loop's pending (not done) tasks, oldest first.
// Loop goroutine only.
func AllTasks(h Host) []AnyTask {
	l := h.Loop()
	out := make([]AnyTask, 0, l.tasks.n)
	for t := l.tasks.head; t != nil; t = t.next {
		out = append(out, t.job)
	}
	return out
}

func newPanicError(r any) *PanicError {
	return &PanicError{Value: r, Stack: debug.Stack()}
}
