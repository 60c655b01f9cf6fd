package aio

import (
	"fmt"
	"strings"
	"time"
)

// TaskInfo describes one pending task in a TaskTree.
type TaskInfo struct {
	ID   uint64 // numbers the tasks of the loop from 1, in spawn order
	Name string
	// State is "running" (its step is running now), "ready" (a step is
	// queued), "waiting" (parked; a cancellation ends the wait) or
	// "waiting (shielded)" (only the awaited event ends it).
	State string
	// Age is how long ago the task was spawned (wall clock); debug mode
	// only, zero otherwise.
	Age time.Duration
	// Awaiting says what the task waits on: "task worker-1", "future",
	// "sleep (59s left)", "queue", "gather of 3", "task group (2 pending)",
	// "wait", ... ("" unless waiting).
	Awaiting string
	// Awaits lists the IDs of the tasks it waits for (the awaited task,
	// a Gather's or a TaskGroup's children).
	Awaits []uint64
	// AwaitedBy lists the IDs of the tasks waiting for it.
	AwaitedBy []uint64
	// Created is where the task was spawned, one frame a line; debug
	// mode only.
	Created string
	// Stack is the task's suspended stack, from its await down to its
	// body; debug mode only.
	Stack string
}

// TaskTree is a snapshot of a loop's pending tasks (Loop.Tasks), oldest
// first. String formats it as a tree of who awaits whom, like Python's
// "python -m asyncio pstree".
type TaskTree struct {
	Tasks []TaskInfo
	// Debug reports whether the loop runs in debug mode (creation sites,
	// ages and stacks are recorded only then).
	Debug bool
	// Note says when the snapshot is not current (the loop did not answer
	// in time, or is closed), else "".
	Note string
}

// describer is the hook for waits to describe themselves in the task
// tree: a parker (see park.go) may implement it; the built-in parkers
// are described by describeWait.
type describer interface {
	describe() string
}

// Tasks returns a snapshot of the loop's pending tasks: name, state, what
// each awaits and who awaits it, and in debug mode its age, creation site
// and suspended stack.
//
// Any goroutine may call it while the loop runs: from the loop's own
// tasks and callbacks the snapshot is built at once; from another
// goroutine the loop builds it at its next iteration (a posted callback)
// and Tasks waits up to one second for it. If the loop does not answer in
// time (a step is blocking it), Tasks returns the last snapshot it made,
// if any, with a Note saying so (in debug mode, naming the blocking task).
// While the loop is not running, only the goroutine that owns it may call
// Tasks (calls from a loop's coroutine of another loop are not
// supported); a closed loop returns an empty tree with a Note.
func (l *Loop) Tasks() TaskTree {
	switch l.state.Load() {
	case stateClosed:
		return TaskTree{Debug: l.cfg.debug, Note: "the loop is closed"}
	case stateRunning:
		if !inLoopGoroutine() {
			return l.tasksFromOutside(time.Second)
		}
	}
	tt := l.taskTree()
	l.mx.lastTree.Store(&tt)
	return tt
}

// tasksFromOutside asks the running loop for the tree.
func (l *Loop) tasksFromOutside(timeout time.Duration) TaskTree {
	ch := make(chan TaskTree, 1)
	if err := l.CallSoonThreadsafe(func() {
		tt := l.taskTree()
		l.mx.lastTree.Store(&tt)
		ch <- tt
	}); err != nil {
		return TaskTree{Debug: l.cfg.debug, Note: "the loop is closed"}
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case tt := <-ch:
		return tt
	case <-timer.C:
	}
	var tt TaskTree
	if p := l.mx.lastTree.Load(); p != nil {
		tt = *p
	}
	tt.Debug = l.cfg.debug
	tt.Note = fmt.Sprintf("the loop did not answer within %v: a step is blocking it", timeout)
	if w := l.wd; w != nil {
		w.mu.Lock()
		if w.active {
			what := "a callback"
			if w.name != "" {
				what = "task " + w.name
			}
			tt.Note += fmt.Sprintf(" (%s, running for %.3fs)", what, time.Since(w.start).Seconds())
		}
		w.mu.Unlock()
	}
	if tt.Tasks != nil {
		tt.Note += "; showing the last snapshot"
	} else {
		tt.Note += "; no earlier snapshot"
	}
	return tt
}

// taskTree builds the snapshot. Loop goroutine.
func (l *Loop) taskTree() TaskTree {
	tt := TaskTree{Debug: l.cfg.debug}
	var stacks map[uint64]string
	if l.cfg.debug {
		stacks = goroutineStacks()
	}
	index := map[uint64]int{}
	for t := l.tasks.head; t != nil; t = t.next {
		info := TaskInfo{ID: t.id, Name: t.Name(), State: t.stateName()}
		if t.dbg != nil && l.cfg.debug {
			info.Age = time.Since(t.dbg.born)
			info.Created = t.created()
		}
		if t.pstate == parked || t.pstate == parkedShielded {
			info.Awaiting, info.Awaits = l.describeWait(t)
		}
		if stacks != nil && t.coro != nil && t.coro.Data != 0 && l.current != t {
			info.Stack = trimParkedStack(stacks[t.coro.Data])
		}
		index[t.id] = len(tt.Tasks)
		tt.Tasks = append(tt.Tasks, info)
	}
	for _, info := range tt.Tasks {
		for _, id := range info.Awaits {
			if i, ok := index[id]; ok {
				tt.Tasks[i].AwaitedBy = append(tt.Tasks[i].AwaitedBy, info.ID)
			}
		}
	}
	return tt
}

