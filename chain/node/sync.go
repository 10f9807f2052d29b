package node

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/powlab/powlab/chain"
)

// PeerChain is what Resolve learned from one peer.
type PeerChain struct {
	Peer   string  `json:"peer"`
	Height uint64  `json:"height,omitempty"`
	Work   float64 `json:"work,omitempty"` // as claimed, before validation (for reading)
	// WorkExact is Work exactly, in decimal: the value to compare.
	WorkExact chain.Work `json:"work_exact,omitzero"`
	// Outcome: "adopted", "less work", "invalid", "unreachable", "not better".
	Outcome string `json:"outcome"`
	Err     string `json:"error,omitempty"`
}

// ResolveReport is what Resolve did.
type ResolveReport struct {
	Replaced  bool    `json:"replaced"`
	From      string  `json:"from,omitempty"` // the peer whose chain was adopted
	OldHeight uint64  `json:"old_height"`
	Height    uint64  `json:"height"`
	OldWork   float64 `json:"old_work"` // for reading; OldWorkExact is exact
	Work      float64 `json:"work"`     // for reading; WorkExact is exact
	// OldWorkExact and WorkExact are the chains' exact work, in decimal.
	OldWorkExact chain.Work  `json:"old_work_exact"`
	WorkExact    chain.Work  `json:"work_exact"`
	Reorg        int         `json:"reorg_depth"` // blocks of the old chain dropped
	Peers        []PeerChain `json:"peers"`
}

// Resolve is the tutorial's resolve_conflicts: fetch every peer's chain,
// validate it and adopt the one with the most work if it beats ours. An
// unreachable or hostile peer is skipped and reported. The network I/O and
// the validation run without the chain lock, so the node keeps answering.
func (n *Node) Resolve(ctx context.Context) (*ResolveReport, error) {
	return n.resolve(ctx, n.peers.list())
}

// fetched is one peer's decoded chain.
type fetched struct {
	peer   string
	blocks []*chain.Block
	work   chain.Work // claimed
	idx    int        // into the report
}

// resolveCall is one resolveNow run that concurrent callers share.
type resolveCall struct {
	done chan struct{}
	rep  *ResolveReport
	err  error
}

// resolve runs resolveNow for peers, sharing one run among concurrent
// callers with the same peers (a burst of GET /node_refresh fetches each
// chain once). The run belongs to the node, not to a caller: a caller that
// leaves gets ctx's error and the run goes on for the others; Close waits
// for it. The report is shared: read-only. (golang.org/x/sync/singleflight
// does the sharing but cannot tell the caller whether it started the run,
// which the node needs to count the goroutine.)
func (n *Node) resolve(ctx context.Context, peers []string) (*ResolveReport, error) {
	key := strings.Join(peers, " ")
	n.bgMu.Lock()
	c, ok := n.calls[key]
	if !ok {
		c = &resolveCall{done: make(chan struct{})}
		if !n.spawnLocked(func() {
			c.rep, c.err = n.resolveNow(n.ctx, peers)
			n.bgMu.Lock()
			delete(n.calls, key)
			n.bgMu.Unlock()
			close(c.done)
		}) {
			n.bgMu.Unlock()
			return nil, ErrClosed
		}
		n.calls[key] = c
	}
	n.bgMu.Unlock()
	select {
	case <-c.done:
		if c.err != nil && n.ctx.Err() != nil {
			return c.rep, ErrClosed
		}
		return c.rep, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (n *Node) resolveNow(ctx context.Context, peers []string) (*ResolveReport, error) {
	n.resolveMu.Lock()
	defer n.resolveMu.Unlock()

	old := n.c.Tip()
	rep := &ResolveReport{OldHeight: old.Height, OldWork: old.Work.Float64(), OldWorkExact: old.Work, Peers: make([]PeerChain, len(peers))}

	// Fetch in parallel, a bounded number at a time.
	var (
		mu    sync.Mutex
		cands []fetched
		wg    sync.WaitGroup
		sem   = make(chan struct{}, maxParallelFetches)
	)
	for i, p := range peers {
		rep.Peers[i].Peer = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			pc := &rep.Peers[i]
			blocks, err := n.fetchChain(ctx, p)
			if err != nil {
				pc.Outcome, pc.Err = "unreachable", err.Error()
				var se *StatusError
				if errors.Is(err, chain.ErrBadJSON) || errors.Is(err, chain.ErrEmptyChain) || errors.Is(err, ErrTooLarge) || errors.As(err, &se) {
					pc.Outcome = "invalid"
				} else if _, ok := chain.IsRuleError(err); ok {
					pc.Outcome = "invalid"
				}
				n.log.Info("peer chain skipped", "peer", p, "outcome", pc.Outcome, "err", err)
				return
			}
			w := chain.ChainWork(n.rules, blocks)
			pc.Height, pc.Work, pc.WorkExact = blocks[len(blocks)-1].Index, w.Float64(), w
			mu.Lock()
			cands = append(cands, fetched{peer: p, blocks: blocks, work: w, idx: i})
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}

	// Most claimed work first; the first that validates and still beats our
	// chain wins, and the rest cannot beat it.
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].work.Cmp(cands[j].work) > 0 })
	for _, cd := range cands {
		pc := &rep.Peers[cd.idx]
		cur := n.c.Tip()
		if !chain.Better(cd.work, cur.Work) {
			pc.Outcome = "less work"
			continue
		}
		before := n.c.Tip()
		ok, err := n.c.ReplaceChain(ctx, cd.blocks)
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			if errors.Is(err, chain.ErrClosed) {
				return rep, ErrClosed
			}
			pc.Outcome, pc.Err = "invalid", err.Error()
			n.log.Warn("peer chain rejected", "peer", cd.peer, "height", pc.Height, "err", err)
			continue
		}
		if !ok {
			pc.Outcome = "not better"
			continue
		}
		pc.Outcome = "adopted"
		rep.Replaced, rep.From = true, cd.peer
		n.log.Info("chain adopted", "peer", cd.peer, "height", pc.Height, "work", cd.work.String())
		rep.Reorg += n.reorgDepth(before)
		n.tipMoved(before, cd.peer, false)
		n.announce(n.c.Tip().Block, cd.peer)
	}
	now := n.c.Tip()
	rep.Height, rep.Work, rep.WorkExact = now.Height, now.Work.Float64(), now.Work
	return rep, nil
}

