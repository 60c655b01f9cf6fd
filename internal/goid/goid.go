// Package goid reads the current goroutine's id. It is slow (it formats a
// stack header), so aio uses it only for misuse checks off the hot path and
// in debug mode.
package goid

import (
	"runtime"
)

// Get returns the id of the calling goroutine.
func Get() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	// "goroutine 123 [running]:..."
	const prefix = len("goroutine ")
	var id uint64
	for i := prefix; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
