package aio

import "github.com/asyncgo/aio/internal/waitq"

// Join and Shutdown of the shared queue implementation (queuecore.go).

// wakeAllQ ends every wait of wq: successfully (Join) or with err.
func wakeAllQ[T any](wq *waitq.Queue[qwait[T]], err error) {
	for n := firstLiveQ(wq); n != nil; n = firstLiveQ(wq) {
		n.Val.ok, n.Val.err = err == nil, err
		var zero T
		n.Val.item = zero
		n.Val.t.wakeUp()
	}
}

// TaskDone records that one item obtained with Get has been processed. When
// every item put so far has been processed, Join returns. Calling TaskDone
// more often than items were put returns ErrTaskDoneTooMany.
func (q *queue[T, S, PS]) TaskDone() error {
	q.check(opTaskDone)
	if q.unfinished <= 0 {
		return ErrTaskDoneTooMany
	}
	q.unfinished--
	if q.unfinished == 0 {
		wakeAllQ(&q.joiners, nil)
	}
	return nil
}

// Join waits until every item put has been processed (TaskDone); ctx must
// be the Context of the running task. On a queue with nothing unfinished it
// returns at once without yielding.
func (q *queue[T, S, PS]) Join(ctx *Context) error {
	q.check(opJoin)
	if q.unfinished == 0 {
		return nil
	}
	t := q.enter(opJoin, ctx)
	if err := ctx.checkCancel(); err != nil {
		return err
	}
	n := q.joiners.Get(qwait[T]{t: t})
	q.joiners.PushBack(n)
	return q.park(ctx, t, &q.joiners, n, nil)
}

// Shutdown shuts the queue down (Python 3.13's Queue.shutdown): from now
// on Put and PutNowait return ErrQueueShutDown, and so do the Puts waiting
// now (inserting nothing); Get and GetNowait take what is left, then
// return ErrQueueShutDown, and so do the Gets waiting now (the queue is
// empty when tasks wait in Get). With immediate, the items left are dropped
// as well, each counted as done for Join (which returns once nothing is
// unfinished). Calling it again does nothing more, except that an
// immediate call drops what a previous one left. It never yields. Loop
// goroutine only.
func (q *queue[T, S, PS]) Shutdown(immediate bool) {
	q.check(opShutdown)
	q.shutdown = true
	if immediate {
		for q.n > 0 {
			q.pop()
			if q.unfinished > 0 {
				q.unfinished--
			}
		}
		if q.unfinished == 0 {
			wakeAllQ(&q.joiners, nil)
		}
	}
	wakeAllQ(&q.getters, ErrQueueShutDown)
	wakeAllQ(&q.putters, ErrQueueShutDown)
}
