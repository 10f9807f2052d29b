package netlab

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/results"
)

// SimConfig describes a simulated network. The spec types are those of
// Config; what only real nodes have (rules, targets, kernels, spawning) is
// absent, and what only a simulation can vary (size, bandwidth,
// validation, strategies) is added.
type SimConfig struct {
	// Miners mine on nodes 1..len(Miners): each has a rate or a share
	// (Shares), honest or selfish.
	Miners []MinerSpec
	// Nodes is the network's size; the nodes after the miners relay
	// blocks without mining. 0 means len(Miners).
	Nodes    int
	Topology Topology // "" is a full mesh
	// Degree is a random topology's outbound links per node (0:
	// DefaultDegree).
	Degree int
	// Latency is drawn once per link from the seeded RNG.
	Latency Latency
	// LinkLatencies, if set, fix the latency of the links they name (node
	// indices from 0, the smaller first) instead of a draw: SimLike uses
	// them to rerun a real network's own links.
	LinkLatencies map[[2]int32]time.Duration
	Partition     *Partition
	// BlockTime is the mean block interval the difficulty gives the
	// total hashrate (0: DefaultSimBlockTime).
	BlockTime time.Duration
	// BlockSize in bytes over Bandwidth in bits/s is a block's transfer
	// time on every link (Bandwidth 0: none).
	BlockSize int64
	Bandwidth float64
	// ValidationDelay is spent by every node on every block before it
	// adopts or relays it.
	ValidationDelay time.Duration
	// Gamma, when UseGamma: on a tie between a selfish miner's branch and
	// an honest one, this share of the honest nodes mines on the selfish
	// branch (drawn per node and height). Otherwise a tie keeps the block
	// seen first.
	Gamma    float64
	UseGamma bool
	// Blocks stops mining when a published chain holds this many blocks;
	// Duration stops it at that simulated time. At least one must be set.
	Blocks   int
	Duration time.Duration
	// Seed fixes every random choice: the graph, latencies, blocks, ties.
	Seed uint64
	// Command is recorded in the header.
	Command []string
	// Progress, if set, is called about every ProgressInterval (default
	// 250 ms) of wall time.
	Progress         func(Progress)
	ProgressInterval time.Duration

	// everyCopy (tests): relay sends every neighbour without the block a
	// copy and each arrival is checked on delivery, instead of keeping only
	// the earliest one per node: the slow, obviously-correct twin of the
	// propagation, which must give the same run.
	everyCopy bool
}

// Simulation defaults and bounds.
const (
	// DefaultSimBlockTime is Bitcoin's: time is simulated, so a 600 s
	// block costs no more to simulate than a 1 s one.
	DefaultSimBlockTime = 600 * time.Second
	// DefaultSimBlocks: a thousand blocks take seconds even at 10 000
	// nodes.
	DefaultSimBlocks = 1000
	// maxMineOn bounds the blocks mined after the stop to break a tie
	// (each breaks it with probability well above one half).
	maxMineOn = 1000
	// simCheckEvery: events between checks of ctx and the progress clock
	// (a few milliseconds of work).
	simCheckEvery = 1 << 14
)