// fetchChain downloads and decodes a peer's /chain.
func (n *Node) fetchChain(ctx context.Context, peer string) ([]*chain.Block, error) {
	data, err := n.client.Get(ctx, peer, "/chain")
	if err != nil {
		return nil, err
	}
	blocks, err := chain.DecodeChainJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s/chain: %w", peer, err)
	}
	return blocks, nil
}

// SyncFrom resolves against one peer only (which need not be registered).
func (n *Node) SyncFrom(ctx context.Context, peer string) (*ResolveReport, error) {
	p, err := ParsePeer(peer)
	if err != nil {
		return nil, err
	}
	return n.resolve(ctx, []string{p})
}

// ReceiveBlock takes a block a peer announced. A block that extends the tip
// (or completes a heavier branch) is relayed to the other peers; a block
// whose parent is unknown makes the node fetch the announcing peer's chain
// in the background (or every peer's, if the sender is not registered) and
// run fork choice. Invalid blocks are a *chain.RuleError.
func (n *Node) ReceiveBlock(ctx context.Context, b *chain.Block, from string) (chain.AddResult, error) {
	if n.ctx.Err() != nil {
		return 0, ErrClosed
	}
	old := n.c.Tip()
	res, err := n.c.AddBlock(b)
	if err != nil {
		if errors.Is(err, chain.ErrClosed) {
			return 0, ErrClosed
		}
		return 0, err
	}
	switch res {
	case chain.Extended, chain.Reorged:
		n.log.Debug("peer block accepted", "from", from, "index", b.Index, "result", res)
		n.tipMoved(old, from, false)
		n.announce(b, from)
	case chain.Orphan:
		n.catchUp(from, b.Index)
	}
	if (res == chain.Extended || res == chain.Reorged || res == chain.SideChain) && n.MinerOptions().Selfish {
		n.publish(n.selfish.honest(b.Index, n.c.Tip().Hash, n.rules.Hash))
	}
	return res, nil
}

// catchUp fetches chains in the background after an orphan block: from the
// sender when it is a registered peer, else from every peer, at most one
// fetch per source at a time.
func (n *Node) catchUp(from string, index uint64) {
	peers := n.peers.list()
	key, targets := "*", peers
	for _, p := range peers {
		if p == from {
			key, targets = p, []string{p}
			break
		}
	}
	if len(targets) == 0 {
		return
	}
	if _, busy := n.fetching.LoadOrStore(key, struct{}{}); busy {
		return
	}
	ok := n.spawn(func() {
		defer n.fetching.Delete(key)
		rep, err := n.resolve(n.ctx, targets)
		if err != nil {
			if n.ctx.Err() == nil {
				n.log.Warn("catch-up failed", "source", key, "err", err)
			}
			return
		}
		n.log.Debug("catch-up done", "source", key, "orphan_index", index, "replaced", rep.Replaced, "height", rep.Height)
	})
	if !ok {
		n.fetching.Delete(key)
	}
}
