package reactor

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// socketpair returns a connected non-blocking close-on-exec AF_UNIX stream
// pair, closed at the end of the test unless the test closes them itself
// (closeFd marks them).
func socketpair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

func closeFd(t testing.TB, fd int) {
	t.Helper()
	if err := unix.Close(fd); err != nil {
		t.Fatalf("close %d: %v", fd, err)
	}
}

// registeredPair returns a connected socket pair, a registered with r
// under d; both ends are closed when the test ends.
func registeredPair(t testing.TB, r *Reactor) (a, b int, d *Desc) {
	t.Helper()
	a, b = socketpair(t)
	t.Cleanup(func() { closeFd(t, b) })
	t.Cleanup(func() { closeFd(t, a) })
	return a, b, register(t, r, a)
}

func register(t testing.TB, r *Reactor, fd int) *Desc {
	t.Helper()
	d := &Desc{}
	if err := r.Register(d, fd); err != nil {
		t.Fatal(err)
	}
	return d
}

// wait runs Wait(timeout) and returns what it listed.
func wait(t testing.TB, r *Reactor, timeout time.Duration) []*Desc {
	t.Helper()
	n, err := r.Wait(timeout)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(r.Ready()) {
		t.Fatalf("Wait = %d, Ready has %d", n, len(r.Ready()))
	}
	return r.Ready()
}

// waitFor waits (up to 5s, in steps) until d has all of want. Like an
// owner following the protocol, it first looks at the sticky bits: an
// earlier Wait may have reported the edge already (and will not again).
func waitFor(t testing.TB, r *Reactor, d *Desc, want Event) {
	t.Helper()
	if d.Readiness()&want == want {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, x := range wait(t, r, 100*time.Millisecond) {
			if x == d && d.Readiness()&want == want {
				return
			}
		}
	}
	t.Fatalf("fd %d never became %v (readiness %v)", d.Fd, want, d.Readiness())
}

func listed(ready []*Desc, d *Desc) bool {
	for _, x := range ready {
		if x == d {
			return true
		}
	}
	return false
}

func write(t testing.TB, fd int, s string) {
	t.Helper()
	if n, err := Write(fd, []byte(s)); err != nil || n != len(s) {
		t.Fatalf("write = %d, %v", n, err)
	}
}

// TestSocketpairReadiness: a fresh socket is reported writable, and
// readable after the peer writes; each edge is reported once.
func TestSocketpairReadiness(t *testing.T) {
	r := newReactor(t)
	a, b, d := registeredPair(t, r)
	if d.Fd != a || !d.Registered() || d.Readiness() != 0 {
		t.Fatalf("after Register: fd %d registered %v readiness %v", d.Fd, d.Registered(), d.Readiness())
	}

	ready := wait(t, r, time.Second)
	if len(ready) != 1 || ready[0] != d {
		t.Fatalf("first Wait listed %d descs, want the registered one", len(ready))
	}
	if d.Events() != Writable || d.Readiness() != Writable {
		t.Fatalf("at start: events %v readiness %v, want Writable", d.Events(), d.Readiness())
	}

	// Edge-triggered: no new edge, no report.
	if ready := wait(t, r, 0); len(ready) != 0 {
		t.Fatalf("Wait without a new edge listed %d descs", len(ready))
	}
	if d.Events() != 0 {
		t.Fatalf("Events of an unlisted desc = %v", d.Events())
	}
	if d.Readiness() != Writable {
		t.Fatalf("readiness is sticky: got %v, want Writable", d.Readiness())
	}

	write(t, b, "hello")
	waitFor(t, r, d, Readable)
	if d.Events()&Readable == 0 {
		t.Fatalf("events %v lack Readable", d.Events())
	}

	// Still unread data, but no new data: no second report.
	if ready := wait(t, r, 10*time.Millisecond); listed(ready, d) {
		t.Fatalf("reported again without new data: %v", d.Events())
	}

	// The owner's side of the protocol: read until EAGAIN, then clear.
	buf := make([]byte, 64)
	if n, err := Read(a, buf); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}
	if _, err := Read(a, buf); err != ErrWouldBlock {
		t.Fatalf("second read = %v, want EAGAIN", err)
	}
	d.Clear(Readable)
	if d.Readiness() != Writable {
		t.Fatalf("after Clear: %v", d.Readiness())
	}

	// New data is a new edge.
	write(t, b, "again")
	waitFor(t, r, d, Readable)
}

