package reactor

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// eventBatch is how many epoll events one Wait takes. More ready fds stay
// on the kernel's ready list and come back from the next Wait.
const eventBatch = 256

// wakeSlot is the slot index in the event data of the wake-up eventfd; real
// slots are ≥ 0.
const wakeSlot = -1

// registerEvents is the one registration every fd gets (runtime/netpoll_epoll.go
// netpollopen): edge-triggered read, write and peer hang-up. EPOLLHUP and
// EPOLLERR are always reported, see epoll_ctl(2).
const registerEvents = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

// Reactor is an epoll instance plus an eventfd for wake-ups. Create one per
// loop with New. It is not safe for concurrent use: every method except
// Wake belongs to the loop goroutine.
type Reactor struct {
	core

	epfd   int
	wakefd int
	events [eventBatch]unix.EpollEvent

	// Wake side, shared with other goroutines.
	wakePending atomic.Bool  // a wake is written and not yet drained
	closed      atomic.Bool  // Close has started
	closeMu     sync.RWMutex // Wake holds it shared while writing wakefd; Close exclusively while closing it
	wakeWrites  atomic.Uint64

	// Loop-goroutine counters (tests, debugging).
	wakeReads uint64
	eintr     uint64
}

// New creates a reactor: an epoll instance (EPOLL_CLOEXEC) and a
// non-blocking close-on-exec eventfd registered level-triggered for reading.
// The goroutine that calls New is the reactor's loop goroutine from then on
// (it need not be locked to its thread: epoll works from any thread).
func New() (*Reactor, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("reactor: epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("reactor: eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: wakeSlot}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(wakefd)
		unix.Close(epfd)
		return nil, fmt.Errorf("reactor: epoll_ctl add eventfd: %w", err)
	}
	return &Reactor{epfd: epfd, wakefd: wakefd}, nil
}

// Register adds fd to the reactor under d, which must not be registered
// already (a Desc can be reused after Deregister). It resets d's readiness
// and sets d.Fd; d.Owner is kept. fd must be non-blocking, close-on-exec
// and owned by the caller (see the package doc); it is registered once,
// edge-triggered, for read, write and peer hang-up. The first Wait after
// Register reports the fd's current state. Loop goroutine.
func (r *Reactor) Register(d *Desc, fd int) error {
	if r.closed.Load() {
		return ErrClosed
	}
	i, gen, err := r.register(d, fd)
	if err != nil {
		return err
	}
	ev := unix.EpollEvent{Events: registerEvents, Fd: i, Pad: int32(gen)}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		r.deregister(d)
		return fmt.Errorf("reactor: epoll_ctl add fd %d: %w", fd, err)
	}
	return nil
}

// Deregister removes d's fd from the reactor. Call it before closing the
// fd: epoll tracks open file descriptions, not fd numbers, so a description
// that outlives the close (a dup, a forked child) would stay registered.
// The slot is freed and its generation bumped even when EPOLL_CTL_DEL fails
// (the error is returned), so no later event reaches d or the slot's next
// owner. d may still be listed in the current Ready slice. Loop goroutine.
func (r *Reactor) Deregister(d *Desc) error {
	if err := r.deregister(d); err != nil {
		return err
	}
	// After Close, deregister already failed: Close unregistered every Desc.
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_DEL, d.Fd, nil); err != nil {
		return fmt.Errorf("reactor: epoll_ctl del fd %d: %w", d.Fd, err)
	}
	return nil
}

// Wait blocks until a registered fd reports an edge, Wake is called, or
// timeout passes, then records readiness in the Descs and returns how many
// Descs it listed in Ready. timeout < 0 blocks until an event or a Wake;
// timeout == 0 polls without blocking; a positive timeout is rounded up to
// whole milliseconds (100µs waits 1ms), so a sub-millisecond timer never
// spins. A Wake makes Wait return, with n == 0 if nothing else happened. An
// interrupted epoll_wait (EINTR: Go's runtime preempts with SIGURG) returns
// 0, nil; the loop recomputes its timeout and waits again. Wait may also
// return early when the timeout exceeds epoll's int milliseconds (~24.8
// days). Loop goroutine.
func (r *Reactor) Wait(timeout time.Duration) (int, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	r.begin()
	n, err := r.epollWait(timeoutMillis(timeout))
	if err != nil {
		if errors.Is(err, unix.EINTR) {
			r.eintr++
			return 0, nil
		}
		return 0, fmt.Errorf("reactor: epoll_wait: %w", err)
	}
	for i := range n {
		ev := &r.events[i]
		if ev.Fd == wakeSlot {
			r.drainWake()
			continue
		}
		r.deliver(ev.Fd, uint32(ev.Pad), toEvent(ev.Events))
	}
	return len(r.ready), nil
}

