package aio_test

// The helpers every test file of package aio_test shares.

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

// virtualClock is the option of a virtual clock: timed code runs at once.
func virtualClock() aio.Option { return aio.WithClock(aio.NewVirtualClock(time.Time{})) }

// runMain runs main with aio.Run and returns Run's error; any report to the
// exception handler (an error nobody retrieved, a panicking callback, ...)
// fails the test. opts come last, so they override.
func runMain(t testing.TB, main func(*aio.Context) error, opts ...aio.Option) error {
	t.Helper()
	all := append([]aio.Option{aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) {
		t.Errorf("unexpected report to the exception handler: %s: %v", ec.Message, ec.Err)
	})}, opts...)
	return aio.Run(main, all...)
}

// runVirtual is runMain on a virtual clock, failing the test at once if Run
// returns an error. opts come after the clock.
func runVirtual(t testing.TB, main func(*aio.Context) error, opts ...aio.Option) {
	t.Helper()
	if err := runMain(t, main, append([]aio.Option{virtualClock()}, opts...)...); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// runReal is runMain on the real clock, failing the test at once if Run
// returns an error.
func runReal(t testing.TB, main func(*aio.Context) error, opts ...aio.Option) {
	t.Helper()
	if err := runMain(t, main, opts...); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// runBench runs body as the main task of a fresh loop, with allocation
// reporting, and fails b if it returns an error.
func runBench(b *testing.B, body func(ctx *aio.Context) error, opts ...aio.Option) {
	b.Helper()
	b.ReportAllocs()
	if err := aio.Run(body, opts...); err != nil {
		b.Fatal(err)
	}
}

// newLoop returns a loop on a virtual clock, closed when the test ends.
func newLoop(t testing.TB, opts ...aio.Option) *aio.Loop {
	t.Helper()
	l := aio.NewLoop(append([]aio.Option{virtualClock()}, opts...)...)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// runOneIteration stops l before running it, so RunForever runs exactly one
// iteration.
func runOneIteration(t testing.TB, l *aio.Loop) {
	t.Helper()
	l.Stop()
	if err := l.RunForever(); err != nil {
		t.Fatalf("RunForever: %v", err)
	}
}

// serveLoop runs a loop on a goroutine of its own until the returned stop
// function is called; stop closes the loop and waits for that goroutine.
func serveLoop(t testing.TB, opts ...aio.Option) (l *aio.Loop, stop func()) {
	t.Helper()
	l = aio.NewLoop(opts...)
	quit := aio.NewFuture[struct{}](l)
	done := make(chan error, 1)
	go func() {
		done <- l.RunUntilComplete(quit)
		_ = l.Close()
	}()
	return l, func() {
		_ = l.CallSoonThreadsafe(func() { _ = quit.SetResult(struct{}{}) })
		if err := <-done; err != nil {
			t.Errorf("the serving loop: %v", err)
		}
	}
}

// recoverPanic calls fn and returns the value it panicked with (nil if none).
func recoverPanic(fn func()) (r any) {
	defer func() { r = recover() }()
	fn()
	return nil
}

// expectMisuse checks that r, a recovered panic, is a *aio.MisuseError that
// errors.Is matches to sentinel and whose message contains words.
func expectMisuse(t testing.TB, r any, sentinel error, words ...string) {
	t.Helper()
	err, ok := r.(error)
	var me *aio.MisuseError
	if !ok || !errors.As(err, &me) || !errors.Is(err, sentinel) {
		t.Fatalf("panic %v; want a *MisuseError wrapping %v", r, sentinel)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("panic %q; want it to mention %q", err, w)
		}
	}
}

// yieldProbe schedules a callback and returns a function reporting whether
// it has run, that is whether the calling task yielded to the loop since.
func yieldProbe(ctx *aio.Context) (yielded func() bool) {
	ran := false
	ctx.Loop().CallSoon(func() { ran = true })
	return func() bool { return ran }
}

// elapsedSince returns the loop time passed since start.
func elapsedSince(ctx *aio.Context, start time.Time) time.Duration {
	return ctx.Loop().Time().Sub(start)
}

// spawnAfter spawns a task that sleeps d, then returns v, err.
func spawnAfter[T any](ctx *aio.Context, d time.Duration, v T, err error) *aio.Task[T] {
	return aio.Spawn(ctx, func(ctx *aio.Context) (T, error) {
		if e := aio.Sleep(ctx, d); e != nil {
			var zero T
			return zero, e
		}
		return v, err
	})
}

// drainQueue takes every item from q without waiting.
func drainQueue[T any](q *aio.Queue[T]) []T {
	var out []T
	for {
		v, err := q.GetNowait()
		if err != nil {
			return out
		}
		out = append(out, v)
	}
}

// handlerReports collects what reaches the exception handler.
type handlerReports []aio.ExceptionContext

func (r *handlerReports) option() aio.Option {
	return aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { *r = append(*r, ec) })
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logCapture captures the default slog logger's output for a test.
func logCapture(t testing.TB) (read func() string) {
	t.Helper()
	var buf syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return buf.String
}

// noLeak fails t if goroutines other than the test's own remain.
func noLeak(t testing.TB) {
	t.Helper()
	goleak.VerifyNone(t)
}

// checkSum reports whether s is the sum 0 + 1 + ... + n-1.
func checkSum(s, n int) error {
	if want := n * (n - 1) / 2; s != want {
		return fmt.Errorf("sum %d, want %d", s, want)
	}
	return nil
}