func (t *task) stateName() string {
	switch {
	case t.loop.current == t:
		return "running"
	case t.pstate == parked:
		return "waiting"
	case t.pstate == parkedShielded:
		return "waiting (shielded)"
	case t.coro == nil:
		return "ready (not started)"
	}
	return "ready"
}

// describeWait says what a parked task waits on, from its parker.
func (l *Loop) describeWait(t *task) (string, []uint64) {
	switch p := t.parker.(type) {
	case *awaitParker:
		fc := t.node.fc
		if fc != nil && fc.owner != nil {
			return "task " + fc.owner.Name(), []uint64{fc.owner.id}
		}
		return "future", nil
	case *sleepParker:
		if t.sleep.Queued() {
			left := time.Duration(t.sleep.When - l.now())
			return "sleep (" + left.Round(time.Millisecond).String() + " left)", nil
		}
		return "sleep", nil
	case *gatherParker:
		var ids []uint64
		for i := range p.m.nodes {
			if fc := p.m.nodes[i].fc; fc != nil && fc.owner != nil && !fc.done {
				ids = append(ids, fc.owner.id)
			}
		}
		return fmt.Sprintf("gather of %d", len(p.m.nodes)), ids
	case *groupParker:
		g := (*TaskGroup)(p)
		var ids []uint64
		for _, c := range g.children {
			if !c.t.done {
				ids = append(ids, c.t.id)
			}
		}
		return fmt.Sprintf("task group (%d pending)", g.pending), ids
	case describer:
		return p.describe(), nil
	case withdraw:
		return "wait (Wait, AsCompleted or Shield)", nil
	}
	return fmt.Sprintf("%T", t.parker), nil
}

// describe names a queue wait (Queue.Get, Put or Join) in the task tree.
func (w *qwait[T]) describe() string { return "queue" }

// String formats the tree: each task not awaited by another is a root,
// under it the tasks it awaits. A task awaited by several appears under
// each, in full under the first.
func (tt TaskTree) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d task(s)", len(tt.Tasks))
	if tt.Note != "" {
		fmt.Fprintf(&b, " — %s", tt.Note)
	}
	b.WriteByte('\n')
	byID := map[uint64]*TaskInfo{}
	for i := range tt.Tasks {
		byID[tt.Tasks[i].ID] = &tt.Tasks[i]
	}
	shown := map[uint64]bool{}
	var walk func(ti *TaskInfo, prefix string, last bool, depth int)
	walk = func(ti *TaskInfo, prefix string, last bool, depth int) {
		branch, cont := "├── ", "│   "
		if last {
			branch, cont = "└── ", "    "
		}
		line := ti.Name + " [" + ti.State
		if ti.Age > 0 {
			line += fmt.Sprintf(", age %.3fs", ti.Age.Seconds())
		}
		line += "]"
		if ti.Awaiting != "" {
			line += " awaiting " + ti.Awaiting
		}
		if shown[ti.ID] {
			b.WriteString(prefix + branch + line + " (see above)\n")
			return
		}
		shown[ti.ID] = true
		b.WriteString(prefix + branch + line + "\n")
		inner := prefix + cont
		if ti.Created != "" {
			b.WriteString(inner + "│ created at:\n" + indent(ti.Created, inner+"│   ") + "\n")
		}
		if ti.Stack != "" {
			b.WriteString(inner + "│ stack:\n" + indent(ti.Stack, inner+"│   ") + "\n")
		}
		var kids []*TaskInfo
		for _, id := range ti.Awaits {
			if k := byID[id]; k != nil {
				kids = append(kids, k)
			}
		}
		for i, k := range kids {
			walk(k, inner, i == len(kids)-1, depth+1)
		}
	}
	var roots []*TaskInfo
	for i := range tt.Tasks {
		if len(tt.Tasks[i].AwaitedBy) == 0 {
			roots = append(roots, &tt.Tasks[i])
		}
	}
	for i, r := range roots {
		walk(r, "", i == len(roots)-1, 0)
	}
	// Tasks in a cycle of awaits have no root: show them too.
	var rest []*TaskInfo
	for i := range tt.Tasks {
		if !shown[tt.Tasks[i].ID] {
			rest = append(rest, &tt.Tasks[i])
		}
	}
	for i, r := range rest {
		if shown[r.ID] {
			continue
		}
		walk(r, "", i == len(rest)-1, 0)
	}
	if !tt.Debug && len(tt.Tasks) > 0 {
		b.WriteString("(creation sites, ages and stacks are recorded in debug mode: aio.WithDebug(true) or AIODEBUG=1)\n")
	}
	return b.String()
}
