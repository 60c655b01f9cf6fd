package reactor

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Event is a set of readiness conditions. It is a plain value, usable on
// any goroutine.
type Event uint8

// Readiness conditions, as set by Wait from the epoll events (the mapping is
// the Go runtime's, runtime/netpoll_epoll.go netpoll).
const (
	// Readable: EPOLLIN, or any of EPOLLRDHUP, EPOLLHUP, EPOLLERR (a read
	// then returns EOF or the error instead of blocking).
	Readable Event = 1 << iota
	// Writable: EPOLLOUT, or EPOLLHUP or EPOLLERR.
	Writable
	// ReadHup: EPOLLRDHUP, the peer shut down its writing side; reads
	// return EOF once the buffered data is consumed.
	ReadHup
	// Hup: EPOLLHUP, both directions are shut down.
	Hup
	// Error: EPOLLERR, a pending socket error (read it with [SocketError]).
	Error
)

// String names the bits, as in "Readable|ReadHup". Any goroutine.
func (e Event) String() string {
	if e == 0 {
		return "0"
	}
	names := [...]string{"Readable", "Writable", "ReadHup", "Hup", "Error"}
	s := ""
	for i, n := range names {
		if e&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if rest := e &^ (1<<len(names) - 1); rest != 0 {
		if s != "" {
			s += "|"
		}
		s += fmt.Sprintf("%#x", uint8(rest))
	}
	return s
}

// Desc is the reactor's per-fd state. The owner allocates it (typically
// embedded in its connection, so registering allocates nothing), registers
// it with [Reactor.Register], and may reuse it after [Reactor.Deregister].
// All fields and methods belong to the loop goroutine.
type Desc struct {
	// Fd is the registered file descriptor, set by Register and left in
	// place by Deregister. Read-only for the owner while registered.
	Fd int
	// Owner is the loop's own pointer back to whatever parks on this fd
	// (for example the connection with its parked reader and writer). The
	// reactor never reads or writes it. Store a pointer: an interface
	// holding a pointer does not allocate.
	Owner any

	readiness Event  // sticky bits; Wait sets them, the owner clears them
	events    Event  // bits reported in the Wait numbered epoch
	epoch     uint64 // the Wait that last listed this Desc in Ready
	slot      int32  // index in the slot table, valid while r != nil
	gen       uint32 // generation of the slot when registered
	r         *Reactor
}

// Readiness reports the sticky readiness bits: set by Wait, cleared only by
// the owner through Clear. Loop goroutine.
func (d *Desc) Readiness() Event { return d.readiness }

// Events reports the conditions the most recent Wait reported for d: the
// new edges, where Readiness also keeps older, unconsumed bits. It is 0
// when the most recent Wait did not list d. Loop goroutine.
func (d *Desc) Events() Event {
	if d.r == nil || d.epoch != d.r.epoch {
		return 0
	}
	return d.events
}

// Clear clears readiness bits, typically Readable after a read returned
// EAGAIN or Writable after a write did; see the package doc for when.
// Loop goroutine.
func (d *Desc) Clear(e Event) { d.readiness &^= e }

// Registered reports whether d is currently registered. Loop goroutine.
func (d *Desc) Registered() bool { return d.r != nil }

// Errors returned by the reactor; compare with errors.Is. Any goroutine.
var (
	// ErrClosed: the reactor was closed.
	ErrClosed = errors.New("reactor: closed")
	// ErrRegistered: Register of a Desc that is already registered.
	ErrRegistered = errors.New("reactor: desc already registered")
	// ErrNotRegistered: Deregister of a Desc this reactor does not hold.
	ErrNotRegistered = errors.New("reactor: desc not registered with this reactor")
	// ErrUnsupported: fd readiness is not implemented on this platform
	// (Register on the non-Linux fallback). It wraps errors.ErrUnsupported.
	ErrUnsupported = fmt.Errorf("reactor: fd readiness on this platform: %w", errors.ErrUnsupported)
)

// slot is one entry of the slot table. gen changes on every Register and
// Deregister of the slot, so an event carrying (index, gen) names exactly
// one registration.
type slot struct {
	d   *Desc
	gen uint32
}

// slotTable maps the (index, generation) pairs stored in kernel event data
// to Descs. Free slots are reused LIFO; that makes reuse of a slot with a
// new generation the common case, which is what the generation is for.
type slotTable struct {
	slots []slot
	free  []int32
	live  int
}

// add gives d a slot and returns its index and generation.
func (t *slotTable) add(d *Desc) (int32, uint32, error) {
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if len(t.slots) >= math.MaxInt32 {
			return 0, 0, errors.New("reactor: slot table full")
		}
		t.slots = append(t.slots, slot{})
		i = int32(len(t.slots) - 1)
	}
	s := &t.slots[i]
	s.gen++
	s.d = d
	t.live++
	return i, s.gen, nil
}

