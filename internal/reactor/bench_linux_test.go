package reactor

import (
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkWaitReady: one reactor turn of the optimistic-I/O protocol on a
// socketpair: the peer writes a byte (a new edge), Wait(0) reports the
// Desc, the owner reads the byte. 0 allocs per turn.
func BenchmarkWaitReady(b *testing.B) {
	r := newReactor(b)
	x, y := socketpair(b)
	defer unix.Close(x)
	defer unix.Close(y)
	d := register(b, r, x)
	r.Wait(0)
	one := []byte{1}
	buf := make([]byte, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := unix.Write(y, one); err != nil {
			b.Fatal(err)
		}
		n, err := r.Wait(0)
		if err != nil || n != 1 || r.Ready()[0] != d {
			b.Fatalf("Wait = %d, %v", n, err)
		}
		if _, err := Read(x, buf); err != nil {
			b.Fatal(err)
		}
	}
	r.Deregister(d)
}

// BenchmarkWaitEmpty: Wait(0) with registered but idle fds (the loop's
// poll when tasks are ready): the raw epoll_pwait fast path.
func BenchmarkWaitEmpty(b *testing.B) {
	r := newReactor(b)
	x, y := socketpair(b)
	defer unix.Close(x)
	defer unix.Close(y)
	d := register(b, r, x)
	r.Wait(0)
	b.ReportAllocs()
	for b.Loop() {
		if n, err := r.Wait(0); err != nil || n != 0 {
			b.Fatalf("Wait = %d, %v", n, err)
		}
	}
	r.Deregister(d)
}

// BenchmarkWake: one wake round trip on one goroutine: Wake writes the
// eventfd, Wait(0) sees it and drains it.
func BenchmarkWake(b *testing.B) {
	r := newReactor(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Wake(); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Wait(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWakeCoalesced: Wakes from many goroutines while one is already
// pending: the fast path, a single atomic load-and-CAS miss, no syscall.
func BenchmarkWakeCoalesced(b *testing.B) {
	r := newReactor(b)
	r.Wake()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := r.Wake(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	r.Wait(0)
}
