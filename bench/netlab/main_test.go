package netlab

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine running: every
// node, server, miner, gossip queue and resolve of a network must stop
// before Run returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