// TestWritableEdge: a writer that fills the socket buffer, gets EAGAIN and
// clears Writable is woken when the peer drains.
func TestWritableEdge(t *testing.T) {
	r := newReactor(t)
	a, b, d := registeredPair(t, r)
	waitFor(t, r, d, Writable)
	chunk := make([]byte, 64<<10)
	total := 0
	for {
		n, err := Write(a, chunk)
		total += n
		if err == ErrWouldBlock {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	d.Clear(Writable)
	if ready := wait(t, r, 10*time.Millisecond); listed(ready, d) && d.Readiness()&Writable != 0 {
		t.Fatalf("writable while the buffer is full: %v", d.Events())
	}
	buf := make([]byte, 64<<10)
	for drained := 0; drained < total; {
		n, err := Read(b, buf)
		if err != nil {
			t.Fatal(err)
		}
		drained += n
	}
	waitFor(t, r, d, Writable)
}

// TestPeerClose: closing the peer reports ReadHup (and Hup, since a
// socketpair peer close shuts both directions), with Readable, so a parked
// reader runs and sees EOF.
func TestPeerClose(t *testing.T) {
	r := newReactor(t)
	a, b := socketpair(t)
	defer closeFd(t, a)
	d := register(t, r, a)
	wait(t, r, 0)
	closeFd(t, b)
	waitFor(t, r, d, Readable|ReadHup)
	if d.Readiness()&Hup == 0 {
		t.Logf("note: no EPOLLHUP, readiness %v", d.Readiness())
	}
	if _, err := Read(a, make([]byte, 8)); err != io.EOF {
		t.Fatalf("read after peer close = %v, want EOF", err)
	}
}

// TestHalfClose: shutdown(SHUT_WR) by the peer gives ReadHup, not Hup; the
// socket stays writable.
func TestHalfClose(t *testing.T) {
	r := newReactor(t)
	a, b, d := registeredPair(t, r)
	wait(t, r, 0)
	write(t, b, "last")
	if err := unix.Shutdown(b, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, d, Readable|ReadHup)
	if d.Readiness()&Hup != 0 {
		t.Fatalf("half close reported Hup: %v", d.Readiness())
	}
	buf := make([]byte, 8)
	if n, err := Read(a, buf); err != nil || string(buf[:n]) != "last" {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}
	if _, err := Read(a, buf); err != io.EOF {
		t.Fatalf("read at EOF = %v", err)
	}
	write(t, a, "reply") // our side still writes
}

// TestWakeCoalesces: many Wakes from many goroutines while none is drained
// write the eventfd once, and one Wait drains it with one read.
func TestWakeCoalesces(t *testing.T) {
	r := newReactor(t)
	w0, r0 := r.wakeWriteCount(), r.wakeReadCount()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if err := r.Wake(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if _, err := r.Wait(-1); err != nil {
		t.Fatal(err)
	}
	if w, rd := r.wakeWriteCount()-w0, r.wakeReadCount()-r0; w != 1 || rd != 1 {
		t.Fatalf("8000 Wakes: %d eventfd writes, %d reads; want 1 and 1", w, rd)
	}
	// Drained: a Wait now times out, and the next Wake writes again.
	if wait(t, r, 0); r.wakeReadCount()-r0 != 1 {
		t.Fatal("eventfd reported again after draining")
	}
	r.Wake()
	wait(t, r, -1)
	if w := r.wakeWriteCount() - w0; w != 2 {
		t.Fatalf("Wake after drain: %d writes total, want 2", w)
	}
}

// TestWakeStress: a loop that waits forever always comes back when another
// goroutine publishes work and wakes it: no lost wake-up.
func TestWakeStress(t *testing.T) {
	r := newReactor(t)
	const N = 20000
	var posted, seen atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range N {
			posted.Add(1)
			if err := r.Wake(); err != nil {
				t.Error(err)
				return
			}
			if posted.Load()%64 == 0 {
				runtime.Gosched()
			}
		}
	}()
	for seen.Load() < N {
		// The loop's side: check the published state, wait only if
		// nothing is new. A lost wake-up hangs here (test timeout).
		if p := posted.Load(); p > seen.Load() {
			seen.Store(p)
			continue
		}
		if _, err := r.Wait(-1); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}

// TestTimeoutRoundsUp: a sub-millisecond timeout blocks for at least a
// millisecond (it must not become a zero-timeout busy poll). Only lower
// bounds: a loaded machine may sleep longer.
func TestTimeoutRoundsUp(t *testing.T) {
	r := newReactor(t)
	for _, timeout := range []time.Duration{time.Nanosecond, 100 * time.Microsecond, 999 * time.Microsecond, 1500 * time.Microsecond} {
		min := time.Duration(timeoutMillis(timeout)) * time.Millisecond
		for attempt := 0; ; attempt++ {
			eintr := r.eintrCount()
			start := time.Now()
			n, err := r.Wait(timeout)
			el := time.Since(start)
			if err != nil || n != 0 {
				t.Fatalf("Wait(%v) = %d, %v", timeout, n, err)
			}
			if r.eintrCount() != eintr && attempt < 10 {
				continue // a signal (SIGURG preemption) cut the wait short; legitimate
			}
			if el < min {
				t.Errorf("Wait(%v) returned after %v, want ≥ %v", timeout, el, min)
			}
			break
		}
	}
	// Zero polls: it must return without blocking even with nothing ready
	// (no upper bound asserted; it just must not hang).
	wait(t, r, 0)
}

// TestEINTR: a signal delivered to the thread blocked in epoll_wait makes
// Wait return 0, nil (epoll_wait is never restarted, see signal(7)).
func TestEINTR(t *testing.T) {
	r := newReactor(t)
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, unix.SIGUSR1)
	defer signal.Stop(sigs)

	tid := make(chan int, 1)
	type result struct {
		n     int
		err   error
		eintr uint64
	}
	res := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // the signal must hit the waiting thread
		defer runtime.UnlockOSThread()
		tid <- unix.Gettid()
		e0 := r.eintrCount()
		n, err := r.Wait(-1) // only a signal (or the fallback Wake below) ends it
		res <- result{n, err, r.eintrCount() - e0}
	}()
	id := <-tid
	pid := unix.Getpid()
	var got result
	deadline := time.After(10 * time.Second)
loop:
	for {
		// The signal may arrive before the goroutine enters epoll_wait;
		// repeat until Wait returns.
		if err := unix.Tgkill(pid, id, unix.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		select {
		case got = <-res:
			break loop
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			r.Wake()
			got = <-res
			t.Fatal("Wait was not interrupted by the signal")
		}
	}
	if got.err != nil || got.n != 0 {
		t.Fatalf("interrupted Wait = %d, %v; want 0, nil", got.n, got.err)
	}
	if got.eintr != 1 {
		t.Fatalf("Wait returned without EINTR (eintr count %d)", got.eintr)
	}
}

// TestDeregister: after Deregister no event reaches the Desc, and the fd
// can be registered again.
func TestDeregister(t *testing.T) {
	r := newReactor(t)
	a, b, d := registeredPair(t, r)
	wait(t, r, 0)
	if err := r.Deregister(d); err != nil {
		t.Fatal(err)
	}
	if err := r.Deregister(d); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("second Deregister = %v", err)
	}
	if d.Registered() || d.Readiness() != 0 {
		t.Fatalf("after Deregister: registered %v readiness %v", d.Registered(), d.Readiness())
	}
	write(t, b, "x")
	if ready := wait(t, r, 10*time.Millisecond); len(ready) != 0 {
		t.Fatalf("deregistered fd reported: %d descs", len(ready))
	}
	if err := r.Register(d, a); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, d, Readable|Writable) // the first Wait reports the current state
}

