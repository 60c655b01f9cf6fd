package aio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestSubmitRunsTheCoroutineOnTheLoopAndWaitReturnsItsResult(t *testing.T) {
	l, stop := serveLoop(t)
	defer stop()
	s, err := aio.Submit(l, func(ctx *aio.Context) (string, error) {
		if err := aio.Sleep(ctx, time.Millisecond); err != nil {
			return "", err
		}
		return "from the loop", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Wait(context.Background())
	if v != "from the loop" || err != nil {
		t.Errorf("Wait = %q, %v; want the coroutine's result", v, err)
	}
	select {
	case <-s.Done():
	default:
		t.Errorf("Done is not closed after Wait returned")
	}
	if v2, err2 := s.Wait(context.Background()); v2 != v || err2 != err {
		t.Errorf("a second Wait = %q, %v; want the same result", v2, err2)
	}
}

func TestSubmitWaitReturnsAPanicInTheCoroutineAsPanicError(t *testing.T) {
	l, stop := serveLoop(t)
	defer stop()
	s, err := aio.Submit(l, func(*aio.Context) (int, error) { panic("submitted panic") })
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Wait(context.Background())
	var pe *aio.PanicError
	if !errors.As(err, &pe) || pe.Value != "submitted panic" {
		t.Errorf("Wait = %v, want a *PanicError", err)
	}
}

func TestSubmissionCancelCancelsTheRunningTask(t *testing.T) {
	l, stop := serveLoop(t)
	defer stop()
	started := make(chan struct{})
	s, err := aio.Submit(l, func(ctx *aio.Context) (int, error) {
		close(started)
		return 0, aio.Sleep(ctx, time.Hour)
	})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if !s.Cancel("from outside") {
		t.Errorf("Cancel on a running submission returned false")
	}
	_, err = s.Wait(context.Background())
	var ce *aio.CancelledError
	if !errors.As(err, &ce) || ce.Message != "from outside" {
		t.Errorf("Wait = %v, want the cancellation with its message", err)
	}
	if s.Cancel() {
		t.Errorf("Cancel after the result is available returned true")
	}
}

func TestSubmissionCancelledBeforeTheLoopRunsItNeverRuns(t *testing.T) {
	l := aio.NewLoop()
	ran := false
	s, err := aio.Submit(l, func(*aio.Context) (int, error) { ran = true; return 1, nil })
	if err != nil {
		t.Fatal(err)
	}
	s.Cancel("never mind")
	// Run the loop until the submission reported back.
	main := aio.Go(l, func(ctx *aio.Context) error {
		_, _, err := aio.Recv(ctx, s.Done())
		return err
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	_, err = s.Wait(context.Background())
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Wait = %v (ran: %t), want the cancellation and the coroutine never run", err, ran)
	}
}

func TestSubmitToAClosedLoopFailsAtOnceWithErrLoopClosed(t *testing.T) {
	l := aio.NewLoop()
	_ = l.Close()
	s, err := aio.Submit(l, func(*aio.Context) (int, error) { return 0, nil })
	if s != nil || !errors.Is(err, aio.ErrLoopClosed) {
		t.Errorf("Submit to a closed loop = %v, %v; want nil, ErrLoopClosed", s, err)
	}
}

func TestSubmissionWaitReturnsErrLoopClosedWhenTheLoopClosesBeforeTheTaskRan(t *testing.T) {
	l := aio.NewLoop()
	s, err := aio.Submit(l, func(*aio.Context) (int, error) { return 0, nil })
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Close() // never ran
	if _, err := s.Wait(context.Background()); !errors.Is(err, aio.ErrLoopClosed) {
		t.Errorf("Wait = %v, want ErrLoopClosed", err)
	}
}

func TestSubmissionWaitReturnsWhenItsContextIsDoneAndTheTaskGoesOn(t *testing.T) {
	l, stop := serveLoop(t)
	defer stop()
	release := make(chan struct{})
	s, err := aio.Submit(l, func(ctx *aio.Context) (int, error) {
		_, _, err := aio.Recv(ctx, release)
		return 9, err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Wait(ctx); err != context.Canceled {
		t.Errorf("Wait with a cancelled context = %v, want context.Canceled", err)
	}
	close(release)
	if v, err := s.Wait(context.Background()); v != 9 || err != nil {
		t.Errorf("the task = %v, %v; want 9, nil (Wait's context must not cancel it)", v, err)
	}
}

func TestSubmitWithANilLoopOrFunctionPanics(t *testing.T) {
	r := recoverPanic(func() { aio.Submit(nil, func(*aio.Context) (int, error) { return 0, nil }) })
	if msg, _ := r.(string); !strings.Contains(msg, "nil *Loop") {
		t.Errorf("Submit(nil loop) panicked with %v", r)
	}
	l := aio.NewLoop()
	defer l.Close()
	r = recoverPanic(func() { aio.Submit[int](l, nil) })
	if msg, _ := r.(string); !strings.Contains(msg, "nil function") {
		t.Errorf("Submit(nil fn) panicked with %v", r)
	}
}

// Many goroutines submit at once; every submission runs exactly once.
func TestSubmitFromManyGoroutinesRunsEachSubmissionOnce(t *testing.T) {
	l, stop := serveLoop(t)
	defer stop()
	const n = 50
	counts := make([]int, n) // touched only on the loop goroutine
	errs := make(chan error, n)
	for i := range n {
		go func() {
			s, err := aio.Submit(l, func(*aio.Context) (int, error) { counts[i]++; return i, nil })
			if err == nil {
				var v int
				v, err = s.Wait(context.Background())
				if err == nil && v != i {
					err = errors.New("wrong value")
				}
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s, _ := aio.Submit(l, func(*aio.Context) ([]int, error) { return append([]int(nil), counts...), nil })
	got, _ := s.Wait(context.Background())
	for i, c := range got {
		if c != 1 {
			t.Fatalf("submission %d ran %d times", i, c)
		}
	}
}
