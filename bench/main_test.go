package bench

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine running: every
// search must stop before its experiment returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