// TestRegisterErrors: Register of a bad fd fails and leaves d
// unregistered; Register twice fails.
func TestRegisterErrors(t *testing.T) {
	r := newReactor(t)
	var d Desc
	if err := r.Register(&d, 1<<20); err == nil || d.Registered() {
		t.Fatalf("Register(bad fd) = %v, registered %v", err, d.Registered())
	}
	if r.tab.live != 0 {
		t.Fatalf("failed Register kept a slot")
	}
	a, b := socketpair(t)
	defer closeFd(t, a)
	defer closeFd(t, b)
	if err := r.Register(&d, a); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(&d, b); !errors.Is(err, ErrRegistered) {
		t.Fatalf("Register twice = %v", err)
	}
	r.Deregister(&d)
}

// TestStaleGenerationKernel: the Trio scenario, with real kernel events. The
// old fd is dup'ed, so its file description (and its epoll registration,
// which epoll keys by description) outlives close(2) of the registered
// number; the owner then deregisters too late (EBADF) and a new socket gets
// the same fd number and the same slot. Events for the old description
// still carry the old (slot, generation) and must be dropped, never
// reported on the new Desc.
func TestStaleGenerationKernel(t *testing.T) {
	r := newReactor(t)
	a, b := socketpair(t)
	defer closeFd(t, b)
	old := register(t, r, a)
	wait(t, r, 0)
	oldSlot, oldGen := slotOf(old)

	dup, err := unix.Dup(a)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(t, dup)
	closeFd(t, a) // misuse: closed before Deregister
	if err := r.Deregister(old); err == nil {
		t.Fatal("Deregister of a closed fd succeeded")
	}

	c, e := socketpair(t) // reuses fd number a (lowest free)
	defer closeFd(t, c)
	defer closeFd(t, e)
	if c != a {
		t.Skipf("fd %d not reused (got %d); the injection test covers this", a, c)
	}
	cur := register(t, r, c)
	if s, g := slotOf(cur); s != oldSlot || g == oldGen {
		t.Fatalf("new registration: slot %d gen %d; old slot %d gen %d", s, g, oldSlot, oldGen)
	}
	wait(t, r, 0) // the new socket's initial Writable
	cur.Clear(Writable)

	stale0 := r.staleCount()
	write(t, b, "for the old description")
	deadline := time.Now().Add(5 * time.Second)
	for r.staleCount() == stale0 {
		if time.Now().After(deadline) {
			t.Fatal("the old description's event never arrived")
		}
		if ready := wait(t, r, 100*time.Millisecond); listed(ready, cur) {
			t.Fatalf("the old description's event reached the new desc: %v", cur.Events())
		}
	}
	if cur.Readiness() != 0 {
		t.Fatalf("new desc got readiness %v", cur.Readiness())
	}
	// The new registration still works.
	write(t, e, "for the new one")
	waitFor(t, r, cur, Readable)
}

