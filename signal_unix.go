//go:build unix

package aio

import "syscall"

// sigStop cannot be caught; AddSignalHandler refuses it.
var sigStop = syscall.SIGSTOP
