package aio_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/asyncgo/aio"
)

// Storm tests: many tasks hammer one primitive while a chaos task cancels
// random ones (Task.Cancel, replacing each with a fresh task) and the
// operations run in WithTimeout scopes of random lengths, all on the
// virtual clock with a seeded RNG. They check the primitive's invariant and
// that every task finishes (a lost wake-up would leave one waiting forever;
// the whole run is bounded by a virtual-time deadline).

// stormCounts tallies the cancellations a storm delivered.
type stormCounts struct {
	taskCancels int // Task.Cancel calls on running workers
	timeouts    int // operations ended by their WithTimeout scope
}

// storm starts one task per slot (worker(slot) is its body) and, while
// !done(), cancels the task of a random slot every random interval of up
// to maxGap, calls poke (which uses the primitive in the window between
// the cancellation and the cancelled task's next step, where a wait that
// was not withdrawn would swallow a wake-up), and starts a replacement in
// the slot. It returns every task it
// started, by slot, and how many Task.Cancel calls hit a pending task.
func storm(ctx *aio.Context, t *testing.T, rng *rand.Rand, slots int, maxGap time.Duration,
	worker func(slot int) func(ctx *aio.Context) error, poke func(), done func() bool) (bySlot [][]*aio.Task[struct{}], taskCancels int) {
	t.Helper()
	bySlot = make([][]*aio.Task[struct{}], slots)
	spawn := func(i int) { bySlot[i] = append(bySlot[i], aio.Go(ctx, worker(i))) }
	for i := range slots {
		spawn(i)
	}
	start := ctx.Loop().Time()
	defer func() { t.Logf("the storm took %v of virtual time", ctx.Loop().Time().Sub(start)) }()
	limit := start.Add(time.Second) // the storms take well under 100ms of virtual time
	for !done() {
		if ctx.Loop().Time().After(limit) {
			t.Errorf("no progress after a second of virtual time (lost wake-up?)")
			break
		}
		if err := aio.Sleep(ctx, time.Duration(rng.Int64N(int64(maxGap)))); err != nil {
			t.Fatalf("chaos: %v", err)
		}
		i := rng.IntN(slots)
		if bySlot[i][len(bySlot[i])-1].Cancel("chaos") {
			taskCancels++
		}
		poke()
		spawn(i)
	}
	return bySlot, taskCancels
}

// settle waits for every task of the given slots to end, and fails the
// test if that takes more than an hour of virtual time (a task left waiting
// for a wake-up that never comes) or if one failed other than by being
// cancelled.
func settle(ctx *aio.Context, t *testing.T, slots ...[]*aio.Task[struct{}]) {
	t.Helper()
	var all []*aio.Task[struct{}]
	for _, s := range slots {
		all = append(all, s...)
	}
	wctx, cancel := aio.WithTimeout(ctx, time.Hour)
	defer cancel()
	results, err := aio.GatherSettled(wctx, all...)
	if err != nil {
		t.Fatalf("the workers did not all finish (lost wake-up?): %v", err)
	}
	for _, r := range results {
		if r.Err != nil && !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("a worker failed: %v", r.Err)
		}
	}
}

// randTimeout opens a WithTimeout scope of a random length up to max
// (sometimes already expired).
func randTimeout(ctx *aio.Context, rng *rand.Rand, max time.Duration) (*aio.Context, aio.CancelFunc) {
	return aio.WithTimeout(ctx, time.Duration(rng.Int64N(int64(max))))
}

