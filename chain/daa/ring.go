package daa

// Ring is a Chain over the last blocks pushed: it holds the most recent
// capacity blocks and, always, the first block ever pushed (ASERT's
// default anchor). Push blocks in height order, each one height above the
// last; Ancestor checks the height it finds, so a gap answers ok = false
// rather than a wrong block. The zero Ring is unusable: use NewRing.
type Ring struct {
	buf   []Block
	n     uint64 // blocks pushed
	first Block
}

// NewRing makes a Ring keeping the last capacity blocks (at least 1).
func NewRing(capacity int) *Ring {
	return &Ring{buf: make([]Block, max(capacity, 1))}
}

// Push appends b as the new tip.
func (r *Ring) Push(b Block) {
	if r.n == 0 {
		r.first = b
	}
	r.buf[r.n%uint64(len(r.buf))] = b
	r.n++
}

// Len is the number of blocks pushed.
func (r *Ring) Len() uint64 { return r.n }

// Reset empties the ring, keeping its capacity.
func (r *Ring) Reset() { r.n = 0; r.first = Block{} }

// Tip is the last block pushed (the zero Block before any).
func (r *Ring) Tip() Block {
	if r.n == 0 {
		return Block{}
	}
	return r.buf[(r.n-1)%uint64(len(r.buf))]
}

// Ancestor is the block at height if the ring still holds it: one of the
// last capacity blocks, or the first block pushed.
func (r *Ring) Ancestor(height uint64) (Block, bool) {
	if r.n == 0 {
		return Block{}, false
	}
	c := uint64(len(r.buf))
	tip := &r.buf[(r.n-1)%c]
	if height <= tip.Height {
		back := tip.Height - height
		if back < c && back < r.n {
			b := &r.buf[(r.n-1-back)%c]
			if b.Height == height {
				return *b, true
			}
		}
	}
	if r.first.Height == height {
		return r.first, true
	}
	return Block{}, false
}
