// Command retry is a client that retries a failing call with exponential
// backoff (1 s, doubling, capped at one minute) until the server comes
// back, here after an hour. Its test runs that hour on a virtual clock in
// milliseconds and checks the exact attempts and times.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

func main() {
	if err := run(os.Stdout, time.Hour); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// errUnavailable is the server's answer while it is down.
var errUnavailable = errors.New("503 service unavailable")

// server is down until the loop time reaches up.
type server struct {
	l  *aio.Loop
	up time.Time
}

func (s *server) call(ctx *aio.Context) (string, error) {
	if err := aio.Sleep(ctx, 10*time.Millisecond); err != nil { // the round trip
		return "", err
	}
	if s.l.Time().Before(s.up) {
		return "", errUnavailable
	}
	return "ok", nil
}

// Backoff bounds.
const (
	firstDelay = time.Second
	maxDelay   = time.Minute
)

// retry calls fn until it succeeds or ctx is cancelled, sleeping between
// attempts with exponential backoff. It returns the result and the number
// of attempts.
func retry[T any](ctx *aio.Context, fn func(*aio.Context) (T, error)) (T, int, error) {
	delay := firstDelay
	for attempt := 1; ; attempt++ {
		v, err := fn(ctx)
		if err == nil {
			return v, attempt, nil
		}
		if ctx.Err() != nil {
			return v, attempt, err
		}
		if err := aio.Sleep(ctx, delay); err != nil {
			return v, attempt, err
		}
		delay = min(2*delay, maxDelay)
	}
}

// run starts a server that is down for downtime and a client that
// retries until it answers, and prints the outcome.
func run(w io.Writer, downtime time.Duration, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		start := l.Time()
		srv := &server{l: l, up: start.Add(downtime)}
		v, attempts, err := retry(ctx, srv.call)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "got %q after %d attempts in %v\n", v, attempts, l.Time().Sub(start))
		return nil
	}, opts...)
}
