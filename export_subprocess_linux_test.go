package aio

// UseWaitGoroutine makes Cmd.Start use the goroutine fallback instead of a
// pidfd until the returned function is called (tests).
func UseWaitGoroutine() (restore func()) {
	noPidfd = true
	return func() { noPidfd = false }
}
