package reactor

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newReactor(t testing.TB) *Reactor {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func TestTimeoutMillis(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{
		{-1, -1},
		{-time.Hour, -1},
		{math.MinInt64, -1},
		{0, 0},
		{1, 1},
		{100 * time.Microsecond, 1},
		{time.Millisecond - 1, 1},
		{time.Millisecond, 1},
		{time.Millisecond + 1, 2},
		{1500 * time.Microsecond, 2},
		{time.Second, 1000},
		{maxWaitMillis*time.Millisecond - 1, maxWaitMillis},
		{maxWaitMillis * time.Millisecond, maxWaitMillis},
		{math.MaxInt64, maxWaitMillis},
	} {
		if got := timeoutMillis(c.d); got != c.want {
			t.Errorf("timeoutMillis(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestEventString(t *testing.T) {
	for e, want := range map[Event]string{
		0:                "0",
		Readable:         "Readable",
		Readable | Hup:   "Readable|Hup",
		Writable | Error: "Writable|Error",
		ReadHup | 0x80:   "ReadHup|0x80",
		Readable | Writable | ReadHup | Hup | Error: "Readable|Writable|ReadHup|Hup|Error",
	} {
		if got := e.String(); got != want {
			t.Errorf("%#x: got %q, want %q", uint8(e), got, want)
		}
	}
}

// TestWakeInterruptsWait: a Wake from another goroutine ends a Wait that
// would block forever, on every platform.
func TestWakeInterruptsWait(t *testing.T) {
	r := newReactor(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(20 * time.Millisecond)
		if err := r.Wake(); err != nil {
			t.Error(err)
		}
	}()
	n, err := r.Wait(-1)
	wg.Wait()
	if err != nil || n != 0 {
		t.Fatalf("Wait = %d, %v; want 0, nil", n, err)
	}
}

// TestWakeBeforeWait: a Wake with no Wait in progress makes the next Wait
// return at once, once.
func TestWakeBeforeWait(t *testing.T) {
	r := newReactor(t)
	if err := r.Wake(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Wait(-1); err != nil { // would hang if the wake were lost
		t.Fatal(err)
	}
	// The wake is consumed: the next Wait times out. A signal (EINTR) may
	// legitimately cut one wait short, so allow a few attempts; the Linux
	// test TestWakeCoalesces counts eventfd reads exactly.
	for attempt := 0; ; attempt++ {
		start := time.Now()
		if _, err := r.Wait(5 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		if el >= 5*time.Millisecond {
			break
		}
		if attempt == 3 {
			t.Fatalf("Wait after a consumed wake keeps returning early (%v)", el)
		}
	}
}

func TestClosed(t *testing.T) {
	r := newReactor(t)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
	if _, err := r.Wait(0); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait after Close = %v", err)
	}
	if err := r.Wake(); !errors.Is(err, ErrClosed) {
		t.Errorf("Wake after Close = %v", err)
	}
	var d Desc
	if err := r.Register(&d, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Register after Close = %v", err)
	}
}

// TestWakeCloseRace: Wakes racing with Close return nil or ErrClosed and
// never touch a closed eventfd (run with -race).
func TestWakeCloseRace(t *testing.T) {
	for range 20 {
		r, err := New()
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 100 {
					if err := r.Wake(); err != nil && !errors.Is(err, ErrClosed) {
						t.Error(err)
						return
					}
				}
			}()
		}
		r.Wait(0)
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
	}
}

// slotModel checks the slot table against a trivially correct model: a
// map from every (slot, gen) pair ever handed out to the Desc it named and
// whether that registration is still live.
type slotModel struct {
	r     *Reactor
	live  []*Desc
	dead  []*Desc
	names map[[2]uint64]*Desc // (slot, gen) -> desc of that registration
	cur   map[*Desc][2]uint64 // desc -> its live registration
}

func newSlotModel() *slotModel {
	// A bare Reactor: the slot table and deliver are platform-independent,
	// and injectWait makes no syscall.
	return &slotModel{r: &Reactor{}, names: map[[2]uint64]*Desc{}, cur: map[*Desc][2]uint64{}}
}

func (m *slotModel) register(t *testing.T, d *Desc) {
	i, gen, err := m.r.register(d, 100+len(m.live))
	if err != nil {
		t.Fatal(err)
	}
	k := [2]uint64{uint64(i), uint64(gen)}
	if _, dup := m.names[k]; dup {
		t.Fatalf("slot %d gen %d handed out twice", i, gen)
	}
	m.names[k] = d
	m.cur[d] = k
	m.live = append(m.live, d)
}

func (m *slotModel) deregister(t *testing.T, k int) {
	d := m.live[k]
	if err := m.r.deregister(d); err != nil {
		t.Fatal(err)
	}
	if err := m.r.deregister(d); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("double deregister = %v", err)
	}
	delete(m.cur, d)
	m.live[k] = m.live[len(m.live)-1]
	m.live = m.live[:len(m.live)-1]
	m.dead = append(m.dead, d)
}

// deliverAll injects one event for every (slot, gen) pair ever issued,
// plus unknown pairs, and checks that exactly the live registrations got
// theirs, each listed once.
func (m *slotModel) deliverAll(t *testing.T, rng *rand.Rand) {
	var evs []injected
	want := map[*Desc]bool{}
	for k, d := range m.names {
		if rng.IntN(2) == 0 {
			continue
		}
		evs = append(evs, injected{int32(k[0]), uint32(k[1]), Readable})
		if rng.IntN(4) == 0 { // the same pair twice: still listed once
			evs = append(evs, injected{int32(k[0]), uint32(k[1]), Writable})
		}
		if cur, ok := m.cur[d]; ok && cur == k {
			want[d] = true // a stale pair of a re-registered desc must not count
		}
	}
	evs = append(evs, injected{-2, 1, Readable}, injected{int32(len(m.r.tab.slots)), 1, Readable})
	rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	n := m.r.injectWait(evs...)
	if n != len(want) {
		t.Fatalf("injectWait = %d descs, want %d", n, len(want))
	}
	for _, d := range m.r.Ready() {
		if !want[d] {
			t.Fatalf("desc fd %d listed but its live registration was not signalled", d.Fd)
		}
		delete(want, d)
		if d.Readiness()&Readable == 0 || d.Events()&Readable == 0 {
			t.Fatalf("desc fd %d listed without Readable: %v %v", d.Fd, d.Readiness(), d.Events())
		}
		d.Clear(Readable | Writable)
	}
	if len(want) != 0 {
		t.Fatalf("%d live descs not listed", len(want))
	}
	for _, d := range m.dead {
		if d.Readiness() != 0 || d.Events() != 0 || d.Registered() {
			t.Fatalf("a deregistered desc got readiness %v", d.Readiness())
		}
	}
}

func runSlotOps(t *testing.T, ops []byte, seed uint64) {
	m := newSlotModel()
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, op := range ops {
		switch op % 4 {
		case 0, 1: // register: a fresh Desc or a reused, deregistered one
			var d *Desc
			if len(m.dead) > 0 && op&0x10 != 0 {
				j := int(op>>5) % len(m.dead)
				d = m.dead[j]
				m.dead = append(m.dead[:j], m.dead[j+1:]...)
			} else {
				d = &Desc{}
			}
			m.register(t, d)
		case 2:
			if len(m.live) > 0 {
				m.deregister(t, int(op>>2)%len(m.live))
			}
		case 3:
			m.deliverAll(t, rng)
		}
		if m.r.tab.live != len(m.live) {
			t.Fatalf("table counts %d live slots, model %d", m.r.tab.live, len(m.live))
		}
	}
	m.deliverAll(t, rng)
}

// TestSlotTableRandom: random Register/Deregister/Wait sequences; events
// for any stale (slot, gen) pair never reach a Desc.
func TestSlotTableRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	for iter := range 200 {
		ops := make([]byte, rng.IntN(300))
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		runSlotOps(t, ops, uint64(iter))
	}
}

func FuzzSlotTable(f *testing.F) {
	f.Add([]byte{0, 0, 3, 2, 3, 0x10, 3}, uint64(1))
	f.Add([]byte{0, 1, 0, 2, 6, 10, 0x11, 0x31, 3, 3}, uint64(7))
	f.Fuzz(func(t *testing.T, ops []byte, seed uint64) {
		if len(ops) > 2000 {
			ops = ops[:2000]
		}
		runSlotOps(t, ops, seed)
	})
}

// TestRegisterTwice: a Desc can be registered once at a time.
func TestRegisterTwice(t *testing.T) {
	r := &Reactor{}
	var d Desc
	if _, _, err := r.register(&d, 3); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.register(&d, 3); !errors.Is(err, ErrRegistered) {
		t.Fatalf("second register = %v", err)
	}
	var other Desc
	if err := r.deregister(&other); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("deregister of a foreign desc = %v", err)
	}
}

