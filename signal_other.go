//go:build !unix

package aio

import "os"

// sigStop cannot be caught on unix; elsewhere there is no such signal.
var sigStop os.Signal = nil
