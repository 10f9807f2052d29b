package node

import (
	"sync"

	"github.com/powlab/powlab/chain"
)

// selfishState is a selfish miner's withheld blocks (MinerOptions.Selfish),
// after Eyal & Sirer (2014), "Majority is not enough": the node mines on
// its private chain and publishes only to match or override the honest
// chain.
//
// This is a best-effort real-node version of the simulation's strategy:
// the node still serves its whole chain on GET /chain (a peer that fetches
// it while catching up sees the withheld blocks), and ties are decided by
// which block reaches each honest node first, not by a share gamma.
type selfishState struct {
	mu       sync.Mutex
	withheld []*chain.Block // mined, not yet announced, in chain order
	public   uint64         // the highest block index seen from peers
	racing   bool           // a published block ties the honest chain's tip
}

// mined handles a block this selfish node just added to its chain: it
// publishes it at once when racing a tie (the race is won), otherwise
// withholds it. It returns the blocks to announce.
func (s *selfishState) mined(b *chain.Block) []*chain.Block {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.racing && len(s.withheld) == 0 {
		s.racing = false
		return []*chain.Block{b}
	}
	s.withheld = append(s.withheld, b)
	return nil
}

// honest handles a block from a peer at index idx, with the node's tip now
// tip: Eyal & Sirer's rules on the lead the private chain had. It returns
// the blocks to announce.
func (s *selfishState) honest(idx uint64, tip chain.Hash, hash func(*chain.Block) chain.Hash) []*chain.Block {
	s.mu.Lock()
	defer s.mu.Unlock()
	if idx <= s.public {
		return nil // not a new honest height
	}
	s.public = idx
	// The miner builds only on its private chain, so while it withholds
	// blocks its tip is the last of them; any other tip means the honest
	// chain won (a reorg) and the private blocks are abandoned.
	if len(s.withheld) == 0 || hash(s.withheld[len(s.withheld)-1]) != tip {
		s.withheld, s.racing = nil, false
		return nil
	}
	ours := s.withheld[len(s.withheld)-1].Index
	if ours < idx {
		s.withheld, s.racing = nil, false
		return nil
	}
	switch lead := ours - idx; {
	case lead == 0: // was 1: publish and race
		out := s.withheld
		s.withheld, s.racing = nil, true
		return out
	case lead == 1: // was 2: publish all, the private chain wins
		out := s.withheld
		s.withheld, s.racing = nil, false
		return out
	default: // lead > 1: publish up to the honest height
		s.racing = false
		k := 0
		for k < len(s.withheld) && s.withheld[k].Index <= idx {
			k++
		}
		out := s.withheld[:k:k]
		s.withheld = s.withheld[k:]
		return out
	}
}

// release returns every withheld block (the miner stops).
func (s *selfishState) release() []*chain.Block {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.withheld
	s.withheld, s.racing = nil, false
	return out
}

// publish announces blocks in order.
func (n *Node) publish(bs []*chain.Block) {
	for _, b := range bs {
		n.announce(b, "")
	}
}
