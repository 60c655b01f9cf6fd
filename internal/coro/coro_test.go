package coro

import (
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/asyncgo/aio/internal/goid"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// jobFunc adapts a function to Job.
type jobFunc func(c *Coro)

func (f jobFunc) Run(c *Coro) { f(c) }

// recorder is a job script's trace.
type recorder struct{ log []string }

func (r *recorder) add(s string) { r.log = append(r.log, s) }

func (r *recorder) expect(t *testing.T, want ...string) {
	t.Helper()
	if !slices.Equal(r.log, want) {
		t.Fatalf("trace = %q, want %q", r.log, want)
	}
}

func TestStartRunsTheJobUntilItsFirstSuspend(t *testing.T) {
	c := New()
	defer c.Stop()
	var r recorder
	c.Start(jobFunc(func(c *Coro) {
		r.add("a")
		c.Suspend()
		r.add("b")
	}))
	r.expect(t, "a")
}

func TestResumeContinuesTheJobUntilItSuspendsAgain(t *testing.T) {
	c := New()
	defer c.Stop()
	var r recorder
	c.Start(jobFunc(func(c *Coro) {
		r.add("1")
		if !c.Suspend() {
			r.add("stopped")
			return
		}
		r.add("2")
		if !c.Suspend() {
			r.add("stopped")
			return
		}
		r.add("3")
	}))
	r.expect(t, "1")
	c.Resume()
	r.expect(t, "1", "2")
	c.Resume()
	r.expect(t, "1", "2", "3")
}

func TestJobRunsOnAnotherGoroutineAndNotConcurrently(t *testing.T) {
	c := New()
	defer c.Stop()
	outer := goid.Get()
	var inner uint64
	x := 0 // shared without locks: the race detector checks the hand-offs
	c.Start(jobFunc(func(c *Coro) {
		inner = goid.Get()
		for i := 0; i < 100; i++ {
			x++
			c.Suspend()
		}
	}))
	for i := 1; i < 100; i++ {
		if x != i {
			t.Fatalf("x = %d after %d switches", x, i)
		}
		x += 1000
		x -= 1000
		c.Resume()
	}
	if inner == 0 || inner == outer {
		t.Fatalf("job ran on goroutine %d, caller is %d: want a separate goroutine", inner, outer)
	}
}

func TestAReturnedJobLeavesTheCoroReusableOnTheSameGoroutine(t *testing.T) {
	c := New()
	defer c.Stop()
	var ids []uint64
	var r recorder
	job := func(name string) Job {
		return jobFunc(func(c *Coro) {
			ids = append(ids, goid.Get())
			r.add(name + ":start")
			if c.Suspend() {
				r.add(name + ":resumed")
			}
		})
	}
	c.Start(job("j1"))
	before := runtime.NumGoroutine()
	c.Resume() // j1 returns; the coro is idle
	r.expect(t, "j1:start", "j1:resumed")
	c.Start(job("j2"))
	r.expect(t, "j1:start", "j1:resumed", "j2:start")
	c.Resume()
	c.Start(job("j3")) // a job may also be started right after one returned
	c.Resume()
	r.expect(t, "j1:start", "j1:resumed", "j2:start", "j2:resumed", "j3:start", "j3:resumed")
	if after := runtime.NumGoroutine(); after > before { // (other tests' goroutines may still be exiting)
		t.Fatalf("NumGoroutine went from %d to %d while reusing the coro", before, after)
	}
	for i, id := range ids {
		if id != ids[0] {
			t.Fatalf("job %d ran on goroutine %d, job 0 on %d: the coro did not reuse its goroutine", i, id, ids[0])
		}
	}
	if c.Stopping() {
		t.Fatal("coro reports Stopping without Stop")
	}
}

func TestJobThatNeverSuspendsRunsToCompletionInStart(t *testing.T) {
	c := New()
	defer c.Stop()
	n := 0
	for i := 0; i < 5; i++ {
		c.Start(jobFunc(func(*Coro) { n++ }))
		if n != i+1 {
			t.Fatalf("after Start #%d, the job ran %d times", i+1, n)
		}
	}
}

func TestStopOnASuspendedJobMakesSuspendReturnFalseAndRunsDefers(t *testing.T) {
	c := New()
	var r recorder
	var g uint64
	c.Start(jobFunc(func(c *Coro) {
		g = goid.Get()
		defer r.add("deferred")
		r.add("before")
		ok := c.Suspend()
		if ok {
			r.add("resumed")
		} else {
			r.add("suspend=false")
		}
		// Suspend after Stop returns false at once, without blocking.
		if c.Suspend() {
			r.add("second suspend=true")
		} else {
			r.add("second suspend=false")
		}
		if !c.Stopping() {
			r.add("not stopping")
		}
	}))
	r.expect(t, "before")
	c.Stop()
	if !c.Stopping() {
		t.Fatal("Stopping = false after Stop")
	}
	r.expect(t, "before", "suspend=false", "second suspend=false", "deferred")
	if goroutineExists(g) {
		t.Fatalf("goroutine %d of the stopped coro is still alive after Stop returned", g)
	}
}

func TestStopOnAnIdleCoroEndsItsGoroutine(t *testing.T) {
	c := New()
	var g uint64
	c.Start(jobFunc(func(*Coro) { g = goid.Get() }))
	if !goroutineExists(g) {
		t.Fatalf("idle coro's goroutine %d not found: test cannot observe its end", g)
	}
	c.Stop()
	if goroutineExists(g) {
		t.Fatalf("goroutine %d of the idle coro survived Stop", g)
	}
}

func TestStopOnANeverStartedCoroDoesNotLeak(t *testing.T) {
	// goleak in TestMain fails the package if New's goroutine survives.
	c := New()
	c.Stop()
	if !c.Stopping() {
		t.Fatal("Stopping = false after Stop")
	}
}

func TestStopIsIdempotent(t *testing.T) {
	c := New()
	runs := 0
	c.Start(jobFunc(func(c *Coro) {
		defer func() { runs++ }()
		c.Suspend()
	}))
	c.Stop()
	c.Stop()
	c.Stop()
	if runs != 1 {
		t.Fatalf("job's defer ran %d times, want 1", runs)
	}
}

func TestInCoroutineIsTrueOnlyInsideAJob(t *testing.T) {
	if InCoroutine() {
		t.Fatal("InCoroutine = true on the test goroutine")
	}
	c := New()
	defer c.Stop()
	var inJob, afterResume, inGoroutineOfJob bool
	c.Start(jobFunc(func(c *Coro) {
		inJob = InCoroutine()
		c.Suspend()
		afterResume = InCoroutine()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); inGoroutineOfJob = InCoroutine() }()
		wg.Wait()
	}))
	if InCoroutine() {
		t.Fatal("InCoroutine = true on the resumer while the job is suspended")
	}
	c.Resume()
	if !inJob || !afterResume {
		t.Fatalf("InCoroutine inside the job = %v (start), %v (after resume), want true", inJob, afterResume)
	}
	if inGoroutineOfJob {
		t.Fatal("InCoroutine = true on a plain goroutine started by a job")
	}
	if InCoroutine() {
		t.Fatal("InCoroutine = true on the test goroutine after the job returned")
	}
}