// epollWait is epoll_pwait(2) with no signal mask. A zero timeout cannot
// block, so it skips the scheduler's syscall bookkeeping (RawSyscall6), as
// cloudwego/netpoll does; a blocking wait must go through Syscall6 so that
// the runtime can hand this P to other goroutines.
func (r *Reactor) epollWait(msec int) (int, error) {
	if msec != 0 {
		return unix.EpollWait(r.epfd, r.events[:], msec)
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(r.epfd),
		uintptr(unsafe.Pointer(&r.events[0])), uintptr(len(r.events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// toEvent maps epoll bits to readiness (runtime/netpoll_epoll.go netpoll).
func toEvent(e uint32) Event {
	var ev Event
	if e&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= Readable
	}
	if e&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= Writable
	}
	if e&unix.EPOLLRDHUP != 0 {
		ev |= ReadHup
	}
	if e&unix.EPOLLHUP != 0 {
		ev |= Hup
	}
	if e&unix.EPOLLERR != 0 {
		ev |= Error
	}
	return ev
}

// drainWake empties the eventfd and only then reopens the gate for the next
// Wake write. A Wake that lands in between sees the gate still closed and
// writes nothing, which is fine: it published its work before calling
// Wake, and the loop checks that work after Wait returns (the same order as
// runtime/netpoll_epoll.go, which reads netpollEventFd and then clears
// netpollWakeSig).
func (r *Reactor) drainWake() {
	var buf uint64
	for {
		// A raw read: unix.Read would tell the race detector that it
		// synchronizes with every unix.Write, hiding real races.
		_, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(r.wakefd), uintptr(unsafe.Pointer(&buf)), 8)
		if errno != unix.EINTR {
			break // nil, or EAGAIN: nothing to drain
		}
	}
	r.wakeReads++
	r.wakePending.Store(false)
}

// Wake makes a Wait in progress return, or else the next one. Wakes
// coalesce: while one is pending (written and not yet drained by Wait),
// further Wakes cost an atomic load and CAS and write nothing; the loop
// must therefore re-check what it was woken for after every Wait (package
// doc, Goroutines). Safe from any goroutine, concurrently with Wait and
// Close; after Close it returns ErrClosed.
func (r *Reactor) Wake() error {
	if r.closed.Load() {
		return ErrClosed
	}
	if !r.wakePending.CompareAndSwap(false, true) {
		return nil
	}
	r.closeMu.RLock()
	defer r.closeMu.RUnlock()
	if r.closed.Load() {
		return ErrClosed // the eventfd is closed, its number maybe reused
	}
	r.wakeWrites.Add(1)
	one := uint64(1) // native byte order, as eventfd(2) wants
	for {
		// Raw: the eventfd is non-blocking, and unix.Write would add a
		// race-detector edge that Wake does not promise (see drainWake).
		_, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(r.wakefd), uintptr(unsafe.Pointer(&one)), 8)
		switch errno {
		case 0, unix.EAGAIN: // EAGAIN: the counter is full, a wake is pending anyway
			return nil
		case unix.EINTR:
			continue
		}
		return fmt.Errorf("reactor: eventfd write: %w", errno)
	}
}

// Close releases the epoll instance and the eventfd. Registered fds are not
// closed (the caller owns them) and need no Deregister afterwards. Wait and
// Register return ErrClosed from then on; a concurrent Wake returns nil or
// ErrClosed but never writes to a closed fd. Loop goroutine; a second Close
// returns ErrClosed.
func (r *Reactor) Close() error {
	r.closeMu.Lock()
	defer r.closeMu.Unlock()
	if r.closed.Swap(true) {
		return ErrClosed
	}
	err1 := unix.Close(r.wakefd)
	err2 := unix.Close(r.epfd)
	for _, s := range r.tab.slots {
		if s.d != nil {
			s.d.r = nil
		}
	}
	r.tab = slotTable{}
	clear(r.ready)
	r.ready = nil
	return errors.Join(err1, err2)
}
