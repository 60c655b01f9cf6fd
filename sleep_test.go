package aio_test

import (
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Sleep with no delay — 0, or negative, which is treated as 0 — yields once:
// the callback ready before it runs first, the one scheduled meanwhile runs
// after. It uses no timer, so it resumes before a zero-delay timer set up
// before it, and the clock does not move.
// CPython: SleepTests.test_sleep_zero in
// https://github.com/python/cpython/blob/main/Lib/test/test_asyncio/test_tasks.py
func TestSleepWithNoDelayYieldsExactlyOnceWithoutATimer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration
	}{
		{"zero", 0},
		{"negative is treated as zero", -time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			runVirtual(t, func(ctx *aio.Context) error {
				l := ctx.Loop()
				start := l.Time()
				l.CallLater(0, func() { got = append(got, "timer") })
				l.CallSoon(func() {
					got = append(got, "ready")
					l.CallSoon(func() { got = append(got, "scheduled-meanwhile") })
				})
				if err := aio.Sleep(ctx, tc.delay); err != nil {
					return err
				}
				got = append(got, "resumed")
				if !l.Time().Equal(start) {
					t.Errorf("virtual clock moved by %v", l.Time().Sub(start))
				}
				return aio.Sleep(ctx, time.Second)
			})
			if want := []string{"ready", "resumed", "timer", "scheduled-meanwhile"}; !slices.Equal(got, want) {
				t.Fatalf("order %v, want %v", got, want)
			}
		})
	}
}
