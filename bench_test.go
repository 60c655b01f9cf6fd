package aio_test

import (
	"testing"

	"github.com/asyncgo/aio"
)

func BenchmarkSpawnAwait(b *testing.B) {
	b.ReportAllocs()
	_ = aio.Run(func(ctx *aio.Context) error {
		s := 0
		for i := 0; b.Loop(); i++ {
			t := aio.Spawn(ctx, func(*aio.Context) (int, error) { return i, nil })
			v, _ := t.Await(ctx)
			s += v
		}
		_ = s
		return nil
	})
}

func BenchmarkSleepZero(b *testing.B) {
	b.ReportAllocs()
	_ = aio.Run(func(ctx *aio.Context) error {
		for b.Loop() {
			_ = aio.Sleep(ctx, 0)
		}
		return nil
	})
}

func BenchmarkGatherMany(b *testing.B) {
	b.ReportAllocs()
	_ = aio.Run(func(ctx *aio.Context) error {
		for b.Loop() {
			ts := make([]*aio.Task[int], 1000)
			for i := range ts {
				ts[i] = aio.Spawn(ctx, func(ctx *aio.Context) (int, error) { aio.Sleep(ctx, 0); return i, nil })
			}
			aio.Gather(ctx, ts...)
		}
		return nil
	})
}

func BenchmarkQueuePipeline(b *testing.B) {
	b.ReportAllocs()
	_ = aio.Run(func(ctx *aio.Context) error {
		q := aio.NewQueue[int](100)
		var ws []*aio.Task[struct{}]
		for range 4 {
			ws = append(ws, aio.Go(ctx, func(ctx *aio.Context) error {
				for {
					_, err := q.Get(ctx)
					if err != nil {
						return err
					}
					q.TaskDone()
				}
			}))
		}
		for i := 0; b.Loop(); i++ {
			q.Put(ctx, i)
		}
		q.Join(ctx)
		for _, w := range ws {
			w.Cancel("")
		}
		aio.GatherSettled(ctx, ws...)
		return nil
	})
}