// TestRegisterKeepsOwner: Register resets the reactor's state of a reused
// Desc but not the owner's pointer.
func TestRegisterKeepsOwner(t *testing.T) {
	r := &Reactor{}
	owner := new(int)
	d := &Desc{Owner: owner}
	i, gen, _ := r.register(d, 5)
	r.injectWait(injected{i, gen, Readable})
	r.deregister(d)
	r.register(d, 6)
	if d.Owner != owner || d.Fd != 6 || d.Readiness() != 0 || d.Events() != 0 {
		t.Fatalf("after re-register: owner kept %v, fd %d, readiness %v, events %v", d.Owner == owner, d.Fd, d.Readiness(), d.Events())
	}
}

// TestChanWaiter: the fallback's sleep/wake half (compiled everywhere, so
// it runs on Linux too): wakes coalesce, zero polls, timeouts expire, a
// wake from another goroutine ends a blocking wait.
func TestChanWaiter(t *testing.T) {
	w := newChanWaiter()
	defer w.stop()
	if w.wait(0) {
		t.Fatal("poll reported a wake that never happened")
	}
	w.wake()
	w.wake()
	w.wake()
	if !w.wait(0) {
		t.Fatal("wake lost")
	}
	if w.wait(0) {
		t.Fatal("three wakes were not coalesced into one")
	}
	if w.wait(time.Millisecond) {
		t.Fatal("timeout reported as a wake")
	}
	w.wake()
	if !w.wait(time.Hour) {
		t.Fatal("pending wake did not end a timed wait")
	}
	done := make(chan bool)
	go func() { done <- w.wait(-1) }()
	time.Sleep(10 * time.Millisecond)
	w.wake()
	if !<-done {
		t.Fatal("blocking wait did not report the wake")
	}
}
