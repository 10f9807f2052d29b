package chain

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/powlab/powlab/miner"
)

// checkAlone checks what b requires without its parent: the rules' own
// checks, then the transactions and the reward. genesis says b stands first.
func checkAlone(r Rules, b *Block, genesis bool) error {
	if err := r.CheckBlock(b); err != nil {
		return err
	}
	if genesis {
		if b.Index != 1 {
			return ruleErr(CodeBadGenesis, b.Index, "the first block has index %d, want 1", b.Index)
		}
		if len(b.Transactions) != 0 {
			return ruleErr(CodeBadGenesis, b.Index, "genesis holds %d transactions, want none", len(b.Transactions))
		}
		return nil
	}
	n := len(b.Transactions)
	if n > MaxBlockTxs {
		return ruleErr(CodeBadTransaction, b.Index, "%d transactions, the limit is %d", n, MaxBlockTxs)
	}
	for i, tx := range b.Transactions {
		if err := CheckTx(tx); err != nil {
			return ruleErr(CodeBadTransaction, b.Index, "transaction %d: %v", i, err)
		}
		if tx.IsReward() && i != n-1 {
			return ruleErr(CodeBadReward, b.Index, "transaction %d of %d is from %q; only the last may be the reward", i, n, RewardSender)
		}
	}
	if n == 0 || !b.Transactions[n-1].IsReward() {
		return ruleErr(CodeBadReward, b.Index, "no reward: the last transaction must be from %q", RewardSender)
	}
	if want := r.Params().Reward; !b.Transactions[n-1].Amount.Equal(want) {
		return ruleErr(CodeBadReward, b.Index, "reward %.40s, want %s", b.Transactions[n-1].Amount, want)
	}
	return nil
}

// checkOnParent checks b against its parent: index, link, the rules'
// contextual checks and the proof. parent is nil for genesis; parentCtx is
// parent's HeaderCtx; proofHash is r.ProofHash(parent, b) (passed in so
// callers can compute it in parallel).
func checkOnParent(r Rules, b, parent *Block, parentHash Hash, parentCtx HeaderCtx, proofHash Hash, proofOK bool, now time.Time) error {
	if parent != nil {
		if b.Index != parent.Index+1 {
			return ruleErr(CodeBadIndex, b.Index, "index %d follows block %d", b.Index, parent.Index)
		}
		if b.PrevHash != parentHash {
			return ruleErr(CodeBadPrevHash, b.Index, "prev_hash %s, but block %d hashes to %s", b.PrevHash, parent.Index, parentHash)
		}
	}
	if err := r.CheckContext(b, parentCtx, now); err != nil {
		return err
	}
	if !proofOK {
		return nil
	}
	t, stated := statedTarget(r, b)
	if !stated {
		t = r.NextTarget(parentCtx)
	}
	if !t.Meets(proofHash) {
		return ruleErr(CodeBadProof, b.Index, "proof %d gives hash %s, which does not meet %s", b.Proof, proofHash, describeTarget(t))
	}
	return nil
}

// blockTargeter is implemented by rules whose blocks state their target
// in the header (powlab, bitcoin). CheckContext has already matched the
// stated target against the difficulty algorithm, so the proof is checked
// against it without running the algorithm a second time.
type blockTargeter interface {
	statedTarget(b *Block) (miner.Target, bool)
}

// statedTarget is b's own target where r's blocks state one.
func statedTarget(r Rules, b *Block) (miner.Target, bool) {
	if bt, ok := r.(blockTargeter); ok {
		return bt.statedTarget(b)
	}
	return miner.Target{}, false
}

func describeTarget(t miner.Target) string {
	if t.Kind() == miner.ZeroBits || t.Kind() == miner.Threshold {
		m := t.Max()
		if t.Kind() == miner.ZeroBits {
			c, _ := ZeroBitsCompact(t.Bits())
			m = c.Max()
		}
		return fmt.Sprintf("%s (hash must be <= %x)", t, m)
	}
	return t.String()
}

// CheckBlock checks b as the child of parent (nil: b must be a genesis
// block) whose context is parentCtx, with now as the clock. It returns b's
// hash. Rule failures are *RuleError.
func CheckBlock(r Rules, b, parent *Block, parentCtx HeaderCtx, now time.Time) (Hash, error) {
	if err := checkAlone(r, b, parent == nil); err != nil {
		return Hash{}, err
	}
	var ph Hash
	if parent != nil {
		ph = r.Hash(parent)
	}
	proof, ok := r.ProofHash(parent, b)
	if err := checkOnParent(r, b, parent, ph, parentCtx, proof, ok, now); err != nil {
		return Hash{}, err
	}
	return r.Hash(b), nil
}