// TestStaleGenerationInjected: the same guarantee through injected events,
// including a reused Desc.
func TestStaleGenerationInjected(t *testing.T) {
	r := newReactor(t)
	a, b := socketpair(t)
	defer closeFd(t, b)
	d := register(t, r, a)
	wait(t, r, 0)
	s1, g1 := slotOf(d)
	if err := r.Deregister(d); err != nil {
		t.Fatal(err)
	}
	closeFd(t, a)
	c, e := socketpair(t)
	defer closeFd(t, c)
	defer closeFd(t, e)
	nd := register(t, r, c)
	s2, g2 := slotOf(nd)
	if s1 != s2 || g1 == g2 {
		t.Fatalf("slot %d/%d gen %d/%d: want the same slot, a new generation", s1, s2, g1, g2)
	}
	if n := r.injectWait(injected{s1, g1, Readable | Hup}); n != 0 || nd.Readiness() != 0 {
		t.Fatalf("stale event delivered: n=%d readiness %v", n, nd.Readiness())
	}
	if n := r.injectWait(injected{s2, g2, Readable}); n != 1 || nd.Readiness() != Readable {
		t.Fatalf("current event: n=%d readiness %v", n, nd.Readiness())
	}
	// Reuse of the same Desc value: the old generation still misses.
	r.Deregister(nd)
	if err := r.Register(nd, c); err != nil {
		t.Fatal(err)
	}
	if n := r.injectWait(injected{s2, g2, Readable}); n != 0 {
		t.Fatal("event for the Desc's previous registration delivered")
	}
	r.Deregister(nd)
}

// TestCloseWithRegistered: Close leaves the caller's fds open and marks
// their Descs unregistered.
func TestCloseWithRegistered(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	_, b, d := registeredPair(t, r)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if d.Registered() {
		t.Fatal("desc still registered after Close")
	}
	if err := r.Deregister(d); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("Deregister after Close = %v", err)
	}
	write(t, b, "fd still open")
}

// TestManyDescs: more ready fds than one Wait's event batch are all
// reported, over several Waits, each once.
func TestManyDescs(t *testing.T) {
	r := newReactor(t)
	const N = eventBatch + 50
	descs := map[*Desc]bool{}
	for range N {
		a, b := socketpair(t)
		t.Cleanup(func() { unix.Close(a); unix.Close(b) })
		descs[register(t, r, a)] = false
	}
	for seen := 0; seen < N; {
		ready := wait(t, r, time.Second)
		if len(ready) == 0 {
			t.Fatalf("only %d of %d reported", seen, N)
		}
		if len(ready) > eventBatch {
			t.Fatalf("%d in one Wait", len(ready))
		}
		for _, d := range ready {
			if descs[d] {
				t.Fatal("reported twice")
			}
			descs[d] = true
			seen++
		}
	}
	for d := range descs {
		r.Deregister(d)
	}
}
