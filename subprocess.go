package aio

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// Cmd is a child process run from a task without blocking the loop
// (asyncio's create_subprocess_exec and Process). Command and
// ShellCommand create one; set Dir and Env, ask for pipes (StdinPipe,
// StdoutPipe, StderrPipe: *Streams over non-blocking pipes registered with
// the loop's reactor) and Start it; Wait for its exit, or Communicate.
// Standard streams without a pipe read from (write to) the null device.
//
// Waiting never blocks the loop: on Linux ≥ 5.3 Start opens a pidfd for the
// child and registers it with the reactor, which reports it readable when
// the child exits; Wait then reaps it at once. Where pidfd_open is not
// available (older kernels, other systems) a goroutine waits for the child
// and posts the outcome to the loop. Cancelling a Wait leaves the process
// running, as in asyncio: Kill or Terminate it, then Wait again. Wait for
// every started child before the loop closes: a child never waited for is
// not reaped (it stays a zombie until this process exits).
//
// Goroutines: everything is for the tasks of the loop Command was given,
// except Pid, Kill, Terminate and Signal, which are safe from any goroutine
// once Start returned. Start itself forks and execs synchronously on the
// loop goroutine (a fraction of a millisecond).
type Cmd struct {
	// Path is the program to run; Args its arguments, Args[0] included
	// (as exec.Cmd's).
	Path string
	Args []string
	// Dir is the child's working directory ("" is the loop's process's).
	Dir string
	// Env is the child's environment (nil: the current process's).
	Env []string

	loop    *Loop
	lookErr error
	cmd     *exec.Cmd
	stdin   *Stream
	stdout  *Stream
	stderr  *Stream
	child   []*os.File // the child's ends of the pipes, closed after Start
	waiter  procWaiter
	done    bool
	rc      int
	state   *os.ProcessState
	waitErr error
}

// Command returns a Cmd that runs name with args (asyncio's
// create_subprocess_exec, before the start). A name without a path
// separator is looked up in PATH now (exec.LookPath); a failed lookup is
// Start's error. ctx names the loop. Task of ctx's loop only.
func Command(ctx *Context, name string, args ...string) *Cmd {
	ctx.enter("aio.Command")
	c := &Cmd{Path: name, Args: append([]string{name}, args...), loop: ctx.task.loop}
	if p, err := exec.LookPath(name); err == nil {
		c.Path = p
	} else if !errors.Is(err, exec.ErrDot) {
		c.lookErr = err
	}
	return c
}

// ShellCommand returns a Cmd that runs cmdline with /bin/sh -c (asyncio's
// create_subprocess_shell, before the start). Task of ctx's loop only.
func ShellCommand(ctx *Context, cmdline string) *Cmd {
	return Command(ctx, "/bin/sh", "-c", cmdline)
}

// ErrProcessNotStarted is returned by Wait, Communicate and the signalling
// methods of a Cmd that was not started.
var ErrProcessNotStarted = errors.New("aio: process not started")

// ErrProcessStarted is returned by the pipe methods and Start of a Cmd
// that was already started.
var ErrProcessStarted = errors.New("aio: process already started")

// StdinPipe returns a Stream writing to the child's standard input; Close
// it (or CloseWrite it) to send EOF. Call before Start. Task of the loop.
func (c *Cmd) StdinPipe() (*Stream, error) {
	return c.pipe(&c.stdin, "|stdin")
}

// StdoutPipe returns a Stream reading the child's standard output. Call
// before Start. Task of the loop.
func (c *Cmd) StdoutPipe() (*Stream, error) {
	return c.pipe(&c.stdout, "|stdout")
}

// StderrPipe returns a Stream reading the child's standard error. Call
// before Start. Task of the loop.
func (c *Cmd) StderrPipe() (*Stream, error) {
	return c.pipe(&c.stderr, "|stderr")
}

func (c *Cmd) pipe(dst **Stream, name string) (*Stream, error) {
	if c.cmd != nil {
		return nil, ErrProcessStarted
	}
	if *dst != nil {
		return *dst, nil
	}
	conn, f, err := newPipe(c.loop, name)
	if err != nil {
		return nil, err
	}
	c.child = append(c.child, f)
	*dst = NewStream(conn)
	return *dst, nil
}

// Start starts the process. On failure every pipe is closed. Task of the
// loop only.
func (c *Cmd) Start() error {
	if c.cmd != nil {
		return ErrProcessStarted
	}
	cmd := &exec.Cmd{Path: c.Path, Args: c.Args, Dir: c.Dir, Env: c.Env, Err: c.lookErr}
	c.cmd = cmd
	// The pipes were created in the order the methods were called; map
	// each stream to its file.
	for _, f := range c.child {
		switch f.Name() {
		case "|stdin":
			cmd.Stdin = f
		case "|stdout":
			cmd.Stdout = f
		case "|stderr":
			cmd.Stderr = f
		}
	}
	err := cmd.Start()
	for _, f := range c.child {
		f.Close()
	}
	c.child = nil
	if err != nil {
		c.closePipes()
		c.done, c.rc, c.waitErr = true, -1, err
		return err
	}
	c.waiter = startWaiter(c)
	return nil
}

func (c *Cmd) closePipes() {
	for _, s := range []*Stream{c.stdin, c.stdout, c.stderr} {
		if s != nil {
			s.Close()
		}
	}
}