func TestQueueStormEveryItemPutIsTakenExactlyOnce(t *testing.T) {
	const (
		size       = 8
		producers  = 20
		consumers  = 20
		target     = 50_000
		minCancels = 5_000
	)
	rng := rand.New(rand.NewPCG(2024, 13))
	runVirtual(t, func(ctx *aio.Context) error {
		q := aio.NewQueue[int](size)
		var (
			state       []uint8 // per item id: 1 offered (its Put is running or succeeded), 2 taken, 3 its Put failed
			puts, takes int
			c           stormCounts
		)
		take := func(v int) {
			if state[v] != 1 {
				t.Errorf("item %d taken in state %d (a duplicate, or its Put failed)", v, state[v])
			}
			state[v] = 2
			takes++
			if err := q.TaskDone(); err != nil {
				t.Errorf("TaskDone: %v", err)
			}
		}
		producer := func(ctx *aio.Context) error {
			for puts < target {
				id := len(state)
				state = append(state, 1)
				pctx, cancel := randTimeout(ctx, rng, 60*time.Microsecond)
				err := q.Put(pctx, id)
				cancel()
				switch {
				case err == nil:
					puts++
				case state[id] == 2:
					t.Errorf("item %d was taken but its Put returned %v", id, err)
				default:
					state[id] = 3
					if errors.Is(err, context.DeadlineExceeded) {
						c.timeouts++
					}
				}
				if err := aio.Sleep(ctx, time.Duration(rng.IntN(20))*time.Microsecond); err != nil {
					return err
				}
			}
			return nil
		}
		consumer := func(ctx *aio.Context) error {
			for {
				gctx, cancel := randTimeout(ctx, rng, 60*time.Microsecond)
				v, err := q.Get(gctx)
				cancel()
				switch {
				case err == nil:
					take(v)
				case errors.Is(err, aio.ErrQueueShutDown):
					return nil
				case errors.Is(err, context.DeadlineExceeded):
					c.timeouts++
				}
				if err := aio.Sleep(ctx, time.Duration(rng.IntN(20))*time.Microsecond); err != nil {
					return err
				}
			}
		}
		bySlot, taskCancels := storm(ctx, t, rng, producers+consumers, 5*time.Microsecond,
			func(slot int) func(*aio.Context) error {
				if slot < producers {
					return producer
				}
				return consumer
			},
			func() {
				switch rng.IntN(3) {
				case 0: // take an item
					if v, err := q.GetNowait(); err == nil {
						take(v)
					}
				case 1: // put one
					id := len(state)
					state = append(state, 1)
					if err := q.PutNowait(id); err == nil {
						puts++
					} else {
						state[id] = 3
					}
				}
			},
			func() bool { return puts >= target })
		c.taskCancels = taskCancels
		settle(ctx, t, bySlot[:producers]...)
		jctx, cancel := aio.WithTimeout(ctx, time.Hour)
		defer cancel()
		if err := q.Join(jctx); err != nil { // every item put was processed
			t.Fatalf("Join: %v (items lost)", err)
		}
		q.Shutdown(false) // the consumers return
		settle(ctx, t, bySlot[producers:]...)

		lost := 0
		for _, s := range state {
			if s == 1 {
				lost++
			}
		}
		if lost != 0 || takes != puts || !q.Empty() {
			t.Errorf("%d items put, %d taken, %d lost, %d left in the queue", puts, takes, lost, q.Len())
		}
		if puts < target || c.taskCancels+c.timeouts < minCancels {
			t.Errorf("%d items, %d Task.Cancel + %d timeouts: the storm was too weak", puts, c.taskCancels, c.timeouts)
		}
		t.Logf("%d items put and taken exactly once; %d Task.Cancel, %d timeouts", puts, c.taskCancels, c.timeouts)
		return nil
	})
}

// holderStorm hammers acquire/release with 30 tasks until 20,000
// acquisitions happened, checking that never more than limit tasks hold at
// once, and returns the number of acquisitions and cancellations.
func holderStorm(t *testing.T, seed uint64, limit int, acquire func(*aio.Context) error, tryAcquire func() bool, release func() error, check func()) {
	const (
		tasks      = 30
		target     = 20_000
		minCancels = 5_000
	)
	rng := rand.New(rand.NewPCG(seed, 7))
	runVirtual(t, func(ctx *aio.Context) error {
		holders, acquisitions, timeouts := 0, 0, 0
		hold := func(ctx *aio.Context) {
			holders++
			acquisitions++
			if holders > limit {
				t.Fatalf("%d holders, limit %d", holders, limit)
			}
			aio.Sleep(ctx, time.Duration(rng.IntN(10))*time.Microsecond) // cut short if cancelled
			holders--
			if err := release(); err != nil {
				t.Fatalf("release: %v", err)
			}
		}
		worker := func(ctx *aio.Context) error {
			for acquisitions < target {
				actx, cancel := randTimeout(ctx, rng, 40*time.Microsecond)
				err := acquire(actx)
				cancel()
				if err == nil {
					hold(ctx)
				} else if errors.Is(err, context.DeadlineExceeded) {
					timeouts++
				}
				if err := aio.Sleep(ctx, time.Duration(rng.IntN(10))*time.Microsecond); err != nil {
					return err
				}
			}
			return nil
		}
		bySlot, taskCancels := storm(ctx, t, rng, tasks, 3*time.Microsecond,
			func(int) func(*aio.Context) error { return worker },
			func() { // in the window after a cancellation: a newcomer tries to barge in
				if tryAcquire() {
					holders++
					acquisitions++
					if holders > limit {
						t.Fatalf("%d holders, limit %d", holders, limit)
					}
					holders--
					if err := release(); err != nil {
						t.Fatalf("release: %v", err)
					}
				}
			},
			func() bool { return acquisitions >= target })
		settle(ctx, t, bySlot...)
		if holders != 0 {
			t.Errorf("%d holders at the end", holders)
		}
		check()
		if taskCancels+timeouts < minCancels {
			t.Errorf("%d Task.Cancel + %d timeouts: the storm was too weak", taskCancels, timeouts)
		}
		t.Logf("%d acquisitions, never more than %d holders; %d Task.Cancel, %d timeouts", acquisitions, limit, taskCancels, timeouts)
		return nil
	})
}

func TestLockStormKeepsMutualExclusionAndLosesNoWakeUp(t *testing.T) {
	var mu aio.Lock
	holderStorm(t, 1, 1, mu.Acquire, mu.TryAcquire, mu.Release, func() {
		if mu.Locked() {
			t.Error("the lock is locked at the end")
		}
	})
}

func TestSemaphoreStormNeverHasMoreThanNHoldersAndLosesNoPermit(t *testing.T) {
	s := aio.NewBoundedSemaphore(3)
	holderStorm(t, 2, 3, s.Acquire, s.TryAcquire, s.Release, func() {
		if s.Value() != 3 {
			t.Errorf("value %d at the end, want 3: a permit was lost", s.Value())
		}
	})
}