// ValidateOptions tune ValidateChain.
type ValidateOptions struct {
	// Workers checks blocks in parallel (0: runtime.NumCPU()).
	Workers int
	// Now is the clock timestamps are bounded by (zero: time.Now()).
	Now time.Time
}

// ChainInfo describes a valid chain.
type ChainInfo struct {
	Height uint64 // the tip's index
	Tip    Hash
	Work   Work   // cumulative, exact
	Hashes []Hash // every block's hash, genesis first
}

// ValidateChain checks a whole chain, genesis first, under r: every block on
// its own and on its parent, as the tutorial's valid_chain does and more.
// The costly per-block work (hashes, proofs, Merkle roots) runs on all
// cores; the link checks, which are cheap, run in order. The error is the
// first failure in chain order: a *RuleError naming the block, or ctx's
// error.
func ValidateChain(ctx context.Context, r Rules, blocks []*Block, o ValidateOptions) (*ChainInfo, error) {
	if len(blocks) == 0 {
		return nil, ErrEmptyChain
	}
	for i, b := range blocks {
		if b == nil {
			return nil, ruleErr(CodeMalformed, 0, "chain position %d holds no block", i)
		}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	w := o.Workers
	if w <= 0 {
		w = runtime.NumCPU()
	}
	n := len(blocks)
	hashes := make([]Hash, n)
	proofs := make([]Hash, n)
	proofOK := make([]bool, n)
	alone := make([]error, n)

	ph, ok := r.(interface{ proofIsHash() bool })
	sameHash := ok && ph.proofIsHash()

	// Phase 1, parallel: everything a block needs without its validated
	// parent. Workers take fixed-size slices of the chain.
	const span = 256 // blocks per work item: large enough to make the channel cost vanish
	var wg sync.WaitGroup
	items := make(chan int)
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range items {
				for i := start; i < min(start+span, n); i++ {
					b := blocks[i]
					hashes[i] = r.Hash(b)
					var parent *Block
					if i > 0 {
						parent = blocks[i-1]
					}
					if sameHash {
						proofs[i], proofOK[i] = hashes[i], true
					} else {
						proofs[i], proofOK[i] = r.ProofHash(parent, b)
					}
					alone[i] = checkAlone(r, b, i == 0)
				}
			}
		}()
	}
	var cancelled error
	for start := 0; start < n; start += span {
		if err := ctx.Err(); err != nil {
			cancelled = err
			break
		}
		items <- start
	}
	close(items)
	wg.Wait()
	if cancelled != nil {
		return nil, cancelled
	}

	// Phase 2, in order: links, contextual rules, proofs against the target
	// the parent's context requires. The nodes live in one slice and point
	// at their parent, so walking back allocates nothing.
	info := &ChainInfo{Hashes: hashes}
	nodes := make([]BlockNode, n)
	for i, b := range blocks {
		if alone[i] != nil {
			return nil, alone[i]
		}
		var parent *Block
		var pn *BlockNode
		var pctx HeaderCtx
		var ph Hash
		if i > 0 {
			parent, pn, ph = blocks[i-1], &nodes[i-1], hashes[i-1]
			pctx = pn
		}
		if err := checkOnParent(r, b, parent, ph, pctx, proofs[i], proofOK[i], now); err != nil {
			return nil, err
		}
		nodes[i].init(b, hashes[i], r.Work(b), pn)
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	info.Height = blocks[n-1].Index
	info.Tip = hashes[n-1]
	info.Work = nodes[n-1].work
	return info, nil
}

// Relink rewrites a chain after an edit the way a forger would: every
// block keeps its proof, but its Merkle root (powlab rules) is recomputed
// from its transactions and its prev_hash is set to its parent's new hash.
// The input is not modified. Under tutorial rules the result validates,
// because a proof depends only on the previous proof: history can be
// rewritten without any work. Under powlab rules the proofs no longer meet
// the target. The lab uses it to show that difference.
func Relink(r Rules, blocks []*Block) []*Block {
	out := make([]*Block, len(blocks))
	for i, b := range blocks {
		c := b.Clone()
		if c.Version > 0 {
			c.MerkleRoot = MerkleRoot(c.Transactions)
		}
		if i > 0 {
			c.PrevHash = r.Hash(out[i-1])
		}
		out[i] = c
	}
	return out
}
