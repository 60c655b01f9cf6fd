package aio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/aio"
)

// A helper that takes a context.Context (as middleware passes it on) can
// still await: ContextOf finds the task's Context behind the values.
func ExampleContextOf() {
	type requestID struct{}
	helper := func(ctx context.Context) error {
		actx, ok := aio.ContextOf(ctx)
		if !ok {
			return errors.New("not called from a task")
		}
		fmt.Println("request", ctx.Value(requestID{}), "sleeping")
		return aio.Sleep(actx, time.Second)
	}
	err := aio.Run(func(ctx *aio.Context) error {
		return helper(context.WithValue(ctx, requestID{}, 42))
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println("err:", err)
	// Output:
	// request 42 sleeping
	// err: <nil>
}

// A goroutine completes a future in one call.
func ExampleFuture_SetResultThreadsafe() {
	err := aio.Run(func(ctx *aio.Context) error {
		f := aio.NewFuture[string](ctx)
		go func() { f.SetResultThreadsafe("computed elsewhere") }()
		v, err := f.Await(ctx)
		fmt.Println(v)
		return err
	})
	fmt.Println("err:", err)
	// Output:
	// computed elsewhere
	// err: <nil>
}

// A Timeout's deadline can be moved while the scope is in use
// (asyncio.timeout's reschedule).
func ExampleNewTimeout() {
	aio.Run(func(ctx *aio.Context) error {
		to := aio.NewTimeout(ctx, time.Second)
		defer to.Cancel()
		to.Reschedule(ctx.Loop().Time().Add(3 * time.Second)) // more time
		fmt.Println("2s sleep:", aio.Sleep(to.Context(), 2*time.Second))
		fmt.Println("1h sleep:", aio.Sleep(to.Context(), time.Hour))
		fmt.Println("expired:", to.Expired())
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	// Output:
	// 2s sleep: <nil>
	// 1h sleep: aio: deadline exceeded
	// expired: true
}

// An eager task runs inside the spawn until it first suspends.
func ExampleSpawnEager() {
	aio.Run(func(ctx *aio.Context) error {
		t := aio.SpawnEager(ctx, func(ctx *aio.Context) (int, error) {
			fmt.Println("task: running inside SpawnEager")
			return 1, nil
		})
		fmt.Println("spawner: task done already:", t.Done())
		return nil
	})
	// Output:
	// task: running inside SpawnEager
	// spawner: task done already: true
}

// Go code watching a scope through context.AfterFunc starts no goroutine
// until the scope is done.
func ExampleContext_AfterFunc() {
	aio.Run(func(ctx *aio.Context) error {
		scope, cancel := aio.WithCancel(ctx)
		done := make(chan struct{})
		context.AfterFunc(scope, func() { fmt.Println("scope done"); close(done) })
		cancel()
		<-done
		return nil
	})
	// Output:
	// scope done
}

// Misuse panics with a *MisuseError that errors.Is matches to a sentinel
// and that says what to do instead.
func ExampleMisuseError() {
	defer func() {
		err := recover().(error)
		fmt.Println(errors.Is(err, aio.ErrNilFunc))
		fmt.Println(err)
	}()
	aio.Run(nil)
	// Output:
	// true
	// aio: aio.Run: nil function; pass the main coroutine
}
