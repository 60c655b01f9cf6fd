package aio

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Debug mode's tools (see the Debugging section of docs/ARCHITECTURE.md):
//
//   - the spawn stack of every task (runtime.Callers at Spawn), shown in
//     every report about the task: unretrieved errors, tasks pending at
//     Close, blocking steps, the task tree;
//   - a watchdog goroutine per running loop that catches a step holding
//     the loop longer than the slow-callback threshold while it is still
//     running, and reports the stack of the code that blocks;
//   - goroutine ids of the coroutines, so the task tree shows each
//     suspended task's stack;
//   - pprof labels on the coroutines (also with WithProfilingLabels) and
//     runtime/trace tasks and regions (whenever tracing is on).
//
// With debug mode off, nothing here runs on the hot path: a task carries a
// nil *taskDebug, and the loop's watchdog pointer is nil.

// taskDebug is what the loop records about a task in debug mode, with
// profiling labels, or while an execution trace is being recorded.
// Immutable after Spawn except the trace fields, which the loop goroutine
// owns.
type taskDebug struct {
	pcs      []uintptr       // the spawn stack
	born     time.Time       // wall-clock creation time
	traceCtx context.Context // the runtime/trace task's context, or nil
	trace    *trace.Task     // ended when the task finishes
}

// instrumented reports whether new tasks get a taskDebug.
func (l *Loop) instrumented() bool {
	return l.cfg.debug || l.cfg.labels || trace.IsEnabled()
}

// newTaskDebug records t's creation: called from Spawn/Go (skip counts the
// frames between runtime.Callers and the user's call).
func (l *Loop) newTaskDebug(t *task) *taskDebug {
	d := &taskDebug{born: time.Now()}
	if l.cfg.debug {
		var pcs [32]uintptr
		n := runtime.Callers(4, pcs[:]) // Callers, newTaskDebug, start, Spawn/Go
		d.pcs = append([]uintptr(nil), pcs[:n]...)
	}
	if trace.IsEnabled() {
		d.traceCtx, d.trace = trace.NewTask(context.Background(), "aio.task "+t.Name())
	}
	return d
}

// created returns where t was spawned, or "" outside debug mode.
func (t *task) created() string {
	if t.dbg == nil {
		return ""
	}
	return formatPCs(t.dbg.pcs)
}

// formatPCs formats a spawn stack, one frame a line ("function
// file:line"), leaving out aio's own frames and the coroutine machinery:
// the first line is the call of Spawn or Go.
func formatPCs(pcs []uintptr) string {
	if len(pcs) == 0 {
		return ""
	}
	const maxFrames = 8
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	n := 0
	for n < maxFrames {
		f, more := frames.Next()
		if f.Function != "" && !machineryFunc(f.Function) {
			if n > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "%s %s:%d", f.Function, f.File, f.Line)
			n++
		}
		if !more {
			break
		}
	}
	return b.String()
}

// machineryFunc reports whether a frame belongs to aio itself, the
// coroutine switch or the runtime rather than to the program.
func machineryFunc(fn string) bool {
	return strings.HasPrefix(fn, aioPkg+".") || strings.HasPrefix(fn, aioPkg+"/internal/") ||
		strings.HasPrefix(fn, "iter.") || strings.HasPrefix(fn, "runtime.")
}

const aioPkg = "github.com/asyncgo/aio"

// taskStarted runs on t's coroutine when a task starts on it: in debug
// mode it tells the watchdog which goroutine runs the step, and with
// profiling labels it labels the goroutine with the task's name.
func (l *Loop) taskStarted(t *task, g uint64) {
	if w := l.wd; w != nil {
		w.setGoid(g)
	}
	if l.cfg.debug || l.cfg.labels {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("aio.task", t.Name(), "aio.task.id", strconv.FormatUint(t.id, 10))))
	}
}

// taskEnded runs on t's coroutine when its body returned: the coroutine
// goes back to the pool unlabelled.
func (l *Loop) taskEnded() {
	if l.cfg.debug || l.cfg.labels {
		pprof.SetGoroutineLabels(context.Background())
	}
}

// traceStep starts a runtime/trace region for a step of t; the caller
// ends it. Nil when t is not traced.
func traceStep(t *task) *trace.Region {
	if t.dbg == nil || t.dbg.traceCtx == nil || !trace.IsEnabled() {
		return nil
	}
	return trace.StartRegion(t.dbg.traceCtx, "aio.step")
}

// traceEnd ends t's runtime/trace task.
func traceEnd(t *task) {
	if t.dbg != nil && t.dbg.trace != nil {
		t.dbg.trace.End()
		t.dbg.trace = nil
	}
}