// remove frees slot i and bumps its generation, making every event that
// carries the old generation stale.
func (t *slotTable) remove(i int32) {
	s := &t.slots[i]
	s.d = nil
	s.gen++
	t.free = append(t.free, i)
	t.live--
}

// lookup returns the Desc registered under (i, gen), or nil for a stale or
// unknown pair.
func (t *slotTable) lookup(i int32, gen uint32) *Desc {
	if i < 0 || int(i) >= len(t.slots) {
		return nil
	}
	s := &t.slots[i]
	if s.gen != gen || s.d == nil {
		return nil
	}
	return s.d
}

// core is the platform-independent part of a Reactor: the slot table and
// the result of the last Wait. Loop goroutine only.
type core struct {
	tab   slotTable
	ready []*Desc // the Descs the last Wait reported, each once
	epoch uint64  // number of the current (or last) Wait
	stale uint64  // events dropped because their generation was stale
}

// begin starts the bookkeeping of one Wait.
func (c *core) begin() {
	c.epoch++
	clear(c.ready) // drop the pointers so a Deregistered Desc can be freed
	c.ready = c.ready[:0]
}

// deliver records events ev for the registration (i, gen) in the current
// Wait: it sets the sticky bits and lists the Desc in ready once. It
// reports false for a stale pair, which is dropped.
func (c *core) deliver(i int32, gen uint32, ev Event) bool {
	d := c.tab.lookup(i, gen)
	if d == nil {
		c.stale++
		return false
	}
	if d.epoch != c.epoch {
		d.epoch = c.epoch
		d.events = 0
		c.ready = append(c.ready, d)
	}
	d.events |= ev
	d.readiness |= ev
	return true
}

// Ready returns the Descs whose readiness the last Wait changed, each once,
// in the order the kernel reported them. The slice is reused by the next
// Wait: use it before waiting again. Loop goroutine.
func (r *Reactor) Ready() []*Desc { return r.ready }

// register is the bookkeeping half of Register.
func (r *Reactor) register(d *Desc, fd int) (int32, uint32, error) {
	if d.r != nil {
		return 0, 0, ErrRegistered
	}
	i, gen, err := r.tab.add(d)
	if err != nil {
		return 0, 0, err
	}
	*d = Desc{Fd: fd, Owner: d.Owner, slot: i, gen: gen, r: r}
	return i, gen, nil
}

// deregister is the bookkeeping half of Deregister.
func (r *Reactor) deregister(d *Desc) error {
	if d.r != r {
		return ErrNotRegistered
	}
	r.tab.remove(d.slot)
	d.r = nil
	d.readiness = 0
	d.events = 0
	return nil
}

// maxWaitMillis caps a finite timeout to what epoll_wait(2) takes (an int of
// milliseconds); a capped Wait just returns early and the loop waits again.
const maxWaitMillis = math.MaxInt32

// timeoutMillis converts a Wait timeout to epoll_wait milliseconds: negative
// is -1 (block), zero is 0 (poll), anything else is rounded up so that a
// sub-millisecond timer never turns into a busy poll with timeout 0.
func timeoutMillis(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return 0
	case d >= maxWaitMillis*time.Millisecond:
		return maxWaitMillis
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}
