package daasim

import "github.com/powlab/powlab/chain/daa"

// ring is the chain an algorithm reads during a simulation: the first
// block and the last len(blocks) blocks, so memory stays fixed however
// long the run. Blocks are pushed in height order, one height apart.
type ring struct {
	first  daa.Block
	blocks []daa.Block // blocks[h&mask] holds height h while it is in range
	mask   uint64
	tip    uint64
	n      uint64 // blocks pushed
}

// defaultRing is the ring's capacity for an algorithm without a window
// (and the least for any): deep enough for every published algorithm's
// window and anchor reads.
const defaultRing = 4096

// newRing holds at least capacity recent blocks (rounded up to a power of
// two, so a height's slot is a mask away).
func newRing(capacity int) *ring {
	c := 1
	for c < capacity {
		c <<= 1
	}
	return &ring{blocks: make([]daa.Block, c), mask: uint64(c - 1)}
}

// ringFor is a ring deep enough for an algorithm with the given window:
// the window, its two guard blocks (an interval's first block and the one
// before it) and room to spare, at least defaultRing.
func ringFor(window uint64) *ring {
	want := uint64(defaultRing)
	if w := 2*window + 8; w > want && window < 1<<24 {
		want = w
	}
	return newRing(int(want))
}

// Push appends b as the new tip.
func (r *ring) Push(b daa.Block) {
	if r.n == 0 {
		r.first = b
	}
	r.blocks[b.Height&r.mask] = b
	r.tip = b.Height
	r.n++
}

// Tip is the last block pushed.
func (r *ring) Tip() daa.Block { return r.blocks[r.tip&r.mask] }

// Ancestor answers for the first block and for the heights still in the ring.
func (r *ring) Ancestor(h uint64) (daa.Block, bool) {
	switch {
	case r.n == 0 || h > r.tip || h < r.first.Height:
		return daa.Block{}, false
	case h == r.first.Height:
		return r.first, true
	case r.tip-h > r.mask:
		return daa.Block{}, false
	}
	return r.blocks[h&r.mask], true
}