func TestInCoroutineIsTrueInADeepCallStack(t *testing.T) {
	c := New()
	defer c.Stop()
	var got bool
	var rec func(n int) bool
	rec = func(n int) bool {
		if n == 0 {
			return InCoroutine()
		}
		return rec(n - 1)
	}
	c.Start(jobFunc(func(*Coro) { got = rec(5000) }))
	if !got {
		t.Fatal("InCoroutine = false 5000 frames deep inside a job")
	}
}

func TestAPanicInAJobIsRaisedInTheResumer(t *testing.T) {
	c := New()
	defer c.Stop()
	c.Start(jobFunc(func(c *Coro) {
		c.Suspend()
		panic("boom")
	}))
	var got any
	func() {
		defer func() { got = recover() }()
		c.Resume()
	}()
	if got != "boom" {
		t.Fatalf("recovered %v from Resume, want the job's panic \"boom\"", got)
	}
}

func TestGoexitInAJobEndsTheResumingGoroutine(t *testing.T) {
	c := New()
	defer c.Stop()
	done := make(chan bool)
	go func() {
		returned := false
		defer func() { done <- returned }()
		c.Start(jobFunc(func(*Coro) { runtime.Goexit() }))
		returned = true
	}()
	if <-done {
		t.Fatal("Start returned normally after the job called runtime.Goexit")
	}
}

// goroutineExists reports whether a goroutine with id g is alive.
func goroutineExists(g uint64) bool {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	prefix := []byte("goroutine ")
	for _, line := range splitLines(buf) {
		if len(line) <= len(prefix) || string(line[:len(prefix)]) != string(prefix) {
			continue
		}
		var id uint64
		i := len(prefix)
		for ; i < len(line) && line[i] >= '0' && line[i] <= '9'; i++ {
			id = id*10 + uint64(line[i]-'0')
		}
		if i > len(prefix) && id == g {
			return true
		}
	}
	return false
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}
