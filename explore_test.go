package aio_test

import (
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// order runs three tasks spawned together, plus a CallSoon callback, and
// returns the order their first steps ran in.
func order(t *testing.T, opts ...aio.Option) []string {
	t.Helper()
	var got []string
	err := aio.Run(func(ctx *aio.Context) error {
		l := ctx.Loop()
		var ts []*aio.Task[struct{}]
		for _, name := range []string{"a", "b", "c"} {
			ts = append(ts, aio.Go(ctx, func(*aio.Context) error { got = append(got, name); return nil }))
		}
		l.CallSoon(func() { got = append(got, "cb") })
		_, err := aio.Gather(ctx, ts...)
		return err
	}, append([]aio.Option{aio.WithClock(aio.NewVirtualClock(time.Time{}))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestScheduleSeedPermutesEquallyReadyItemsDeterministically(t *testing.T) {
	fifo := []string{"a", "b", "c", "cb"}
	if got := order(t); !slices.Equal(got, fifo) {
		t.Fatalf("FIFO order = %q, want %q", got, fifo)
	}
	seen := map[string]bool{}
	for seed := uint64(0); seed < 64; seed++ {
		got := order(t, aio.WithScheduleSeed(seed))
		if again := order(t, aio.WithScheduleSeed(seed)); !slices.Equal(got, again) {
			t.Fatalf("seed %d gave %q then %q", seed, got, again)
		}
		s := slices.Clone(got)
		slices.Sort(s)
		if !slices.Equal(s, []string{"a", "b", "c", "cb"}) {
			t.Fatalf("seed %d ran %q", seed, got)
		}
		seen[joined(got)] = true
	}
	if n := len(seen); n < 6 {
		t.Errorf("64 seeds produced only %d orders of 24", n)
	}
}

func joined(s []string) string {
	out := ""
	for _, x := range s {
		out += x + ","
	}
	return out
}

func TestScheduleSeedKeepsIterationBoundaries(t *testing.T) {
	// A task that yields runs its second step after every item of the
	// first batch, whatever the seed.
	for seed := uint64(0); seed < 32; seed++ {
		var got []string
		err := aio.Run(func(ctx *aio.Context) error {
			a := aio.Go(ctx, func(ctx *aio.Context) error {
				got = append(got, "a1")
				if err := aio.Sleep(ctx, 0); err != nil {
					return err
				}
				got = append(got, "a2")
				return nil
			})
			b := aio.Go(ctx, func(*aio.Context) error { got = append(got, "b"); return nil })
			c := aio.Go(ctx, func(*aio.Context) error { got = append(got, "c"); return nil })
			_, err := aio.Gather(ctx, a, b, c)
			return err
		}, aio.WithScheduleSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		if got[3] != "a2" {
			t.Fatalf("seed %d: %q: a's second step ran inside the first batch", seed, got)
		}
	}
}
