package aio_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine (a coroutine included) is
// left behind after the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
