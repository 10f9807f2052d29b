package chain

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
)

// MineOptions tune Mine.
type MineOptions struct {
	Workers int             // 0: all CPUs
	Kernel  *sha256x.Kernel // nil: the best kernel
	Mode    miner.Mode      // default Smallest: the tutorial's answer
	// Recipient of the reward ("" : the node's address).
	Recipient string
	// MaxRate caps the search at this many attempts/s (0: no cap), for a
	// miner of known rate (miner.Options.MaxRate).
	MaxRate float64
	// Progress, if set, is called while the search runs.
	Progress         func(miner.Progress)
	ProgressInterval time.Duration
	// noncesPerHeader caps the nonces tried before the header rolls (0:
	// the whole nonce range); tests use it to make rolls happen.
	noncesPerHeader uint64
}

func (o MineOptions) searchOptions() miner.Options {
	return miner.Options{Workers: o.Workers, Kernel: o.Kernel, Mode: o.Mode, Progress: o.Progress, ProgressInterval: o.ProgressInterval,
		MaxAttempts: o.noncesPerHeader, MaxRate: o.MaxRate}
}

// Mined is a block Mine found and what the search cost.
type Mined struct {
	Block  *Block
	Hash   Hash
	Target miner.Target
	Search miner.Result
	Result AddResult // Extended, or SideChain if the tip moved as it finished
}

// Candidate builds the next block on the tip: the pending transactions
// (oldest first, up to the block limit) then the reward to recipient, with
// the rules' header fields set and Proof 0. It returns the parent and the
// target the proof must meet.
func (c *Chain) Candidate(recipient string) (b, parent *Block, target miner.Target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.candidateLocked(recipient)
}

func (c *Chain) candidateLocked(recipient string) (*Block, *Block, miner.Target) {
	if recipient == "" {
		recipient = c.address
	}
	tip := c.tipNode()
	txs := c.pool.take(MaxBlockTxs - 1)
	txs = append(txs, Tx{Sender: RewardSender, Recipient: recipient, Amount: c.rules.Params().Reward})
	ts := float64(c.now().UnixMicro()) / 1e6
	if mt := MedianTime(tip); ts <= mt {
		ts = math.Nextafter(mt, math.Inf(1))
	}
	b := &Block{Index: tip.block.Index + 1, Timestamp: Float(ts), Transactions: txs, PrevHash: tip.hash}
	c.rules.Prepare(b, tip)
	return b, tip.block, c.rules.NextTarget(tip)
}

// roller is a rule set whose header can move to a fresh nonce space when
// every nonce of its proof field has been tried (bitcoin rules: 2^32).
type roller interface {
	// Roll changes b's header (not its proof) so the search can go on; it
	// reports false when it cannot.
	Roll(b *Block) bool
}

// searchProof searches b's proof on parent with miner.Search. When the
// nonce range runs out without a solution and the rules can roll the
// header (bitcoin rules: the time moves on a second), it rolls and
// searches again; Result.Attempts and Elapsed then add up every round.
// o.MaxAttempts, when set, caps each header's search.
func searchProof(ctx context.Context, r Rules, parent, b *Block, target miner.Target, o miner.Options) (miner.Result, error) {
	var total miner.Result
	for {
		res, err := miner.Search(ctx, r.Puzzle(parent, b), target, o)
		res.Attempts += total.Attempts
		res.Elapsed += total.Elapsed
		if !errors.Is(err, miner.ErrExhausted) {
			return res, err
		}
		rl, ok := r.(roller)
		if !ok || !rl.Roll(b) {
			return res, err
		}
		total = res
	}
}

// Mine builds the next block, searches its proof with miner.Search, and
// appends it. The search stops with ErrStale when the tip changes under
// it (a peer's block arrived) and with ctx's error when ctx ends.
func (c *Chain) Mine(ctx context.Context, o MineOptions) (*Mined, error) {
	// Subscribe first, so a tip change after the candidate is built is seen.
	events, stop := c.Subscribe()
	defer stop()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	b, parent, target := c.candidateLocked(o.Recipient)
	c.mu.Unlock()

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stale := make(chan struct{})
	go func() {
		select {
		case _, ok := <-events:
			if ok {
				close(stale)
			}
			cancel()
		case <-sctx.Done():
		}
	}()
	res, err := searchProof(sctx, c.rules, parent, b, target, o.searchOptions())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		select {
		case <-stale:
			return nil, ErrStale
		default:
		}
		return nil, fmt.Errorf("mine block %d: %w", b.Index, err)
	}
	b.Proof = res.Nonce
	r, err := c.AddBlock(b)
	if err != nil {
		return nil, fmt.Errorf("mined block %d: %w", b.Index, err)
	}
	return &Mined{Block: b, Hash: c.rules.Hash(b), Target: target, Search: res, Result: r}, nil
}
