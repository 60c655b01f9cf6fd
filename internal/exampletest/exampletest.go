// Package exampletest runs the example programs under examples/ in their
// tests: on a virtual clock, failing the test if the program returns an
// error or its loop reports one, and comparing the output line by line.
//
// Each example has a function
//
//	func run(w io.Writer, opts ...aio.Option) error
//
// that main calls with os.Stdout; its test calls Run (or RunTimed) with it
// and checks the lines with Lines.
package exampletest

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// RunFunc is an example's run function: it runs the program with opts,
// printing to w.
type RunFunc = func(w io.Writer, opts ...aio.Option) error

// Run is RunTimed without the elapsed time.
func Run(t testing.TB, run RunFunc, opts ...aio.Option) []string {
	t.Helper()
	lines, _ := RunTimed(t, run, opts...)
	return lines
}

// RunTimed calls run with a virtual clock (aio.WithClock) and an exception
// handler that fails the test with every error the loop reports, followed
// by opts. It fails the test at once (t.Fatalf) if run returns an error, and
// if its output is not empty and does not end with a newline. It returns the
// output's lines, without their newlines, and the virtual time the run
// took.
//
// opts come last, so they override: a caller that passes its own
// aio.WithExceptionHandler takes over the loop's reports, and the test no
// longer fails on them. Passing aio.WithClock makes elapsed meaningless.
func RunTimed(t testing.TB, run RunFunc, opts ...aio.Option) (lines []string, elapsed time.Duration) {
	t.Helper()
	start := time.Time{}
	clk := aio.NewVirtualClock(start)
	var (
		mu      sync.Mutex
		reports []string
	)
	all := append([]aio.Option{
		aio.WithClock(clk),
		aio.WithExceptionHandler(func(_ *aio.Loop, c aio.ExceptionContext) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, fmt.Sprint(c.Message, ": ", c.Err))
		}),
	}, opts...)
	var out bytes.Buffer
	err := run(&out, all...)
	mu.Lock()
	if len(reports) > 0 {
		t.Errorf("the loop reported errors: %q", reports)
	}
	mu.Unlock()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	s := out.String()
	if s == "" {
		return nil, clk.Now().Sub(start)
	}
	if !strings.HasSuffix(s, "\n") {
		t.Fatalf("the output does not end with a newline: %q", s)
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n"), clk.Now().Sub(start)
}

// Lines fails the test (t.Errorf) unless got and want hold the same lines
// in the same order. The message is a line diff: "  " before a line both
// have, "- " before a line only want has, "+ " before one only got has.
func Lines(t testing.TB, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("output differs (-want +got):\n%s", diff(want, got))
}

// diff returns a line diff turning want into got, built from their longest
// common subsequence: one line per line of either, prefixed "  " (in both),
// "- " (only in want) or "+ " (only in got), each ending with a newline.
func diff(want, got []string) string {
	// lcs[i][j] is the length of the longest common subsequence of want[i:]
	// and got[j:].
	lcs := make([][]int, len(want)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(got)+1)
	}
	for i := len(want) - 1; i >= 0; i-- {
		for j := len(got) - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			b.WriteString("  " + want[i] + "\n")
			i++
			j++
		case j == len(got) || i < len(want) && lcs[i+1][j] >= lcs[i][j+1]:
			b.WriteString("- " + want[i] + "\n")
			i++
		default:
			b.WriteString("+ " + got[j] + "\n")
			j++
		}
	}
	return b.String()
}