func (c *SimConfig) check() ([]float64, error) {
	m := len(c.Miners)
	if c.Nodes == 0 {
		c.Nodes = m
	}
	if m < 2 || c.Nodes < m || c.Nodes > MaxSimNodes {
		return nil, fmt.Errorf("%w: a simulated network needs 2 or more miners and at most %d nodes, miners included; got %d miners of %d nodes", ErrConfig, MaxSimNodes, m, c.Nodes)
	}
	shares, err := Shares(c.Miners)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Topology == "" {
		c.Topology = Mesh
	}
	if _, err := ParseTopology(string(c.Topology)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Degree != 0 && c.Topology != Random {
		return nil, fmt.Errorf("%w: a degree is for the random topology (not %s)", ErrConfig, c.Topology)
	}
	if c.Topology == Random && c.Degree == 0 {
		c.Degree = min(DefaultDegree, c.Nodes-1)
	}
	if p := c.Partition; p != nil && (p.Node < 1 || p.Node > c.Nodes) {
		return nil, fmt.Errorf("%w: partition node %d of %d", ErrConfig, p.Node, c.Nodes)
	}
	if c.BlockTime == 0 {
		c.BlockTime = DefaultSimBlockTime
	}
	switch {
	case c.BlockTime < time.Millisecond || c.BlockTime > 30*24*time.Hour:
		return nil, fmt.Errorf("%w: block time %s: want 1ms to 720h", ErrConfig, c.BlockTime)
	case c.Latency.Min < 0 || c.Latency.Max < c.Latency.Min:
		return nil, fmt.Errorf("%w: latency %s", ErrConfig, c.Latency)
	case c.BlockSize < 0 || c.Bandwidth < 0 || math.IsNaN(c.Bandwidth) || math.IsInf(c.Bandwidth, 0):
		return nil, fmt.Errorf("%w: block size and bandwidth must not be negative", ErrConfig)
	case c.ValidationDelay < 0:
		return nil, fmt.Errorf("%w: negative validation delay", ErrConfig)
	case c.UseGamma && !(c.Gamma >= 0 && c.Gamma <= 1):
		return nil, fmt.Errorf("%w: gamma %g: want 0 to 1", ErrConfig, c.Gamma)
	case c.Blocks < 0 || c.Duration < 0 || (c.Blocks == 0 && c.Duration == 0):
		return nil, fmt.Errorf("%w: set a positive block count or duration", ErrConfig)
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = defaultProgressInterval
	}
	return shares, nil
}

// simBlock is one block. Blocks are shared and never copied: a node holds
// a pointer to its tip, and a block knows which nodes have validated it.
type simBlock struct {
	parent  *simBlock
	id      int32 // in mining order, genesis 0
	height  int32
	miner   int32 // node index; -1 for genesis
	minedAt float64
	// publishedAt is when its miner released it (-1 while withheld).
	publishedAt float64
	// have: one bit per node that validated the block; count of them.
	have  []uint64
	count int32
	// arrival: per node, the earliest validation time scheduled (+Inf:
	// none; -1: arrived, waiting for its parent). Allocated while the block
	// propagates, dropped once every node has it.
	arrival []float64
	// halfAt, allAt: when half of the nodes, and every node, had it.
	halfAt, allAt float64
}

func (b *simBlock) has(i int32) bool { return b.have[i>>6]&(1<<(i&63)) != 0 }

// Event kinds.
const (
	evMine = iota
	evValidated
)

// simEvent: at time At, either the next block is found (evMine, valid
// while Gen matches the simulator's), or Node has received and validated
// Block, sent by From over link Link.
type simEvent struct {
	At   float64
	Seq  uint64
	Kind uint8
	Gen  uint32
	Node int32
	From int32
	Link int32
	// Block is the block's id (its index in simulator.blocks): no pointer,
	// so moving events in the heap needs no GC write barriers.
	Block int32
}

// eventQueue orders events by time, then by the order they were
// scheduled, so equal times resolve the same way every run.
type eventQueue []simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].At != q[j].At {
		return q[i].At < q[j].At
	}
	return q[i].Seq < q[j].Seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

