package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

var errMineTimeout = errors.New("no block found within the mining timeout")

// errStale: the tip moved during the search.
var errStale = errors.New("tip changed during the search")

func float64frombits(b uint64) float64 { return math.Float64frombits(b) }

func (n *Node) setRate(r float64) {
	if math.IsNaN(r) || math.IsInf(r, 0) { // JSON cannot carry them
		r = 0
	}
	n.rateBits.Store(math.Float64bits(r))
}

// search runs the proof search, rate-capped when Miner.MaxRate > 0 (see
// miner.Options.MaxRate), and keeps the node's attempts/s figure current.
func (n *Node) search(ctx context.Context, p miner.Puzzle, t miner.Target) (miner.Result, error) {
	mo := n.MinerOptions()
	o := miner.Options{
		Workers: mo.Workers, Kernel: mo.Kernel, Mode: miner.Smallest, MaxRate: mo.MaxRate,
		Progress: func(pr miner.Progress) { n.setRate(pr.Rate) }, ProgressInterval: time.Second,
	}
	r, err := miner.Search(ctx, p, t, o)
	if r.Elapsed > 100*time.Millisecond || mo.MaxRate > 0 {
		n.setRate(r.Rate())
	}
	return r, err
}

// mineOnTip builds a candidate on the current tip and searches its proof.
// The search stops with errStale the moment the tip changes.
func (n *Node) mineOnTip(ctx context.Context, continuous bool) (*chain.Block, chain.Tip, error) {
	events, unsubscribe := n.c.Subscribe() // before the candidate: no change is missed
	defer unsubscribe()
	old := n.c.Tip()
	b, parent, target := n.c.Candidate(n.cfg.Address)
	if b.PrevHash != old.Hash {
		return nil, old, errStale
	}
	if continuous {
		n.searchTip.Store(&old.Hash)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-events:
			cancel()
		case <-sctx.Done():
		}
	}()
	r, err := n.search(sctx, n.rules.Puzzle(parent, b), target)
	if err != nil {
		if ctx.Err() == nil && sctx.Err() != nil {
			return nil, old, errStale
		}
		return nil, old, err
	}
	b.Proof = r.Nonce
	return b, old, nil
}

// submitMined adds a block this node found. It reports errStale when the
// tip moved before the block got in.
func (n *Node) submitMined(b *chain.Block, old chain.Tip) error {
	res, err := n.c.AddBlock(b)
	if err != nil {
		return fmt.Errorf("own block %d refused: %w", b.Index, err)
	}
	if res != chain.Extended && res != chain.Reorged {
		return errStale
	}
	n.log.Info("block mined", "index", b.Index, "hash", n.rules.Hash(b).String(), "proof", b.Proof, "txs", len(b.Transactions))
	n.tipMoved(old, "", true)
	if n.MinerOptions().Selfish {
		n.publish(n.selfish.mined(b))
		return nil
	}
	n.announce(b, "")
	return nil
}

// mineLoop mines until ctx ends, restarting on every new tip.
func (n *Node) mineLoop(ctx context.Context) {
	n.mining.Store(true)
	defer n.mining.Store(false)
	defer n.setRate(0)
	n.log.Info("miner started", "workers", n.workers(), "max_rate", n.MinerOptions().MaxRate)
	for ctx.Err() == nil {
		b, old, err := n.mineOnTip(ctx, true)
		if err == nil {
			err = n.submitMined(b, old)
		}
		switch {
		case err == nil, errors.Is(err, errStale):
		case ctx.Err() != nil:
		default:
			n.log.Error("miner", "err", err)
			select { // do not spin on a persistent failure
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	n.log.Info("miner stopped")
}

// MineOne mines one block on the current tip now, as the tutorial's GET
// /mine does, retrying when the tip moves under the search. It gives up
// after Config.MineTimeout.
func (n *Node) MineOne(ctx context.Context) (*chain.Block, error) {
	if n.ctx.Err() != nil {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithTimeoutCause(ctx, n.cfg.MineTimeout, errMineTimeout)
	defer cancel()
	stop := context.AfterFunc(n.ctx, cancel)
	defer stop()
	for {
		b, old, err := n.mineOnTip(ctx, false)
		if err == nil {
			if err = n.submitMined(b, old); err == nil {
				return b, nil
			}
		}
		switch {
		case errors.Is(err, errStale):
			continue
		case n.ctx.Err() != nil:
			return nil, ErrClosed
		case errors.Is(context.Cause(ctx), errMineTimeout):
			return nil, fmt.Errorf("%w (%s)", errMineTimeout, n.cfg.MineTimeout)
		}
		return nil, err
	}
}

// announce pushes b to every peer but skip, in the background.
func (n *Node) announce(b *chain.Block, skip string) {
	peers := n.peers.list()
	out := peers[:0]
	for _, p := range peers {
		if p != skip {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return
	}
	body, err := json.Marshal(BlockAnnouncement{Block: b, From: n.Addr()})
	if err != nil {
		n.log.Error("encode announcement", "err", err)
		return
	}
	n.gossip.send(out, "/blocks", body)
}
