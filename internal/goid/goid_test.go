package goid

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGetIsNonZeroAndStableWithinAGoroutine(t *testing.T) {
	id := Get()
	if id == 0 {
		t.Fatal("Get returned 0")
	}
	for i := 0; i < 10; i++ {
		runtime.Gosched()
		if got := Get(); got != id {
			t.Fatalf("Get changed from %d to %d in the same goroutine", id, got)
		}
	}
}

func TestGetIsTheSameDeepInTheStack(t *testing.T) {
	id := Get()
	var rec func(n int) uint64
	rec = func(n int) uint64 {
		if n == 0 {
			return Get()
		}
		return rec(n - 1)
	}
	if got := rec(500); got != id {
		t.Fatalf("Get deep in the stack = %d, want %d", got, id)
	}
}

func TestGetDiffersBetweenGoroutines(t *testing.T) {
	const n = 64
	ids := make([]uint64, n)
	var ready, release sync.WaitGroup
	ready.Add(n)
	release.Add(1)
	var done sync.WaitGroup
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			ids[i] = Get()
			ready.Done()
			release.Wait() // all n goroutines are alive at the same time
			if again := Get(); again != ids[i] {
				t.Errorf("goroutine %d: Get changed from %d to %d", i, ids[i], again)
			}
		}()
	}
	ready.Wait()
	release.Done()
	done.Wait()
	self := Get()
	seen := map[uint64]int{self: -1}
	for i, id := range ids {
		if id == 0 {
			t.Fatalf("goroutine %d: Get returned 0", i)
		}
		if j, dup := seen[id]; dup {
			t.Fatalf("goroutines %d and %d share id %d", i, j, id)
		}
		seen[id] = i
	}
}

//go:noinline
func parkedForGoidTest(release <-chan struct{}) { <-release }

// The id Get returns must be the one under which the runtime lists the
// goroutine in a full stack dump taken from another goroutine.
func TestGetMatchesTheRuntimeStackDump(t *testing.T) {
	idc := make(chan uint64)
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		idc <- Get()
		parkedForGoidTest(release)
	}()
	id := <-idc
	var dump string
	for tries := 0; ; tries++ { // wait until it is parked (no sleeps: yield)
		buf := make([]byte, 1<<20)
		dump = string(buf[:runtime.Stack(buf, true)])
		if strings.Contains(dump, "goid.parkedForGoidTest(") || tries > 10000 {
			break
		}
		runtime.Gosched()
	}
	close(release)
	<-done
	found := false
	for _, g := range strings.Split(dump, "\n\n") {
		if !strings.Contains(g, "goid.parkedForGoidTest(") {
			continue
		}
		found = true
		var n uint64
		if _, err := fmt.Sscanf(g, "goroutine %d ", &n); err != nil {
			t.Fatalf("cannot parse header of %q: %v", g, err)
		}
		if n != id {
			t.Fatalf("Get reported %d, the runtime lists the goroutine as %d", id, n)
		}
	}
	if !found {
		t.Fatal("parked goroutine not found in the stack dump")
	}
}
