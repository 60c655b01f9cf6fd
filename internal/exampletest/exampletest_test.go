package exampletest

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeTB records what the helpers report instead of failing the real test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errs   []string
	failed bool // Fatalf was called
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.mu.Lock()
	f.failed = true
	f.mu.Unlock()
	runtime.Goexit()
}

// call runs fn with a fakeTB on a goroutine of its own (Fatalf ends it) and
// returns the fake once fn has returned or stopped.
func call(fn func(testing.TB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

// program returns a run function that runs main with aio.Run.
func program(main func(ctx *aio.Context, w io.Writer) error) RunFunc {
	return func(w io.Writer, opts ...aio.Option) error {
		return aio.Run(func(ctx *aio.Context) error { return main(ctx, w) }, opts...)
	}
}

// panicInCallback makes the loop report a panic to its exception handler.
func panicInCallback(ctx *aio.Context, w io.Writer) error {
	ctx.Loop().CallSoon(func() { panic("callback exploded") })
	if err := aio.Sleep(ctx, 0); err != nil {
		return err
	}
	fmt.Fprintln(w, "still running")
	return nil
}

func TestRunTimedReturnsTheOutputLinesAndTheVirtualTimeTaken(t *testing.T) {
	var lines []string
	var elapsed time.Duration
	f := call(func(tb testing.TB) {
		lines, elapsed = RunTimed(tb, program(func(ctx *aio.Context, w io.Writer) error {
			fmt.Fprintln(w, "before")
			// An hour of real time would time the test out.
			if err := aio.Sleep(ctx, time.Hour); err != nil {
				return err
			}
			fmt.Fprintln(w, "after an hour")
			fmt.Fprintln(w, "")
			fmt.Fprintln(w, "last")
			return nil
		}))
	})
	if len(f.errs) > 0 {
		t.Fatalf("RunTimed failed the test: %q", f.errs)
	}
	if want := []string{"before", "after an hour", "", "last"}; !slices.Equal(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
	if elapsed != time.Hour {
		t.Errorf("elapsed = %v, want 1h", elapsed)
	}
}

func TestRunReturnsNoLinesForNoOutput(t *testing.T) {
	lines := []string{"not set"}
	f := call(func(tb testing.TB) {
		lines = Run(tb, program(func(*aio.Context, io.Writer) error { return nil }))
	})
	if len(f.errs) > 0 {
		t.Fatalf("Run failed the test: %q", f.errs)
	}
	if lines != nil {
		t.Errorf("lines = %q, want none", lines)
	}
}

func TestRunFailsAtOnceWhenTheProgramReturnsAnError(t *testing.T) {
	returned := false
	f := call(func(tb testing.TB) {
		Run(tb, program(func(_ *aio.Context, w io.Writer) error {
			fmt.Fprintln(w, "some output")
			return errors.New("boom")
		}))
		returned = true
	})
	if !f.failed || returned {
		t.Errorf("Run returned (fatal: %t) after the program failed", f.failed)
	}
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "boom") {
		t.Errorf("reported %q, want one message with the program's error", f.errs)
	}
}

func TestRunFailsWhenTheLoopReportsAnError(t *testing.T) {
	var lines []string
	f := call(func(tb testing.TB) {
		lines = Run(tb, program(panicInCallback))
	})
	if f.failed {
		t.Errorf("a report stopped the test; the output should still be checked")
	}
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "callback exploded") {
		t.Errorf("reported %q, want one message with the callback's panic", f.errs)
	}
	if want := []string{"still running"}; !slices.Equal(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
}

func TestRunLetsTheCallersExceptionHandlerTakeOverTheReports(t *testing.T) {
	var handled []string
	f := call(func(tb testing.TB) {
		Run(tb, program(panicInCallback), aio.WithExceptionHandler(func(_ *aio.Loop, c aio.ExceptionContext) {
			handled = append(handled, fmt.Sprint(c.Err))
		}))
	})
	if len(f.errs) > 0 {
		t.Errorf("Run failed the test although the caller handles reports: %q", f.errs)
	}
	if len(handled) != 1 || !strings.Contains(handled[0], "callback exploded") {
		t.Errorf("the caller's handler got %q, want the callback's panic", handled)
	}
}

func TestRunFailsWhenTheOutputDoesNotEndWithANewline(t *testing.T) {
	f := call(func(tb testing.TB) {
		Run(tb, program(func(_ *aio.Context, w io.Writer) error {
			fmt.Fprint(w, "one\ntwo")
			return nil
		}))
	})
	if !f.failed || len(f.errs) != 1 || !strings.Contains(f.errs[0], `"one\ntwo"`) {
		t.Errorf("fatal: %t, reported %q; want a fatal message quoting the output", f.failed, f.errs)
	}
}

func TestLinesAcceptsTheSameLinesAndShowsADiffOtherwise(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []string
		diff      string // "" when they are equal
	}{
		{"equal", []string{"a", "b"}, []string{"a", "b"}, ""},
		{"both empty", nil, []string{}, ""},
		{"changed", []string{"a", "x", "c"}, []string{"a", "b", "c"}, "  a\n- b\n+ x\n  c\n"},
		{"missing", []string{"a"}, []string{"a", "b"}, "  a\n- b\n"},
		{"extra", []string{"a", "b"}, []string{"b"}, "+ a\n  b\n"},
		{"trailing blank line", []string{"a", ""}, []string{"a"}, "  a\n+ \n"},
		{"swapped", []string{"b", "a"}, []string{"a", "b"}, "- a\n  b\n+ a\n"},
		{"no output", nil, []string{"a"}, "- a\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := call(func(tb testing.TB) { Lines(tb, c.got, c.want) })
			if c.diff == "" {
				if len(f.errs) > 0 {
					t.Errorf("Lines failed on equal lines: %q", f.errs)
				}
				return
			}
			want := "output differs (-want +got):\n" + c.diff
			if f.failed || len(f.errs) != 1 || f.errs[0] != want {
				t.Errorf("fatal: %t, reported %q, want one error %q", f.failed, f.errs, want)
			}
		})
	}
}
