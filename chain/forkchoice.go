package chain

// Fork choice: the main chain is the branch with the most cumulative work,
// summed and compared exactly (Work), never as floats. The functions here
// are pure, over HeaderCtx or a slice of blocks; BlockNode is the block
// tree's node and the one HeaderCtx over blocks in this package.

// Better is fork choice: a branch replaces the current one only with
// strictly more cumulative work, compared exactly. At a fixed difficulty
// this is the longest chain; on a tie the branch seen first stays.
func Better(candidate, current Work) bool { return candidate.Cmp(current) > 0 }

// ChainWork is the exact cumulative work of blocks under r: what a chain
// claims before it is validated.
func ChainWork(r Rules, blocks []*Block) Work {
	var w Work
	for _, b := range blocks {
		w = w.Add(r.Work(b))
	}
	return w
}

// CumulativeWork sums work(h) exactly over h and all its ancestors.
func CumulativeWork(h HeaderCtx, work func(HeaderCtx) Work) Work {
	var sum Work
	for ; h != nil; h = h.Parent() {
		sum = sum.Add(work(h))
	}
	return sum
}

// Fork returns the last block a and b share (nil if they share none) and
// how many blocks each has above it.
func Fork(a, b HeaderCtx, same func(x, y HeaderCtx) bool) (common HeaderCtx, aAbove, bAbove uint64) {
	for a != nil && b != nil && a.Height() > b.Height() {
		a, aAbove = a.Parent(), aAbove+1
	}
	for a != nil && b != nil && b.Height() > a.Height() {
		b, bAbove = b.Parent(), bAbove+1
	}
	for a != nil && b != nil && !same(a, b) {
		a, b = a.Parent(), b.Parent()
		aAbove++
		bAbove++
	}
	if a == nil || b == nil {
		return nil, aAbove, bAbove
	}
	return a, aAbove, bAbove
}

// BlockNode is a block linked to its parent, with its hash and the exact
// work of the chain up to and including it. It is the HeaderCtx over blocks
// that the engine's block tree, ValidateChain and Tip share. A BlockNode
// does not change once built, so it can be read without the chain's lock.
type BlockNode struct {
	block  *Block
	parent *BlockNode
	root   *BlockNode // the first block of this node's chain (itself for genesis)
	hash   Hash
	ts     float64 // block.Timestamp as a float: MedianTime reads it often
	work   Work    // cumulative, genesis included
}

// NewBlockNode links b, whose hash is h and whose own work is work, under
// parent (nil: b starts the chain).
func NewBlockNode(b *Block, h Hash, work Work, parent *BlockNode) *BlockNode {
	n := new(BlockNode)
	n.init(b, h, work, parent)
	return n
}

// init is NewBlockNode in place, for nodes kept in one slice.
func (n *BlockNode) init(b *Block, h Hash, work Work, parent *BlockNode) {
	*n = BlockNode{block: b, parent: parent, root: n, hash: h, ts: b.Timestamp.Float64(), work: work}
	if parent != nil {
		n.work = n.work.Add(parent.work)
		n.root = parent.root
	}
}

// genesisCtx is the first block of n's chain, in O(1): difficulty
// algorithms anchored at the genesis block (ASERT) read it at every block.
func (n *BlockNode) genesisCtx() HeaderCtx { return n.root }

// Block is the node's block (shared: do not modify it).
func (n *BlockNode) Block() *Block { return n.block }

// Hash is the block's hash.
func (n *BlockNode) Hash() Hash { return n.hash }

// Work is the exact cumulative work of the chain ending at this block.
func (n *BlockNode) Work() Work { return n.work }

// Height is the block's index.
func (n *BlockNode) Height() uint64 { return n.block.Index }

// Timestamp is the block's time in seconds since 1970.
func (n *BlockNode) Timestamp() float64 { return n.ts }

// Bits is the block's target in its rules' compact form: the powlab
// Compact, or a bitcoin-rules block's nBits.
func (n *BlockNode) Bits() Compact {
	if n.block.Bits != 0 {
		return Compact(n.block.Bits)
	}
	return n.block.Target
}

// Parent is the previous block's node, or nil for the first block.
func (n *BlockNode) Parent() HeaderCtx {
	if n.parent == nil {
		return nil // a typed nil would not compare equal to nil
	}
	return n.parent
}