// BlockingReport describes a step (of a task, or a callback) that has held
// the loop longer than the slow-callback threshold and is still running:
// a blocking call (time.Sleep, a mutex, a network call without aio) or a
// long computation inside a task. Debug mode's watchdog builds it while
// the step is still blocking.
type BlockingReport struct {
	// Task is the name of the task whose step blocks ("" for a callback).
	Task string
	// Created is where the task was spawned, one frame a line.
	Created string
	// Elapsed is how long the step had been running when it was caught.
	Elapsed time.Duration
	// Goroutine is the id of the goroutine running the step.
	Goroutine uint64
	// Stack is that goroutine's stack at the time of the report, the
	// blocking call on top, without the loop's own frames underneath.
	Stack string
}

// String formats the report as the default handler logs it.
func (r BlockingReport) String() string {
	var b strings.Builder
	what := "a callback"
	if r.Task != "" {
		what = "task " + r.Task
	}
	fmt.Fprintf(&b, "aio: %s has been blocking the event loop for %.3fs (still running); its stack:\n", what, r.Elapsed.Seconds())
	b.WriteString(indent(r.Stack, "    "))
	if r.Created != "" {
		fmt.Fprintf(&b, "\n  %s was created at:\n%s", r.Task, indent(r.Created, "    "))
	}
	return b.String()
}

func indent(s, prefix string) string {
	if s == "" {
		return prefix + "(unavailable)"
	}
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// watchdog watches the running step from its own goroutine. Fields below
// mu are shared with the loop goroutine.
type watchdog struct {
	threshold time.Duration
	onBlock   func(BlockingReport)
	loopGoid  uint64 // the goroutine running the loop; set under mu

	mu       sync.Mutex
	seq      uint64 // numbers the steps; loop goroutine writes
	active   bool   // a step is running
	start    time.Time
	goid     uint64     // goroutine running the step (0: not known yet)
	name     string     // the task's name ("" for a callback)
	dbg      *taskDebug // the task's debug record
	reported uint64     // the last step reported

	stop chan struct{} // closed to stop the goroutine
	done chan struct{} // closed when it has stopped
}

func newWatchdog(cfg *config) *watchdog {
	w := &watchdog{threshold: cfg.slow, onBlock: cfg.onBlock}
	if w.threshold <= 0 {
		w.threshold = time.Millisecond
	}
	return w
}

// begin records the start of a step of t (nil: a callback). Loop goroutine.
func (w *watchdog) begin(t *task, start time.Time) {
	w.mu.Lock()
	w.seq++
	w.active = true
	w.start = start
	w.goid, w.name, w.dbg = w.loopGoid, "", nil
	if t != nil {
		w.goid, w.name, w.dbg = 0, t.Name(), t.dbg
		if t.coro != nil {
			w.goid = t.coro.Data
		}
	}
	w.mu.Unlock()
}

// setGoid records the goroutine of the running step (a task's first step
// learns it on the coroutine).
func (w *watchdog) setGoid(g uint64) {
	w.mu.Lock()
	w.goid = g
	w.mu.Unlock()
}

// end records that the step is over. Loop goroutine.
func (w *watchdog) end() {
	w.mu.Lock()
	w.active = false
	w.mu.Unlock()
}

// run starts the watchdog's goroutine for one RunForever; stopWatch ends
// it. Loop goroutine.
func (w *watchdog) run(loopGoid uint64) {
	w.mu.Lock()
	w.loopGoid = loopGoid
	w.mu.Unlock()
	w.stop = make(chan struct{})
	w.done = make(chan struct{})
	period := max(w.threshold/4, time.Millisecond)
	go func() {
		defer close(w.done)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				w.check()
			}
		}
	}()
}

func (w *watchdog) halt() {
	if w.stop == nil {
		return
	}
	close(w.stop)
	<-w.done
	w.stop, w.done = nil, nil
}

// check reports the running step once, if it has run past the threshold.
func (w *watchdog) check() {
	w.mu.Lock()
	if !w.active || w.reported == w.seq {
		w.mu.Unlock()
		return
	}
	elapsed := time.Since(w.start)
	if elapsed < w.threshold {
		w.mu.Unlock()
		return
	}
	w.reported = w.seq
	r := BlockingReport{Task: w.name, Elapsed: elapsed, Goroutine: w.goid}
	if w.dbg != nil {
		r.Created = formatPCs(w.dbg.pcs)
	}
	w.mu.Unlock()
	if r.Goroutine != 0 {
		r.Stack = trimStepStack(goroutineStacks()[r.Goroutine])
	}
	if w.onBlock != nil {
		w.onBlock(r)
		return
	}
	slog.Warn(r.String())
}

