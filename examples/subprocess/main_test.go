//go:build linux

package main

import (
	"testing"

	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSubprocessTranscript: the shell's lines are printed as streamed,
// its stderr and exit code follow; `sleep 10` outlives the 200 ms scope,
// is killed (return code -9), and the ticker ran all along.
func TestSubprocessTranscript(t *testing.T) {
	exampletest.Lines(t, exampletest.Run(t, run), []string{
		"stdout: line 1",
		"stdout: line 2",
		"stdout: line 3",
		"stderr: warning",
		"exit code 2",
		"started sleep 10",
		"timed out after 200ms; still running: true",
		"killed: return code -9",
		"the ticker kept ticking: true",
	})
}
