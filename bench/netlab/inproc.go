package netlab

import (
	"context"
	"fmt"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/node"
	"github.com/powlab/powlab/miner/sha256x"
)

// inProcess is a node served from this process.
type inProcess struct {
	n *node.Node
}

func (m *inProcess) URL() string        { return m.n.Addr() }
func (m *inProcess) StartMining() error { m.n.StartMiner(); return nil }
func (m *inProcess) StopMining()        { m.n.StopMiner() }
func (m *inProcess) Tip(context.Context) (string, uint64, error) {
	t := m.n.Tip()
	return t.Hash.String(), t.Height, nil
}
func (m *inProcess) Rate(context.Context) float64 { return m.n.Status().AttemptsPerSec }
func (m *inProcess) Chain(context.Context) ([]*chain.Block, error) {
	return m.n.Blocks(), nil
}
func (m *inProcess) Resolve(ctx context.Context) { m.n.Resolve(ctx) }

// SetCap changes the miner's cap from its next search on.
func (m *inProcess) SetCap(rate float64) {
	o := m.n.MinerOptions()
	o.MaxRate = rate
	m.n.SetMinerOptions(o)
}

// Close stops the node and waits for its server (node.Close does).
func (m *inProcess) Close() error { return m.n.Close() }

// minerOptions turns a spec into the node's miner options: a capped node
// mines with one worker and the best kernel.
func minerOptions(m MinerSpec) (node.MinerOptions, error) {
	if m.RateCap > 0 {
		return node.MinerOptions{Workers: 1, MaxRate: m.RateCap, Selfish: m.Strategy == Selfish}, nil
	}
	k, err := sha256x.ByName(m.Kernel)
	if err != nil {
		return node.MinerOptions{}, fmt.Errorf("miner %s: %w", m.Text, err)
	}
	if !k.Available {
		return node.MinerOptions{}, fmt.Errorf("miner %s: kernel %s cannot run here: %s", m.Text, k.Name, k.Reason)
	}
	return node.MinerOptions{Workers: m.Workers, Kernel: k}, nil
}

// startInProcess builds, serves and peers every node; none mines yet.
func startInProcess(ctx context.Context, s *netSetup) ([]member, error) {
	n := s.cfg.Nodes
	members := make([]member, 0, n)
	nodes := make([]*node.Node, n)
	for i := range n {
		var mo node.MinerOptions // a relay never starts its miner
		if i < len(s.cfg.Miners) {
			var err error
			if mo, err = minerOptions(s.cfg.Miners[i]); err != nil {
				return members, err
			}
		}
		i := i
		nd, err := node.New(ctx, node.Config{
			DataDir: s.dirs[i],
			Chain:   s.chain,
			Address: s.addrs[i],
			Miner:   mo,
			// The lab's own nodes trust each other: a mesh or a star of
			// up to MaxRealMiners nodes needs n-1 peers on a node.
			MaxPeers: max(node.DefaultMaxPeers, len(s.dirs)),
			Logger:   s.cfg.Logger.With("node", i+1),
			Events: node.Events{
				Mined: func(b *chain.Block) { s.obs.onMined(i, b) },
				Reorg: func(depth int, _, _ chain.Hash) { s.obs.onReorg(i, depth) },
			},
			GossipDelay: s.obs.delay(i),
			PeerTimeout: netPeerTimeout,
		})
		if err != nil {
			return members, fmt.Errorf("node %d: %w", i+1, err)
		}
		members = append(members, &inProcess{n: nd})
		// Listen binds before it returns, so the address is known at once
		// (the server runs in the node's own goroutine until Close).
		if err := nd.Listen("127.0.0.1:0"); err != nil {
			return members, fmt.Errorf("node %d: %w", i+1, err)
		}
		nodes[i] = nd
	}
	urls := map[string]int{}
	for i, nd := range nodes {
		urls[nd.Addr()] = i
	}
	s.obs.urlIndex.Store(&urls)
	for i, nd := range nodes {
		var peers []string
		for _, j := range s.cfg.Topology.Peers(i, n) {
			peers = append(peers, nodes[j].Addr())
		}
		if _, err := nd.AddPeers(peers...); err != nil {
			return members, fmt.Errorf("node %d: peers: %w", i+1, err)
		}
	}
	return members, nil
}
