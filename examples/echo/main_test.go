package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEchoClientGetsEachLineBackUpperCased: the client's three lines come
// back from the server in order, and the server shuts down gracefully once
// the client hung up.
func TestEchoClientGetsEachLineBackUpperCased(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"server listening on an ephemeral port",
		"client sends: hello",
		"client got:   HELLO",
		"client sends: echo over aio",
		"client got:   ECHO OVER AIO",
		"client sends: bye",
		"client got:   BYE",
		"server shut down after 1 connection(s)",
	})
}
