package aio_test

import (
	"bytes"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

func TestProfilingLabelsNameTheTaskOnItsGoroutine(t *testing.T) {
	var profile bytes.Buffer
	err := aio.Run(func(ctx *aio.Context) error {
		w := aio.Go(ctx, func(ctx *aio.Context) error {
			return pprof.Lookup("goroutine").WriteTo(&profile, 1)
		})
		w.SetName("labelled-worker")
		_, err := w.Await(ctx)
		return err
	}, aio.WithProfilingLabels(true), aio.WithDebug(false))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(profile.String(), `"aio.task":"labelled-worker"`) {
		t.Errorf("the goroutine profile has no aio.task label for the worker:\n%.2000s", profile.String())
	}
}

func TestTasksAreTraceTasksWhileTracing(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("a trace is already being recorded")
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skip(err)
	}
	err := aio.Run(func(ctx *aio.Context) error {
		w := aio.Go(ctx, func(ctx *aio.Context) error { return aio.Sleep(ctx, time.Millisecond) })
		w.SetName("traced-worker")
		_, err := w.Await(ctx)
		return err
	}, aio.WithDebug(false))
	trace.Stop()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"aio.task Task-2", "aio.step"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("the trace does not mention %q", want)
		}
	}
}
