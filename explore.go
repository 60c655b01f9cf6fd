package aio

import (
	"math/rand/v2"

	"github.com/asyncgo/aio/internal/ring"
)

// WithScheduleSeed makes the loop permute, deterministically from seed,
// the order in which it runs the items of each iteration's batch: task
// steps and callbacks that are equally ready (asyncio's iteration
// boundaries stay: nothing moves from one iteration to another, and a
// scope's deadline still runs after everything that was ready before it
// fired). The default (no seed) is FIFO, and the documented FIFO order of
// CallSoon and CallSoonThreadsafe holds only then. A test that passes
// under FIFO but fails under some seed depends on an order the program
// does not enforce; aiotest.Explore runs a test under many seeds and
// prints the seed to replay.
func WithScheduleSeed(seed uint64) Option {
	return optionFunc(func(c *config) { c.seed, c.seeded = seed, true })
}

// scheduleShuffle permutes batches for WithScheduleSeed. Loop goroutine.
type scheduleShuffle struct {
	rng *rand.Rand
}

func newScheduleShuffle(seed uint64) *scheduleShuffle {
	return &scheduleShuffle{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// shuffle permutes the ready queue (the batch about to run), segment by
// segment between scope deadlines, which keep their places.
func (s *scheduleShuffle) shuffle(r *ring.Ring[readyItem]) {
	n := r.Len()
	lo := 0
	for i := 0; i <= n; i++ {
		if i < n && r.At(i).h != scopeDeadline {
			continue
		}
		// Fisher–Yates on [lo, i).
		for j := i - 1; j > lo; j-- {
			k := lo + s.rng.IntN(j-lo+1)
			r.Swap(j, k)
		}
		lo = i + 1
	}
}
