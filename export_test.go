package aio

// Exported for the tests of package aio_test.

// IsPolling reports whether the loop goroutine is blocked waiting for events.
func (l *Loop) IsPolling() bool { return l.polling.Load() }

// IdleCoroutines returns how many finished coroutines the loop keeps.
func (l *Loop) IdleCoroutines() int { return len(l.idle) }

// PendingTimers returns how many timers the loop has queued.
func (l *Loop) PendingTimers() int { return l.timers.Len() }