// Push and Pop complete heap.Interface; the simulator itself appends and
// removes with heap.Fix (see simulator.push).
func (q *eventQueue) Push(x any) { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// selfishState is a selfish miner's view (Eyal & Sirer 2014, Algorithm 1):
// priv is the tip it mines on, pub the best chain it knows the others
// have, withheld its blocks not yet released, race true while it has
// released a branch that ties the public one.
type selfishState struct {
	priv, pub *simBlock
	withheld  []*simBlock
	race      bool
}

type simulator struct {
	cfg      *SimConfig
	n        int32
	g        *Graph
	linkLat  []float64 // seconds per link
	txSecs   float64   // transfer time of one block on a link
	vdSecs   float64
	rng      *rand.Rand
	cumShare []float64 // cumulative hashrate share of miners 0..m-1
	meanGap  float64   // seconds between blocks, all miners together
	selfish  []*selfishState
	anySelf  bool

	q       eventQueue
	seq     uint64
	mineGen uint32
	mining  bool
	now     float64
	events  int64

	blocks  []*simBlock
	genesis *simBlock
	tips    []*simBlock
	reorgs  []int32
	deepest []int32
	mined   []int32
	// depths counts reorganisations by depth, over all nodes.
	depths map[int32]int
	// orphans: blocks a node received before their parent, keyed by node
	// and parent id.
	orphans   map[uint64][]*simBlock
	maxHeight int32
	lastMined float64
	// minedAfterStop counts the blocks mined on to break a tie.
	minedAfterStop int
	// lastEvent is when a node last validated a block.
	lastEvent float64
}

// Simulate runs the discrete-event simulation of cfg and returns the same
// record as Run, marked Simulated. It is deterministic for a seed. When ctx
// is cancelled it returns the record so far (Stopped "interrupted") with
// ctx.Err().
func Simulate(ctx context.Context, cfg SimConfig) (*results.Net, error) {
	shares, err := cfg.check()
	if err != nil {
		return nil, err
	}
	wall := time.Now()
	s := &simulator{cfg: &cfg, n: int32(cfg.Nodes), orphans: map[uint64][]*simBlock{}, depths: map[int32]int{}}
	s.rng = rand.New(rand.NewPCG(cfg.Seed, 0x706f776c61627369)) // "powlabsi"
	if s.g, err = BuildGraph(cfg.Topology, cfg.Nodes, cfg.Degree, s.rng); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if !s.g.Connected() {
		return nil, fmt.Errorf("%w: the %s graph drawn from seed %d is not connected; raise --degree or change --seed", ErrConfig, cfg.Topology, cfg.Seed)
	}
	s.linkLat = make([]float64, len(s.g.Links))
	for i := range s.linkLat {
		s.linkLat[i] = cfg.Latency.Draw(s.rng).Seconds()
		if d, ok := cfg.LinkLatencies[s.g.Links[i]]; ok {
			s.linkLat[i] = d.Seconds()
		}
	}
	if cfg.Bandwidth > 0 {
		s.txSecs = float64(cfg.BlockSize) * 8 / cfg.Bandwidth
	}
	s.vdSecs = cfg.ValidationDelay.Seconds()
	s.meanGap = cfg.BlockTime.Seconds()
	s.cumShare = make([]float64, len(shares))
	acc := 0.0
	for i, sh := range shares {
		acc += sh
		s.cumShare[i] = acc
	}
	s.selfish = make([]*selfishState, len(cfg.Miners))
	s.genesis = s.newBlock(nil, -1, 0)
	for i := range s.genesis.have {
		s.genesis.have[i] = ^uint64(0)
	}
	s.genesis.count, s.genesis.publishedAt = s.n, 0
	for i, m := range cfg.Miners {
		if m.Strategy == Selfish {
			s.selfish[i] = &selfishState{priv: s.genesis, pub: s.genesis}
			s.anySelf = true
		}
	}
	s.tips = make([]*simBlock, s.n)
	for i := range s.tips {
		s.tips[i] = s.genesis
	}
	s.reorgs, s.deepest, s.mined = make([]int32, s.n), make([]int32, s.n), make([]int32, len(cfg.Miners))

	stopped, mineEnd, minedOn, converged := s.run(ctx, wall)
	rec := s.record(shares, stopped, mineEnd, minedOn, converged)
	rec.WallSeconds = time.Since(wall).Seconds()
	if stopped == "interrupted" {
		return rec, ctx.Err()
	}
	return rec, nil
}

func (s *simulator) newBlock(parent *simBlock, miner int32, at float64) *simBlock {
	b := &simBlock{parent: parent, id: int32(len(s.blocks)), miner: miner, minedAt: at, publishedAt: -1,
		have: make([]uint64, (s.n+63)/64), halfAt: -1, allAt: -1}
	if parent != nil {
		b.height = parent.height + 1
	}
	s.blocks = append(s.blocks, b)
	return b
}

// push and pop keep s.q a heap with container/heap's Fix rather than its
// Push and Pop, whose any arguments would box (allocate) every event.
func (s *simulator) push(e simEvent) {
	s.seq++
	e.Seq = s.seq
	s.q = append(s.q, e)
	heap.Fix(&s.q, len(s.q)-1)
}

func (s *simulator) pop() simEvent {
	e := s.q[0]
	n := len(s.q) - 1
	s.q[0] = s.q[n]
	s.q = s.q[:n]
	if n > 0 {
		heap.Fix(&s.q, 0)
	}
	return e
}

func (s *simulator) scheduleMine(after float64) {
	s.push(simEvent{At: after + s.rng.ExpFloat64()*s.meanGap, Kind: evMine, Gen: s.mineGen})
}

// run is the event loop: mining until the stop, then delivery of what is
// in flight, then (on a tie) mining on until every node has one tip.
func (s *simulator) run(ctx context.Context, wall time.Time) (stopped string, mineEnd float64, minedOn, converged bool) {
	s.mining = true
	s.scheduleMine(0)
	lastProgress := wall
	phase := "mining"
	dur := s.cfg.Duration.Seconds()
	for {
		s.events++
		if s.events%simCheckEvery == 0 {
			if ctx.Err() != nil {
				if phase == "mining" {
					mineEnd = s.now
				}
				return "interrupted", mineEnd, minedOn, s.converged()
			}
			if s.cfg.Progress != nil && time.Since(lastProgress) >= s.cfg.ProgressInterval {
				lastProgress = time.Now()
				s.progress(phase, wall)
			}
		}
		if len(s.q) == 0 {
			if s.converged() {
				return stopped, mineEnd, minedOn, true
			}
			if minedOn && s.minedAfterStop >= maxMineOn {
				return stopped, mineEnd, minedOn, false
			}
			// A tie: equal branches that only the next block breaks.
			minedOn, phase, s.mining = true, "converging", true
			s.mineGen++
			s.scheduleMine(s.now)
			continue
		}
		e := s.pop()
		switch e.Kind {
		case evMine:
			if !s.mining || e.Gen != s.mineGen {
				continue
			}
			if phase == "mining" && dur > 0 && e.At > dur {
				stopped, mineEnd = "duration", dur
				s.now = dur
				s.stopMining()
				phase = "converging"
				continue
			}
			if minedOn && len(s.q) == 0 && s.converged() {
				s.mining = false
				continue
			}
			s.now = e.At
			if minedOn {
				s.minedAfterStop++
			}
			s.mine()
			s.scheduleMine(s.now)
		case evValidated:
			s.now = e.At
			s.deliver(e)
		}
		if phase == "mining" && s.cfg.Blocks > 0 && int(s.maxHeight) >= s.cfg.Blocks {
			stopped, mineEnd = "blocks", s.now
			s.stopMining()
			phase = "converging"
		}
	}
}

// stopMining ends the mining phase: selfish miners release what they
// withhold and from then on behave as honest nodes.
func (s *simulator) stopMining() {
	s.mining = false
	s.mineGen++
	for i, st := range s.selfish {
		if st == nil {
			continue
		}
		s.publish(int32(i), st, len(st.withheld))
		if st.priv.height >= st.pub.height {
			s.tips[i] = st.priv
		} else {
			s.tips[i] = st.pub
		}
		s.selfish[i] = nil
	}
}

func (s *simulator) converged() bool {
	t := s.tips[0]
	for _, u := range s.tips[1:] {
		if u != t {
			return false
		}
	}
	return true
}

func (s *simulator) progress(phase string, wall time.Time) {
	var reorgs int
	for _, r := range s.reorgs {
		reorgs += int(r)
	}
	s.cfg.Progress(Progress{Elapsed: time.Since(wall), Phase: phase, Height: int(s.maxHeight), Mined: len(s.blocks) - 1,
		Reorgs: reorgs, SimTime: time.Duration(s.now * float64(time.Second))})
}

// mine finds the next block: the miner is drawn by hashrate share (the
// time to the next block of all miners together is exponential with the
// block time as its mean, and each block is one miner's with its share's
// probability, independently: the races are memoryless).
func (s *simulator) mine() {
	u := s.rng.Float64() * s.cumShare[len(s.cumShare)-1]
	m := int32(min(bench.CountAtMost(s.cumShare, u), len(s.cumShare)-1)) // the first cumulative share above u
	s.mined[m]++
	s.lastMined = s.now
	if st := s.selfish[m]; st != nil {
		b := s.newBlock(st.priv, m, s.now)
		s.setHave(b, m)
		s.selfishMined(m, st, b)
		return
	}
	b := s.newBlock(s.tips[m], m, s.now)
	b.publishedAt = s.now
	s.accept(m, b)
}

func (s *simulator) setHave(b *simBlock, i int32) {
	b.have[i>>6] |= 1 << (i & 63)
	b.count++
	if b.count*2 >= s.n && b.halfAt < 0 && b.publishedAt >= 0 {
		b.halfAt = s.now
	}
	if b.count == s.n {
		b.allAt = s.now
		b.arrival = nil
	}
}

// deliver handles a block's arrival, validated, at a node: the earliest
// scheduled one only; a block whose parent the node lacks waits for it
// (and the parent is asked of the sender).
func (s *simulator) deliver(e simEvent) {
	b, j := s.blocks[e.Block], e.Node
	if b.has(j) || b.arrival == nil {
		return // a copy of a block already here
	}
	if s.cfg.everyCopy {
		if b.arrival[j] < 0 {
			return // waiting for its parent
		}
	} else if b.arrival[j] != e.At {
		return // a later copy of a block already due or waiting
	}
	if p := b.parent; !p.has(j) {
		if s.cut(e.From, j) {
			b.arrival[j] = math.Inf(1) // the sender is gone: wait for another copy
			return
		}
		b.arrival[j] = -1
		key := uint64(j)<<32 | uint64(p.id)
		s.orphans[key] = append(s.orphans[key], b)
		// A round trip for the request, then the parent's transfer.
		at := s.now + 2*s.linkLat[e.Link] + s.txSecs + s.vdSecs
		s.ensureArrival(p)
		if at < p.arrival[j] {
			p.arrival[j] = at
			s.push(simEvent{At: at, Kind: evValidated, Node: j, From: e.From, Link: e.Link, Block: p.id})
		}
		return
	}
	s.accept(j, b)
}

func (s *simulator) ensureArrival(b *simBlock) {
	if b.arrival == nil && b.count < s.n {
		b.arrival = make([]float64, s.n)
		for i := range b.arrival {
			b.arrival[i] = math.Inf(1)
		}
	}
}

// accept: node j has validated b. It updates its tip (or, for a selfish
// miner, its view of the public chain), relays b to every neighbour that
// lacks it, and takes up the blocks that waited for b.
func (s *simulator) accept(j int32, b *simBlock) {
	s.lastEvent = s.now
	s.setHave(b, j)
	s.maxHeight = max(s.maxHeight, b.height)
	if int(j) < len(s.selfish) && s.selfish[j] != nil {
		s.selfishSees(j, s.selfish[j], b)
	} else {
		s.choose(j, b)
	}
	s.relay(j, b)
	key := uint64(j)<<32 | uint64(b.id)
	if waiting, ok := s.orphans[key]; ok {
		delete(s.orphans, key)
		at := s.now + s.vdSecs
		for _, c := range waiting {
			c.arrival[j] = at
			s.push(simEvent{At: at, Kind: evValidated, Node: j, From: j, Block: c.id})
		}
	}
}

// relay sends b from node j to each neighbour that has not validated it
// and is not already due to receive it sooner.
func (s *simulator) relay(j int32, b *simBlock) {
	s.ensureArrival(b)
	if b.arrival == nil {
		return
	}
	lo, hi := s.g.Off[j], s.g.Off[j+1]
	base := s.now + s.txSecs + s.vdSecs
	for k := lo; k < hi; k++ {
		nb := s.g.Adj[k]
		if b.has(nb) {
			continue
		}
		link := s.g.LinkOf[k]
		at := base + s.linkLat[link]
		if s.cfg.everyCopy {
			if !s.cut(j, nb) {
				s.push(simEvent{At: at, Kind: evValidated, Node: nb, From: j, Link: link, Block: b.id})
			}
			continue
		}
		if at < b.arrival[nb] && !s.cut(j, nb) {
			b.arrival[nb] = at
			s.push(simEvent{At: at, Kind: evValidated, Node: nb, From: j, Link: link, Block: b.id})
		}
	}
}

func (s *simulator) cut(a, b int32) bool {
	p := s.cfg.Partition
	return p != nil && p.Cut(int(a)+1, int(b)+1, time.Duration(s.now*float64(time.Second)))
}

// choose is an honest node's fork choice: the most work (one difficulty
// throughout: the longest chain), the first seen on a tie, except that
// with gamma a tie between a selfish and an honest tip goes to the selfish
// one on a share gamma of the nodes.
func (s *simulator) choose(j int32, b *simBlock) {
	tip := s.tips[j]
	switch {
	case b.height > tip.height:
	case b.height == tip.height && b != tip && s.cfg.UseGamma && s.anySelf && s.preferOnTie(j, tip, b):
	default:
		return
	}
	if b.parent != tip {
		anc := commonAncestor(tip, b)
		if d := tip.height - anc.height; d > 0 {
			s.reorgs[j]++
			s.deepest[j] = max(s.deepest[j], d)
			s.depths[d]++
		}
	}
	s.tips[j] = b
}

func (s *simulator) isSelfish(b *simBlock) bool {
	return b.miner >= 0 && s.cfg.Miners[b.miner].Strategy == Selfish
}

// preferOnTie reports whether node j moves from tip to b, of equal height:
// only between a selfish and an honest block, by a coin of bias gamma
// fixed per node and height (so the order the two arrive in does not
// matter).
func (s *simulator) preferOnTie(j int32, tip, b *simBlock) bool {
	ts, bs := s.isSelfish(tip), s.isSelfish(b)
	if ts == bs {
		return false
	}
	coin := unitHash(s.cfg.Seed, uint64(j), uint64(b.height)) < s.cfg.Gamma
	return coin == bs
}

// unitHash maps (seed, a, b) to [0, 1) with SplitMix64's finaliser.
func unitHash(seed, a, b uint64) float64 {
	x := seed ^ a*0x9e3779b97f4a7c15 ^ (b<<32|b>>32)*0xbf58476d1ce4e5b9
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

func commonAncestor(a, b *simBlock) *simBlock {
	for a.height > b.height {
		a = a.parent
	}
	for b.height > a.height {
		b = b.parent
	}
	for a != b {
		a, b = a.parent, b.parent
	}
	return a
}

// selfishMined: the selfish miner m found b on its private tip. It keeps it
// unless it was racing a tie (Eyal & Sirer's state 0'), which b wins: then
// it releases its branch.
func (s *simulator) selfishMined(m int32, st *selfishState, b *simBlock) {
	prevLead := st.priv.height - st.pub.height
	st.priv = b
	st.withheld = append(st.withheld, b)
	s.tips[m] = b
	if prevLead == 0 && st.race {
		s.publish(m, st, len(st.withheld))
		st.race = false
	}
}

// selfishSees: the selfish miner m validated b from the network. A longer
// public chain moves it by its lead over that chain:
//   - behind: it adopts the public chain (its private blocks are lost);
//   - even (it led by one): it releases its block and races (state 0');
//   - ahead by one (it led by two): it releases everything and wins;
//   - further ahead: it releases its blocks up to the public height.
func (s *simulator) selfishSees(m int32, st *selfishState, b *simBlock) {
	if b.height <= st.pub.height {
		return
	}
	st.pub = b
	lead := st.priv.height - st.pub.height
	switch {
	case lead < 0:
		anc := commonAncestor(st.priv, st.pub)
		if d := st.priv.height - anc.height; d > 0 {
			s.reorgs[m]++
			s.deepest[m] = max(s.deepest[m], d)
			s.depths[d]++
		}
		st.priv, st.withheld, st.race = st.pub, st.withheld[:0], false
		s.tips[m] = st.priv
	case lead == 0:
		st.race = len(st.withheld) > 0
		s.publish(m, st, len(st.withheld))
	case lead == 1:
		st.race = false
		s.publish(m, st, len(st.withheld))
	default:
		st.race = false
		k := 0
		for k < len(st.withheld) && st.withheld[k].height <= st.pub.height {
			k++
		}
		s.publish(m, st, k)
	}
}

// publish releases the first k withheld blocks, in order, so every parent
// goes out before its child.
func (s *simulator) publish(m int32, st *selfishState, k int) {
	for _, c := range st.withheld[:k] {
		c.publishedAt = s.now
		s.maxHeight = max(s.maxHeight, c.height)
		s.relay(m, c)
		if c.height > st.pub.height {
			st.pub = c
		}
	}
	st.withheld = append(st.withheld[:0], st.withheld[k:]...)
}

// record fills the report: the best chain is the tip most work among the
// nodes' tips (the lowest node on a tie).
func (s *simulator) record(shares []float64, stopped string, mineEnd float64, minedOn, converged bool) *results.Net {
	cfg := s.cfg
	rec := &results.Net{
		Header:    results.NewHeader(results.KindNet, cfg.Command),
		Simulated: true,
		Config: results.NetConfig{
			Topology: string(cfg.Topology), Latency: cfg.Latency.String(), Blocks: cfg.Blocks,
			Duration: cfg.Duration.Seconds(), Seed: cfg.Seed, Nodes: cfg.Nodes, Degree: cfg.Degree,
			BlockTimeSecs: cfg.BlockTime.Seconds(), BlockSize: cfg.BlockSize, Bandwidth: cfg.Bandwidth,
			ValidationSecs: cfg.ValidationDelay.Seconds(), LinkCount: len(s.g.Links),
		},
		Stopped: stopped, MinedOnToConverge: minedOn, Converged: converged, Seconds: mineEnd,
		Events: s.events,
	}
	if cfg.UseGamma {
		g := cfg.Gamma
		rec.Config.Gamma = &g
	}
	for _, m := range cfg.Miners {
		rec.Config.Miners = append(rec.Config.Miners, m.Text)
	}
	if p := cfg.Partition; p != nil {
		rec.Config.Partition = fmt.Sprintf("%d@%s..%s", p.Node, p.From, p.Till)
	}
	if len(s.g.Links) <= results.MaxRecordedLinks {
		for e, l := range s.g.Links {
			rec.Config.Links = append(rec.Config.Links, results.NetLink{A: int(l[0]) + 1, B: int(l[1]) + 1, LatencySeconds: s.linkLat[e]})
		}
	}
	best := s.tips[0]
	for _, t := range s.tips[1:] {
		if t.height > best.height {
			best = t
		}
	}
	won := make([]int, len(cfg.Miners))
	for b := best; b.parent != nil; b = b.parent {
		won[b.miner]++
		rec.Blocks = append(rec.Blocks, results.NetBlock{Height: int(b.height), Hash: blockName(b), Miner: int(b.miner) + 1, At: b.minedAt})
	}
	slices.Reverse(rec.Blocks)
	rec.Tip, rec.Height = blockName(best), int(best.height)

	// A made-up rate for miners given only as shares: 1 attempt/s per
	// unit share keeps the columns meaningful.
	var rateSum float64
	for _, m := range cfg.Miners {
		rateSum += m.RateCap
	}
	total := 1.0
	if rateSum > 0 {
		total = rateSum / (1 - sharesOf(cfg.Miners))
	}
	for i, m := range cfg.Miners {
		nn := results.NetNode{
			ID: i + 1, Spec: m.Text, RateCap: shares[i] * total, MeasuredRate: shares[i] * total,
			HashrateShare: shares[i], MeasuredShare: shares[i], BlocksMined: int(s.mined[i]), BlocksWon: won[i],
			Reorgs: int(s.reorgs[i]), DeepestReorg: int(s.deepest[i]),
			Tip: blockName(s.tips[i]), Height: int(s.tips[i].height),
		}
		if m.Strategy != Honest {
			nn.Strategy = m.Strategy.String()
		}
		if best.height > 0 {
			nn.BlockShare = float64(won[i]) / float64(best.height)
		}
		nn.Stale = max(nn.BlocksMined-won[i], 0)
		rec.MinedBlocks += nn.BlocksMined
		rec.StaleBlocks += nn.Stale
		rec.Reorgs += nn.Reorgs
		rec.DeepestReorg = max(rec.DeepestReorg, nn.DeepestReorg)
		rec.Nodes = append(rec.Nodes, nn)
	}
	if relays := int(s.n) - len(cfg.Miners); relays > 0 {
		r := &results.NetRelays{Count: relays}
		for i := len(cfg.Miners); i < int(s.n); i++ {
			r.Reorgs += int(s.reorgs[i])
			if s.reorgs[i] > 0 {
				r.Reorged++
			}
			r.DeepestReorg = max(r.DeepestReorg, int(s.deepest[i]))
		}
		rec.Relays = r
		rec.Reorgs += r.Reorgs
		rec.DeepestReorg = max(rec.DeepestReorg, r.DeepestReorg)
	}
	if rec.MinedBlocks > 0 {
		rec.StaleRate = float64(rec.StaleBlocks) / float64(rec.MinedBlocks)
	}
	if len(s.depths) > 0 {
		rec.ReorgDepths = map[int]int{}
		for d, k := range s.depths {
			rec.ReorgDepths[int(d)] = k
		}
	}
	rec.TotalRate, rec.TotalRateCap = total, total
	rec.Config.ExpectedAttempts = total * cfg.BlockTime.Seconds()
	if k := len(rec.Blocks); k > 0 {
		rec.MeanIntervalSeconds = rec.Blocks[k-1].At / float64(k)
	}
	rec.ExpectedIntervalSecs, rec.ExpectedIntervalCapSecs = cfg.BlockTime.Seconds(), cfg.BlockTime.Seconds()
	if converged && s.lastEvent >= s.lastMined {
		rec.ConvergeAfterLastSecs = s.lastEvent - s.lastMined
	}
	var half, all float64
	var nHalf, nAll int
	for _, b := range s.blocks[1:] {
		if b.publishedAt < 0 {
			continue
		}
		if b.halfAt >= 0 {
			half += b.halfAt - b.publishedAt
			nHalf++
		}
		if b.allAt >= 0 {
			all += b.allAt - b.publishedAt
			nAll++
		}
	}
	if nHalf > 0 {
		rec.PropagationHalfSecs = half / float64(nHalf)
	}
	if nAll > 0 {
		rec.PropagationAllSecs = all / float64(nAll)
	}
	return rec
}

func sharesOf(ms []MinerSpec) float64 {
	var p float64
	for _, m := range ms {
		p += m.Share
	}
	return p
}

func blockName(b *simBlock) string {
	if b.parent == nil {
		return "sim-genesis"
	}
	return fmt.Sprintf("sim-%d", b.id)
}
