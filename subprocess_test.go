//go:build linux

package aio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// runProc is runNet on the real clock (children run in real time) that
// also checks that no goroutine is left behind.
func runProc(t *testing.T, main func(ctx *aio.Context) error) {
	t.Helper()
	// aio.Run's first call starts os/signal's one global goroutine.
	_ = aio.Run(func(*aio.Context) error { return nil })
	before := runtime.NumGoroutine()
	runNet(t, true, main)
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
			break
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// TestSubprocessStreamsOutputLineByLine: a shell writing to stdout and
// stderr is read line by line through two Streams; Wait returns exit
// code 0; no descriptor or goroutine is left.
func TestSubprocessStreamsOutputLineByLine(t *testing.T) {
	runProc(t, func(ctx *aio.Context) error {
		c := aio.ShellCommand(ctx, "echo hi; echo there; echo err >&2")
		out, err := c.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		errs, err := c.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		if c.Pid() <= 0 {
			t.Errorf("Pid = %d", c.Pid())
		}
		var lines []string
		for {
			line, err := out.ReadLine(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(line))
		}
		if strings.Join(lines, "") != "hi\nthere\n" {
			t.Errorf("stdout lines = %q", lines)
		}
		if e, err := errs.ReadAll(ctx); err != nil || string(e) != "err\n" {
			t.Errorf("stderr = %q, %v", e, err)
		}
		rc, err := c.Wait(ctx)
		if rc != 0 || err != nil {
			t.Errorf("Wait = %d, %v", rc, err)
		}
		if rc2, ok := c.ReturnCode(); rc2 != 0 || !ok {
			t.Errorf("ReturnCode = %d, %v", rc2, ok)
		}
		out.Close()
		errs.Close()
		return nil
	})
}

// TestSubprocessExitCodes: a non-zero exit is a return code, not an
// error; a killed process returns minus the signal; a missing program is
// Start's error.
func TestSubprocessExitCodes(t *testing.T) {
	runProc(t, func(ctx *aio.Context) error {
		c := aio.ShellCommand(ctx, "exit 3")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		if rc, err := c.Wait(ctx); rc != 3 || err != nil {
			t.Errorf("exit 3: Wait = %d, %v", rc, err)
		}
		if rc, err := c.Wait(ctx); rc != 3 || err != nil {
			t.Errorf("second Wait = %d, %v", rc, err)
		}
		if c.ProcessState() == nil || c.ProcessState().ExitCode() != 3 {
			t.Errorf("ProcessState = %v", c.ProcessState())
		}
		if err := aio.Command(ctx, "/nonexistent/program").Start(); err == nil {
			t.Error("Start of a missing program succeeded")
		}
		if _, err := aio.Command(ctx, "true").Wait(ctx); !errors.Is(err, aio.ErrProcessNotStarted) {
			t.Errorf("Wait before Start = %v", err)
		}
		return nil
	})
}

// TestSubprocessCommunicateThroughCat: Communicate writes the input to
// cat's stdin, closes it, and collects stdout and stderr; a Dir and an Env
// reach the child.
func TestSubprocessCommunicateThroughCat(t *testing.T) {
	runProc(t, func(ctx *aio.Context) error {
		c := aio.Command(ctx, "cat")
		in, _ := c.StdinPipe()
		out, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		input := bytes.Repeat([]byte("0123456789abcdef"), 32<<10) // 512 KiB: more than a pipe holds
		stdout, stderr, err := c.Communicate(ctx, input)
		if err != nil || !bytes.Equal(stdout, input) || stderr != nil {
			t.Errorf("Communicate = %d bytes, %q, %v", len(stdout), stderr, err)
		}
		if rc, _ := c.ReturnCode(); rc != 0 {
			t.Errorf("cat exited %d", rc)
		}
		out.Close()
		_ = in

		d := aio.ShellCommand(ctx, `pwd; echo "$AIO_TEST_VAR"`)
		d.Dir = "/"
		d.Env = []string{"AIO_TEST_VAR=set"}
		dout, _ := d.StdoutPipe()
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		stdout, _, err = d.Communicate(ctx, nil)
		if err != nil || string(stdout) != "/\nset\n" {
			t.Errorf("Dir and Env: %q, %v", stdout, err)
		}
		dout.Close()
		return nil
	})
}

// TestSubprocessClosingStdoutEarly: a child that closes its stdout and
// goes on running gives EOF on the Stream at once; Wait still waits for
// its exit.
func TestSubprocessClosingStdoutEarly(t *testing.T) {
	runProc(t, func(ctx *aio.Context) error {
		c := aio.ShellCommand(ctx, "exec 1>&-; sleep 0.2")
		out, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		b, err := out.ReadAll(ctx)
		if err != nil || len(b) != 0 {
			t.Fatalf("ReadAll = %q, %v", b, err)
		}
		if el := time.Since(start); el > 150*time.Millisecond {
			t.Errorf("EOF after %v, want it before the child exits", el)
		}
		if _, ok := c.ReturnCode(); ok {
			t.Error("exited already")
		}
		if rc, err := c.Wait(ctx); rc != 0 || err != nil {
			t.Errorf("Wait = %d, %v", rc, err)
		}
		out.Close()
		return nil
	})
}

// TestSubprocessKillAndCancelledWait: a Wait cancelled by a scope timeout
// leaves the child running (asyncio); Kill then ends it and Wait returns
// -SIGKILL. A 10 ms ticker keeps ticking while the loop waits for the
// child: waiting does not block the loop.
func TestSubprocessKillAndCancelledWait(t *testing.T) {
	runProc(t, func(ctx *aio.Context) error {
		ticks, stop := ticker(ctx)
		defer stop()
		c := aio.Command(ctx, "sleep", "30")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := aio.WithTimeout(ctx, 200*time.Millisecond)
		_, err := c.Wait(wctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait in a 200ms scope = %v", err)
		}
		if n := ticks(); n < 5 {
			t.Errorf("%d ticks of 10ms while waiting 200ms for a child", n)
		}
		if err := c.Signal(syscall.Signal(0)); err != nil {
			t.Fatalf("the child is gone after a cancelled Wait: %v", err)
		}
		if _, ok := c.ReturnCode(); ok {
			t.Fatal("ReturnCode set after a cancelled Wait")
		}
		if err := c.Kill(); err != nil {
			t.Fatal(err)
		}
		if rc, err := c.Wait(ctx); rc != -int(syscall.SIGKILL) || err != nil {
			t.Errorf("Wait after Kill = %d, %v", rc, err)
		}
		if err := c.Kill(); err == nil {
			t.Error("Kill after the exit succeeded")
		}

		d := aio.Command(ctx, "sleep", "30")
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		if err := d.Terminate(); err != nil {
			t.Fatal(err)
		}
		if rc, err := d.Wait(ctx); rc != -int(syscall.SIGTERM) || err != nil {
			t.Errorf("Wait after Terminate = %d, %v", rc, err)
		}
		return nil
	})
}

// TestSubprocessWaitFallbackWithoutPidfd: with the goroutine fallback (no
// pidfd), exit codes, a cancelled Wait and Kill behave the same, and the
// goroutine is gone once the child is reaped.
func TestSubprocessWaitFallbackWithoutPidfd(t *testing.T) {
	defer aio.UseWaitGoroutine()()
	runProc(t, func(ctx *aio.Context) error {
		c := aio.ShellCommand(ctx, "echo out; exit 4")
		out, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		stdout, _, err := c.Communicate(ctx, nil)
		if rc, _ := c.ReturnCode(); rc != 4 || err != nil || string(stdout) != "out\n" {
			t.Errorf("Communicate = %q, %v; rc %d", stdout, err, rc)
		}
		out.Close()
		d := aio.Command(ctx, "sleep", "30")
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := aio.WithTimeout(ctx, 50*time.Millisecond)
		if _, err := d.Wait(wctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("cancelled Wait = %v", err)
		}
		cancel()
		d.Kill()
		if rc, err := d.Wait(ctx); rc != -int(syscall.SIGKILL) || err != nil {
			t.Errorf("Wait after Kill = %d, %v", rc, err)
		}
		return nil
	})
}