// goroutineStacks returns every goroutine's stack trace by goroutine id,
// each without its "goroutine N [state]:" header line. It stops the
// world: debug tools only.
func goroutineStacks() map[uint64]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[uint64]string{}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		head, body, _ := bytes.Cut(g, []byte("\n"))
		rest, ok := bytes.CutPrefix(head, []byte("goroutine "))
		if !ok {
			continue
		}
		id, _, _ := bytes.Cut(rest, []byte(" "))
		if n, err := strconv.ParseUint(string(id), 10, 64); err == nil {
			out[n] = string(head) + "\n" + string(body)
		}
	}
	return out
}

// stackFrames splits a goroutine's stack (as runtime.Stack prints it,
// header first) into its header and frames of two lines each (function,
// then "\tfile:line +0x..").
func stackFrames(s string) (head string, frames []string) {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) == 0 {
		return "", nil
	}
	head = lines[0]
	for i := 1; i < len(lines); i++ {
		f := lines[i]
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			f += "\n" + lines[i+1]
			i++
		}
		frames = append(frames, f)
	}
	return head, frames
}

func frameFunc(f string) string {
	fn, _, _ := strings.Cut(f, "\n")
	if i := strings.LastIndexByte(fn, '('); i > 0 {
		fn = fn[:i]
	}
	return fn
}

// trimStepStack keeps a running step's frames from the top down to the
// program's own code: the frames from aio's task or callback machinery
// down to the goroutine's root are cut.
func trimStepStack(s string) string {
	if s == "" {
		return ""
	}
	head, frames := stackFrames(s)
	keep := frames
	for i, f := range frames {
		fn := frameFunc(f)
		if taskRoot(fn) || strings.HasPrefix(fn, aioPkg+".(*Loop).runCallback") {
			keep = frames[:i]
			break
		}
	}
	return head + "\n" + strings.Join(keep, "\n")
}

// trimParkedStack keeps a suspended task's frames from the program's call
// into aio (aio.Sleep, (*Task).Await, Queue.Get...) down to its body: the
// switch machinery on top and the coroutine's root underneath are cut.
func trimParkedStack(s string) string {
	if s == "" {
		return ""
	}
	_, frames := stackFrames(s)
	first := 0
	for i, f := range frames {
		fn := frameFunc(f)
		if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "iter.") || strings.HasPrefix(fn, aioPkg+"/internal/") ||
			strings.HasPrefix(fn, aioPkg+".(*task)") || strings.HasPrefix(fn, aioPkg+".(*futureCore)") || strings.HasPrefix(fn, aioPkg+".(*Loop)") ||
			unexportedAio(fn) {
			first = i + 1
			continue
		}
		break
	}
	keep := frames[first:]
	for i, f := range keep {
		if taskRoot(frameFunc(f)) {
			keep = keep[:i]
			break
		}
	}
	return strings.Join(keep, "\n")
}

// taskRoot reports whether fn is the frame that calls a task's body.
func taskRoot(fn string) bool {
	return strings.HasPrefix(fn, aioPkg+".(*Task[") && (strings.HasSuffix(fn, ").call") || strings.HasSuffix(fn, ").run"))
}

// WithProfilingLabels(true) labels the goroutine of each task's coroutine
// with pprof labels "aio.task" (the task's name when its first step ran)
// and "aio.task.id", so that CPU and goroutine profiles split by task.
// Debug mode does it too. Off by default (it costs an allocation per
// task).
func WithProfilingLabels(on bool) Option { return optionFunc(func(c *config) { c.labels = on }) }

// WithBlockingReport makes debug mode's watchdog call fn instead of
// logging (log/slog, warning level) when a step has been blocking the loop
// longer than the slow-callback threshold (WithSlowCallback). fn is called
// on the watchdog's goroutine while the step is still running, once per
// step: it must not call the loop's loop-bound methods.
func WithBlockingReport(fn func(BlockingReport)) Option {
	return optionFunc(func(c *config) { c.onBlock = fn })
}

// reportPendingAtClose reports, in debug mode, each task still pending
// when Close starts (asyncio's "Task was destroyed but it is pending!"),
// with where it was created. Run cancels and awaits its tasks before
// closing, so only a Loop closed by hand with tasks left meets it.
func (l *Loop) reportPendingAtClose() {
	if !l.cfg.debug {
		return
	}
	for t := l.tasks.head; t != nil; t = t.next {
		l.report(ExceptionContext{
			Message:     "task was still pending when the loop closed",
			Err:         ErrLoopClosed,
			Task:        t.job,
			TaskName:    t.Name(),
			TaskCreated: t.created(),
		})
	}
}

// unexportedAio reports whether fn is an unexported function or method of
// package aio (its internals, as opposed to the call the program made).
func unexportedAio(fn string) bool {
	rest, ok := strings.CutPrefix(fn, aioPkg+".")
	if !ok {
		return false
	}
	rest = strings.ReplaceAll(rest, "[...]", "")
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	return rest != "" && rest[0] >= 'a' && rest[0] <= 'z'
}
