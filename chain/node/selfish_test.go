package node

import (
	"testing"

	"github.com/powlab/powlab/chain"
)

// blk is a block at index i, told apart by its proof.
func blk(i uint64, proof uint64) *chain.Block {
	return &chain.Block{Index: i, Proof: proof}
}

func hashOf(b *chain.Block) chain.Hash {
	var h chain.Hash
	h[0], h[1] = byte(b.Index), byte(b.Proof)
	return h
}

// TestSelfishStates walks Eyal & Sirer's state machine: withhold, publish
// to race at a lead of one, publish all at a lead of two, publish one at a
// time above, win a race, abandon after a reorg, release at the stop.
func TestSelfishStates(t *testing.T) {
	var s selfishState
	names := func(bs []*chain.Block) []uint64 {
		var out []uint64
		for _, b := range bs {
			out = append(out, b.Index)
		}
		return out
	}
	eq := func(what string, got []*chain.Block, want ...uint64) {
		t.Helper()
		g := names(got)
		if len(g) != len(want) {
			t.Fatalf("%s: published %v, want %v", what, g, want)
		}
		for i := range g {
			if g[i] != want[i] {
				t.Fatalf("%s: published %v, want %v", what, g, want)
			}
		}
	}
	// Lead 1, then the honest chain catches up: publish and race.
	b2 := blk(2, 1)
	eq("own block 2", s.mined(b2))
	eq("honest 2", s.honest(2, hashOf(b2), hashOf), 2)
	if !s.racing {
		t.Fatal("not racing after publishing at a tie")
	}
	// Racing: the next own block is published at once (the race is won).
	b3 := blk(3, 1)
	eq("own block 3 while racing", s.mined(b3), 3)
	// Lead 2, honest gains one: publish both.
	b4, b5 := blk(4, 1), blk(5, 1)
	eq("own 4", s.mined(b4))
	eq("own 5", s.mined(b5))
	eq("honest 4", s.honest(4, hashOf(b5), hashOf), 4, 5)
	// Lead 4: honest blocks release one at a time up to their height.
	b6, b7, b8, b9 := blk(6, 1), blk(7, 1), blk(8, 1), blk(9, 1)
	for _, b := range []*chain.Block{b6, b7, b8, b9} {
		eq("own", s.mined(b))
	}
	eq("honest 6", s.honest(6, hashOf(b9), hashOf), 6)
	eq("honest 6 again (a relay)", s.honest(6, hashOf(b9), hashOf))
	eq("honest 7", s.honest(7, hashOf(b9), hashOf), 7)
	eq("honest 8: lead 1 left, publish all", s.honest(8, hashOf(b9), hashOf), 8, 9)
	// A reorg to the honest chain abandons the private blocks.
	b10 := blk(10, 1)
	eq("own 10", s.mined(b10))
	honestTip := hashOf(blk(11, 7))
	eq("honest 11 won", s.honest(11, honestTip, hashOf))
	if len(s.withheld) != 0 {
		t.Fatal("abandoned blocks still withheld")
	}
	// The stop releases what is withheld.
	b12, b13 := blk(12, 1), blk(13, 1)
	s.mined(b12)
	s.mined(b13)
	eq("release", s.release(), 12, 13)
	eq("release again", s.release())
}
