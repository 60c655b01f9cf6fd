package aio_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// blockHere sleeps the goroutine: the blocking call the watchdog must name.
func blockHere(d time.Duration) { time.Sleep(d) }

func TestWatchdogReportsABlockingStepWithItsStackWhileItStillBlocks(t *testing.T) {
	reports := make(chan aio.BlockingReport, 4)
	var stillRunning bool
	var mu sync.Mutex
	err := aio.Run(func(ctx *aio.Context) error {
		task := aio.Go(ctx, func(ctx *aio.Context) error {
			// Block until the watchdog has reported (real time is what this
			// test is about), with a generous cap.
			deadline := time.Now().Add(5 * time.Second)
			for len(reports) == 0 && time.Now().Before(deadline) {
				blockHere(5 * time.Millisecond)
			}
			mu.Lock()
			stillRunning = len(reports) > 0
			mu.Unlock()
			return nil
		})
		task.SetName("blocker")
		_, err := task.Await(ctx)
		return err
	}, aio.WithDebug(true), aio.WithSlowCallback(20*time.Millisecond),
		aio.WithBlockingReport(func(r aio.BlockingReport) { reports <- r }))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !stillRunning {
		t.Fatal("no report while the step was still blocking")
	}
	r := <-reports
	if r.Task != "blocker" || r.Elapsed < 20*time.Millisecond || r.Goroutine == 0 {
		t.Errorf("report = %+v", r)
	}
	for _, want := range []string{"time.Sleep", "aio_test.blockHere", "debug_test.go:"} {
		if !strings.Contains(r.Stack, want) {
			t.Errorf("the stack does not name %q:\n%s", want, r.Stack)
		}
	}
	if strings.Contains(r.Stack, "internal/coro") {
		t.Errorf("the stack shows the coroutine machinery:\n%s", r.Stack)
	}
	if !strings.HasPrefix(r.Created, "github.com/asyncgo/aio_test.TestWatchdogReportsABlockingStepWithItsStackWhileItStillBlocks.func") ||
		!strings.Contains(r.Created, "debug_test.go:") {
		t.Errorf("Created = %q, want the test's call of Go first", r.Created)
	}
	if s := r.String(); !strings.Contains(s, "task blocker has been blocking the event loop") || !strings.Contains(s, "blocker was created at:") {
		t.Errorf("String() = %s", s)
	}
}

func TestWatchdogReportsABlockingCallbackOnTheLoopGoroutine(t *testing.T) {
	reports := make(chan aio.BlockingReport, 4)
	l := aio.NewLoop(aio.WithDebug(true), aio.WithSlowCallback(20*time.Millisecond),
		aio.WithBlockingReport(func(r aio.BlockingReport) { reports <- r }))
	defer l.Close()
	l.CallSoon(func() {
		deadline := time.Now().Add(5 * time.Second)
		for len(reports) == 0 && time.Now().Before(deadline) {
			blockHere(5 * time.Millisecond)
		}
		l.Stop()
	})
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	r := <-reports
	if r.Task != "" || !strings.Contains(r.Stack, "aio_test.blockHere") {
		t.Errorf("report = %+v", r)
	}
}

func TestNoWatchdogWithoutDebugMode(t *testing.T) {
	called := false
	err := aio.Run(func(ctx *aio.Context) error {
		blockHere(30 * time.Millisecond)
		return nil
	}, aio.WithDebug(false), aio.WithSlowCallback(time.Millisecond),
		aio.WithBlockingReport(func(aio.BlockingReport) { called = true }))
	if err != nil || called {
		t.Fatalf("err = %v, report called = %v", err, called)
	}
}

func spawnFailing(h aio.Host) *aio.Task[struct{}] {
	return aio.Go(h, func(*aio.Context) error { return errors.New("boom") })
}

func TestUnretrievedErrorReportNamesWhereTheTaskWasCreated(t *testing.T) {
	var got []aio.ExceptionContext
	err := aio.Run(func(ctx *aio.Context) error {
		spawnFailing(ctx)
		return aio.Sleep(ctx, time.Millisecond)
	}, aio.WithDebug(true), aio.WithClock(aio.NewVirtualClock(time.Time{})),
		aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { got = append(got, ec) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("reports = %+v", got)
	}
	first, _, _ := strings.Cut(got[0].TaskCreated, "\n")
	if !strings.HasPrefix(first, "github.com/asyncgo/aio_test.spawnFailing ") || !strings.Contains(first, "debug_test.go:") {
		t.Errorf("TaskCreated starts with %q, want spawnFailing's call of Go", first)
	}
}

func TestNoCreationSiteOutsideDebugMode(t *testing.T) {
	var got []aio.ExceptionContext
	_ = aio.Run(func(ctx *aio.Context) error {
		spawnFailing(ctx)
		return aio.Sleep(ctx, time.Millisecond)
	}, aio.WithDebug(false), aio.WithClock(aio.NewVirtualClock(time.Time{})),
		aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { got = append(got, ec) }))
	if len(got) != 1 || got[0].TaskCreated != "" {
		t.Fatalf("reports = %+v", got)
	}
}

func TestClosingWithPendingTasksReportsThemInDebugMode(t *testing.T) {
	var got []aio.ExceptionContext
	l := aio.NewLoop(aio.WithDebug(true), aio.WithExceptionHandler(func(_ *aio.Loop, ec aio.ExceptionContext) { got = append(got, ec) }))
	aio.Go(l, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Hour) })
	l.Close()
	if len(got) != 1 || got[0].Message != "task was still pending when the loop closed" || !strings.Contains(got[0].TaskCreated, "debug_test.go:") {
		t.Fatalf("reports = %+v", got)
	}
}

func TestMetricsCountStepsTasksAndLag(t *testing.T) {
	l := aio.NewLoop(aio.WithClock(aio.NewVirtualClock(time.Time{})))
	defer l.Close()
	main := aio.Go(l, func(ctx *aio.Context) error {
		for i := 0; i < 10; i++ {
			aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Second) })
		}
		for i := 0; i < 200; i++ {
			if err := aio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	m := l.Metrics()
	if m.Steps < 200 || m.Tasks != 10 || m.MaxLoopLag <= 0 || m.StepsPerSecond <= 0 {
		t.Errorf("metrics = %+v", m)
	}
	if m.WaitingForever || m.InFlight != 0 {
		t.Errorf("metrics = %+v", m)
	}
	l.AddInFlight(1)
	if m := l.Metrics(); m.InFlight != 1 {
		t.Errorf("InFlight = %d", m.InFlight)
	}
	l.AddInFlight(-1)
}

func TestMetricsShowALoopWaitingForever(t *testing.T) {
	l := aio.NewLoop()
	defer l.Close()
	blocked := make(chan struct{})
	go func() {
		for !l.Metrics().WaitingForever {
			time.Sleep(time.Millisecond) // polling a real-time state from outside
		}
		close(blocked)
		_ = l.CallSoonThreadsafe(l.Stop)
	}()
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	<-blocked
}
