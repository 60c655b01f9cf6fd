package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestTLSEchoTranscript: the client verifies the generated certificate
// (TLS 1.3), its three lines come back upper-cased in order, and the
// server shuts down gracefully after the one connection.
func TestTLSEchoTranscript(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"generated a self-signed certificate for 127.0.0.1",
		"TLS server listening on an ephemeral port",
		"client handshake done: TLS 1.3, verified chain of 1",
		"client sends: hello",
		"client got:   HELLO",
		"client sends: echo over TLS",
		"client got:   ECHO OVER TLS",
		"client sends: bye",
		"client got:   BYE",
		"server shut down after 1 connection(s)",
	})
}
