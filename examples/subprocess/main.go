// Command subprocess runs child processes from an aio task without
// blocking the loop: it streams a shell's output line by line as the
// child writes it, then starts `sleep 10` under a 200 ms scope, and when
// the scope times out (the child keeps running: cancelling a wait never
// kills, as in asyncio) kills it and collects its return code, -9.
// Meanwhile a ticker task keeps ticking.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		ticks := 0
		ticker := aio.Go(ctx, func(ctx *aio.Context) error {
			for aio.Sleep(ctx, 10*time.Millisecond) == nil {
				ticks++
			}
			return nil
		})
		defer ticker.Cancel()

		// 1. Stream a child's output line by line.
		c := aio.ShellCommand(ctx, "for i in 1 2 3; do echo line $i; done; echo warning >&2; exit 2")
		out, err := c.StdoutPipe()
		if err != nil {
			return err
		}
		errs, err := c.StderrPipe()
		if err != nil {
			return err
		}
		if err := c.Start(); err != nil {
			return err
		}
		for {
			line, err := out.ReadLine(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "stdout: %s", line)
		}
		msg, err := errs.ReadAll(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "stderr: %s", msg)
		rc, err := c.Wait(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "exit code %d\n", rc)
		out.Close()
		errs.Close()

		// 2. Time a child out, then kill it.
		s := aio.Command(ctx, "sleep", "10")
		if err := s.Start(); err != nil {
			return err
		}
		fmt.Fprintln(w, "started sleep 10")
		wctx, cancel := aio.WithTimeout(ctx, 200*time.Millisecond)
		_, err = s.Wait(wctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("wait: %v, want a timeout", err)
		}
		_, exited := s.ReturnCode()
		fmt.Fprintf(w, "timed out after 200ms; still running: %v\n", !exited)
		if err := s.Kill(); err != nil {
			return err
		}
		rc, err = s.Wait(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "killed: return code %d\n", rc)
		fmt.Fprintf(w, "the ticker kept ticking: %v\n", ticks >= 10)
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
