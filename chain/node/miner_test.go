package node

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// The rate-capped search, in slices, finds the same smallest nonce as one
// plain miner.Search (its slow, obviously-correct twin).
func TestThrottledSearchMatchesPlain(t *testing.T) {
	tests := []struct {
		name      string
		lastProof uint64
		prefix    string
		rate      float64
	}{
		{"tutorial genesis 000", 100, "000", 1e6},
		{"small slices", 35293, "00", 2000},
		{"one slice", 7, "0", 1e9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, target := miner.TutorialPuzzle(tc.lastProof), miner.MustPrefix(tc.prefix)
			want, err := miner.Search(context.Background(), p, target, miner.Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			n := &Node{cfg: Config{Miner: MinerOptions{Workers: 2, MaxRate: tc.rate}}}
			got, err := n.search(context.Background(), p, target)
			if err != nil {
				t.Fatal(err)
			}
			if got.Nonce != want.Nonce || got.Index != want.Index || got.Digest != want.Digest {
				t.Fatalf("throttled nonce %d (index %d), plain %d (index %d)", got.Nonce, got.Index, want.Nonce, want.Index)
			}
			if got.Attempts < want.Index+1 {
				t.Fatalf("attempts %d below the %d needed", got.Attempts, want.Index+1)
			}
		})
	}
}

func TestThrottledSearchCancels(t *testing.T) {
	n := &Node{cfg: Config{Miner: MinerOptions{Workers: 1, MaxRate: 100}}}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := n.search(ctx, miner.TutorialPuzzle(1), miner.MustPrefix("000000000"))
	if err == nil {
		t.Fatal("a capped search of a hard puzzle returned without error")
	}
}

// GossipDelay delays announcements, and a negative delay drops them.
func TestGossipDelayAndPartition(t *testing.T) {
	var partitioned atomic.Bool
	partitioned.Store(true)
	a := startNode(t, Config{GossipDelay: func(string) time.Duration {
		if partitioned.Load() {
			return -1
		}
		return 20 * time.Millisecond
	}})
	b := startNode(t, Config{})
	if _, err := b.SyncFrom(context.Background(), a.Addr()); err != nil {
		t.Fatal(err)
	}
	connect(t, a, b)
	if _, err := a.MineOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the announcement to be dropped", func() bool { return a.Status().GossipDropped == 1 })
	if b.Height() != 1 {
		t.Fatalf("b got a block across the partition")
	}
	partitioned.Store(false)
	if _, err := a.MineOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The second block does not connect at b, which fetches a's chain.
	waitFor(t, "b to catch up", func() bool { return tipOf(b) == tipOf(a) })
}

// A node run without HTTP mines on its own and stops cleanly.
func TestStartStopMiner(t *testing.T) {
	var mined atomic.Int64
	n, err := New(context.Background(), Config{
		Chain:  tutorialOpts("0"),
		Miner:  MinerOptions{Workers: 1},
		Mine:   true,
		Events: Events{Mined: func(*chain.Block) { mined.Add(1) }},
	})
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	waitFor(t, "blocks", func() bool { return mined.Load() >= 3 })
	n.StopMiner()
	h := n.Height()
	if n.Status().Mining {
		t.Fatal("still mining after StopMiner")
	}
	time.Sleep(20 * time.Millisecond)
	if n.Height() != h {
		t.Fatal("blocks mined after StopMiner")
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := n.MineOne(context.Background()); err != ErrClosed {
		t.Fatalf("MineOne after Close: %v", err)
	}
}
