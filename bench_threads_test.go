package aio_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/asyncgo/aio"
)

// One op: ToThread of a function that returns at once — the round trip
// loop → pool worker → loop (CallSoonThreadsafe) → task, with a reused
// worker.
func BenchmarkToThread(b *testing.B) {
	runBench(b, func(ctx *aio.Context) error {
		s, n := 0, 0
		for ; b.Loop(); n++ {
			i := n
			v, err := aio.ToThread(ctx, func(context.Context) (int, error) { return i, nil })
			if err != nil {
				return err
			}
			s += v
		}
		return checkSum(s, n)
	})
}

// One op: one callback posted with CallSoonThreadsafe from one of P
// goroutines posting at once, and run on the loop. callbacks/batch is how
// many posted callbacks one loop iteration picked up on average: the inbox
// wakes the loop only on the post that makes it non-empty, so under
// contention many posts share one wake-up.
func BenchmarkCallSoonThreadsafe(b *testing.B) {
	for _, posters := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("posters=%d", posters), func(b *testing.B) {
			b.ReportAllocs()
			batches := 0
			err := aio.Run(func(ctx *aio.Context) error {
				l := ctx.Loop()
				n := b.N
				done := aio.NewFuture[struct{}](ctx)
				count, inBatch := 0, false
				endBatch := func() { inBatch = false }
				cb := func() {
					count++
					if !inBatch {
						// The first posted callback of an iteration; the
						// reset runs in the next one.
						inBatch = true
						batches++
						l.CallSoon(endBatch)
					}
					if count == n {
						_ = done.SetResult(struct{}{})
					}
				}
				var wg sync.WaitGroup
				b.ResetTimer()
				for p := range posters {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for j := p; j < n; j += posters {
							if err := l.CallSoonThreadsafe(cb); err != nil {
								panic(err)
							}
						}
					}()
				}
				_, err := done.Await(ctx)
				b.StopTimer()
				wg.Wait() // every post has been made: count reached n
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/float64(max(batches, 1)), "callbacks/batch")
		})
	}
}
