package aiohttp

import (
	"time"

	"github.com/asyncgo/aio"
)

// ioConn is the view of an *aio.Conn the HTTP code reads and writes
// through. Reads wait in rctx and writes in wctx when those are scopes of
// the running task (otherwise in the running task's root scope); each read
// is bounded by sockRead; limit (≥ 0) caps how many more bytes reads may
// return, and a read past it fails with errLimit (header size limits).
// Loop goroutine, tasks only.
type ioConn struct {
	*aio.Conn
	rctx, wctx *aio.Context
	sockRead   time.Duration
	limit      int64 // < 0: none
	errLimit   error
	streak     int // bytes read since the last yield
	wstreak    int // bytes written since the last yield
}

// yieldEvery is how many bytes a reader (writer) may move through a socket
// that is always ready before it yields to the loop once, so a peer that
// streams without pause cannot starve the other tasks.
const yieldEvery = 256 << 10

// scope returns ctx if it belongs to the running task, else nil.
func scope(ctx *aio.Context) *aio.Context {
	if ctx == nil || ctx.Task() != aio.CurrentTask(ctx.Loop()) {
		return nil
	}
	return ctx
}

func (v *ioConn) Read(p []byte) (int, error) {
	if v.limit >= 0 {
		if v.limit == 0 {
			return 0, v.errLimit
		}
		if int64(len(p)) > v.limit {
			p = p[:v.limit]
		}
	}
	if v.sockRead > 0 {
		_ = v.Conn.SetReadDeadline(v.Conn.Loop().Time().Add(v.sockRead))
	}
	var (
		n   int
		err error
	)
	ctx := scope(v.rctx)
	if ctx != nil {
		n, err = v.Conn.ReadContext(ctx, p)
	} else {
		n, err = v.Conn.Read(p)
	}
	if v.streak += n; v.streak >= yieldEvery {
		v.streak = 0
		if ctx != nil {
			_ = aio.Sleep(ctx, 0) // a cancellation shows at the next read
		}
	}
	if v.limit >= 0 {
		v.limit -= int64(n)
	}
	return n, err
}

func (v *ioConn) Write(p []byte) (int, error) {
	ctx := scope(v.wctx)
	var (
		n   int
		err error
	)
	if ctx != nil {
		n, err = v.Conn.WriteContext(ctx, p)
	} else {
		n, err = v.Conn.Write(p)
	}
	if v.wstreak += n; v.wstreak >= yieldEvery {
		v.wstreak = 0
		if ctx != nil {
			_ = aio.Sleep(ctx, 0)
		}
	}
	return n, err
}