// Wait waits for the process to exit and returns its return code
// (asyncio's returncode: the exit status, or minus the signal number that
// killed it). A non-zero exit is not an error; the error is a cancellation
// of ctx (the process keeps running), or a failure to wait. The pipes stay
// open: read what is left after Wait. Waiting again returns the same code.
// Task of the loop only.
func (c *Cmd) Wait(ctx *Context) (int, error) {
	t := ctx.enter("Cmd.Wait")
	if c.cmd == nil {
		return -1, ErrProcessNotStarted
	}
	if c.done {
		return c.rc, c.waitErr
	}
	if err := c.waiter.wait(ctx, t); err != nil {
		return -1, err
	}
	return c.rc, c.waitErr
}

// reap collects the exited child (it must have exited: this does not
// block) and records its return code.
func (c *Cmd) reap() {
	if c.done {
		return
	}
	err := c.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = nil
	}
	c.finish(c.cmd.ProcessState, err)
}

func (c *Cmd) finish(ps *os.ProcessState, err error) {
	c.done, c.state, c.waitErr = true, ps, err
	c.rc = -1
	if ps != nil {
		c.rc = ps.ExitCode()
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			c.rc = -int(ws.Signal())
		}
	}
	c.waiter.close()
}

// ReturnCode returns the return code (see Wait) and true once Wait
// observed the exit; -1 and false before (asyncio's returncode is None).
func (c *Cmd) ReturnCode() (int, bool) {
	if !c.done || c.state == nil {
		return -1, false
	}
	return c.rc, true
}

// ProcessState returns the exited process's state, or nil before Wait
// observed the exit.
func (c *Cmd) ProcessState() *os.ProcessState { return c.state }

// Communicate writes input to the child's standard input (if StdinPipe was
// called) and closes it, reads standard output and standard error (those
// with a pipe) to their end, and waits for the exit (asyncio's
// communicate). A child that exits without reading all of input is not an
// error (EPIPE is ignored, as asyncio does). If ctx is cancelled the
// reads stop and the process keeps running. Task of the loop only.
func (c *Cmd) Communicate(ctx *Context, input []byte) (stdout, stderr []byte, err error) {
	ctx.enter("Cmd.Communicate")
	if c.cmd == nil {
		return nil, nil, ErrProcessNotStarted
	}
	err = RunTaskGroup(ctx, func(ctx *Context, tg *TaskGroup) error {
		if c.stdin != nil {
			in := c.stdin
			tg.Go(func(ctx *Context) error {
				defer in.Close()
				if len(input) > 0 {
					if in.Write(ctx, input) == nil {
						_ = in.Drain(ctx)
					}
				}
				return nil
			})
		}
		if c.stdout != nil {
			tg.Go(func(ctx *Context) (err error) {
				stdout, err = c.stdout.ReadAll(ctx)
				return err
			})
		}
		if c.stderr != nil {
			tg.Go(func(ctx *Context) (err error) {
				stderr, err = c.stderr.ReadAll(ctx)
				return err
			})
		}
		return nil
	})
	if err != nil {
		return stdout, stderr, err
	}
	_, err = c.Wait(ctx)
	return stdout, stderr, err
}

// Pid returns the process id, or -1 before Start. Any goroutine after
// Start.
func (c *Cmd) Pid() int {
	if c.cmd == nil || c.cmd.Process == nil {
		return -1
	}
	return c.cmd.Process.Pid
}

// Signal sends sig to the process. After Wait observed the exit it returns
// os.ErrProcessDone. Any goroutine after Start.
func (c *Cmd) Signal(sig os.Signal) error {
	if c.cmd == nil || c.cmd.Process == nil {
		return ErrProcessNotStarted
	}
	return c.cmd.Process.Signal(sig)
}

// Kill sends SIGKILL (asyncio's kill). Any goroutine after Start.
func (c *Cmd) Kill() error { return c.Signal(os.Kill) }

// Terminate sends SIGTERM (asyncio's terminate). Any goroutine after
// Start.
func (c *Cmd) Terminate() error { return c.Signal(syscall.SIGTERM) }

// procWaiter is how Wait learns of the exit: a pidfd registered with the
// reactor, or a goroutine (threadWaiter).
type procWaiter interface {
	wait(ctx *Context, t *task) error
	close()
}

// threadWaiter waits for the child in a goroutine and posts the outcome:
// the fallback where pidfds are not available. The goroutine owns c.cmd
// until the future completes.
type threadWaiter struct {
	c *Cmd
	f *Future[waitOutcome]
}

type waitOutcome struct {
	ps  *os.ProcessState
	err error
}

func newThreadWaiter(c *Cmd) *threadWaiter {
	w := &threadWaiter{c: c, f: NewFuture[waitOutcome](c.loop)}
	cmd := c.cmd
	go func() {
		err := cmd.Wait()
		_ = w.f.SetResultThreadsafe(waitOutcome{cmd.ProcessState, err})
	}()
	w.f.AddDoneCallback(w.apply)
	return w
}

// apply records the outcome, once (from Wait or the done callback,
// whichever runs first).
func (w *threadWaiter) apply() {
	if w.c.done {
		return
	}
	o, _ := w.f.Result()
	var ee *exec.ExitError
	if errors.As(o.err, &ee) {
		o.err = nil
	}
	w.c.finish(o.ps, o.err)
}

func (w *threadWaiter) wait(ctx *Context, t *task) error {
	if _, err := Shield(ctx, w.f); err != nil {
		return err
	}
	w.apply()
	return nil
}

func (w *threadWaiter) close() {}
