package chain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/powlab/powlab/miner"
)

// AddResult says what AddBlock did with a valid block.
type AddResult int

const (
	// Extended: the block extends the main chain's tip.
	Extended AddResult = iota + 1
	// Reorged: the block completes a branch with more work, which became
	// the main chain.
	Reorged
	// SideChain: the block is valid and stored on a branch with less work.
	SideChain
	// Orphan: the block's parent is unknown; it is held aside (bounded in
	// number and age) until the parent arrives.
	Orphan
	// Duplicate: the block was already known.
	Duplicate
)

func (r AddResult) String() string {
	switch r {
	case Extended:
		return "extended"
	case Reorged:
		return "reorged"
	case SideChain:
		return "side chain"
	case Orphan:
		return "orphan"
	case Duplicate:
		return "duplicate"
	}
	return "rejected"
}

// Orphan pool bounds.
const (
	MaxOrphans   = 100
	MaxOrphanAge = 10 * time.Minute
)

type orphan struct {
	block *Block
	hash  Hash
	added time.Time
}

// TipChange is sent to subscribers when the main chain's tip changes.
type TipChange struct {
	Height uint64
	Hash   Hash
	Work   Work // cumulative, exact
	Block  *Block
	// Reorg is true when blocks of the old main chain were dropped.
	Reorg bool
}

// Tip describes the main chain's last block.
type Tip struct {
	Height uint64
	Hash   Hash
	Work   Work // cumulative, exact
	Block  *Block
	// Node is the tip in the block tree: as a HeaderCtx it walks back over
	// the main chain as it was when Tip was called.
	Node *BlockNode
}

// Options configure Open. Zero fields mean "as stored" for an existing
// chain and "the default" for a new one; a field that is set must agree
// with a stored chain's parameters, or Open fails with ErrParamsMismatch.
type Options struct {
	Rules  string       // RulesTutorial, RulesPowlab or RulesBitcoin (new chains: powlab)
	Target miner.Target // zero value: unset
	Reward *Number      // nil: unset (12.5)
	// DAA is the difficulty algorithm, a daa registry name ("": unset, the
	// rules' default).
	DAA string
	// RetargetInterval is the difficulty algorithm's window or interval
	// (nil: unset; powlab rules: 0, fixed difficulty; bitcoin rules: 2016;
	// another algorithm: its default).
	RetargetInterval *uint64
	BlockTime        time.Duration // 0: unset (10s; bitcoin rules 10m)
	HalfLife         time.Duration // 0: unset (asert: 288 block times)
	// Now is the clock (nil: time.Now); tests fix it.
	Now func() time.Time
	// Mine tunes the search for a powlab genesis block.
	Mine MineOptions
	// MustExist makes Open fail with ErrNoChain instead of creating a chain.
	MustExist bool

	// wrapRules, when set, wraps the rules the chain runs under (tests: a
	// double that changes a block's work).
	wrapRules func(Rules) Rules
}

// Chain is the consensus engine over a store: the block tree, the main
// chain (most cumulative work), orphans, the mempool and tip subscribers.
// All methods are safe for concurrent use; none does network I/O or holds
// the lock while searching for a proof.
type Chain struct {
	mu      sync.Mutex
	st      *store
	dir     string
	rules   Rules
	address string
	now     func() time.Time

	nodes   map[Hash]*BlockNode
	main    []*BlockNode // main[i] is at height i+1
	orphans map[Hash]*orphan
	pool    mempool
	subs    map[int]chan TipChange
	nextSub int
	closed  bool
}

// Open opens the chain in data directory dir, creating it (with its
// genesis block and node address) if it does not exist.
func Open(ctx context.Context, dir string, o Options) (*Chain, error) {
	if o.MustExist {
		if _, err := os.Stat(filepath.Join(dir, dbFile)); err != nil {
			return nil, fmt.Errorf("%w in %s", ErrNoChain, dir)
		}
	}
	st, err := openStore(dir)
	if err != nil {
		return nil, err
	}
	c, err := open(ctx, st, dir, o)
	if err != nil {
		st.close()
		return nil, err
	}
	return c, nil
}

// Apply returns base with every parameter o sets put over it. A DAA that
// differs from base's drops base's window and half-life (they were its
// algorithm's) unless o sets them too.
func (o Options) Apply(base Params) Params {
	p := base
	if o.Target.Valid() {
		p.Target = o.Target
	}
	if o.Reward != nil {
		p.Reward = *o.Reward
	}
	if o.DAA != "" {
		if o.DAA != base.DAAName() {
			p.RetargetInterval, p.HalfLife = 0, 0
		}
		p.DAA = o.DAA
	}
	if o.HalfLife != 0 {
		p.HalfLife = o.HalfLife
	}
	if o.RetargetInterval != nil {
		p.RetargetInterval = *o.RetargetInterval
	}
	if o.BlockTime != 0 {
		p.BlockTime = o.BlockTime
	}
	return p
}

func checkOptions(stored Params, o Options) error {
	var diffs []string
	if o.Rules != "" && o.Rules != stored.Rules {
		diffs = append(diffs, fmt.Sprintf("rules %s (stored: %s)", o.Rules, stored.Rules))
	}
	if o.Target.Valid() && o.Target.String() != stored.Target.String() {
		diffs = append(diffs, fmt.Sprintf("target %s (stored: %s)", o.Target, stored.Target))
	}
	if o.Reward != nil && !o.Reward.Equal(stored.Reward) {
		diffs = append(diffs, fmt.Sprintf("reward %s (stored: %s)", o.Reward, stored.Reward))
	}
	if o.DAA != "" && o.DAA != stored.DAAName() {
		diffs = append(diffs, fmt.Sprintf("difficulty algorithm %s (stored: %s)", o.DAA, stored.DAAName()))
	}
	res := stored.Resolved()
	if o.RetargetInterval != nil && *o.RetargetInterval != res.RetargetInterval {
		diffs = append(diffs, fmt.Sprintf("retarget interval or window %d (stored: %d)", *o.RetargetInterval, res.RetargetInterval))
	}
	if o.HalfLife != 0 && o.HalfLife != res.HalfLife {
		diffs = append(diffs, fmt.Sprintf("half-life %s (stored: %s)", o.HalfLife, res.HalfLife))
	}
	if o.BlockTime != 0 && o.BlockTime != stored.BlockTime {
		diffs = append(diffs, fmt.Sprintf("block time %s (stored: %s)", o.BlockTime, stored.BlockTime))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: asked for %s; the chain in this directory was created with %s", ErrParamsMismatch, strings.Join(diffs, ", "), stored)
	}
	return nil
}

func open(ctx context.Context, st *store, dir string, o Options) (*Chain, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	stored, address, tipHash, hasTip, err := st.loadMeta()
	if err != nil {
		return nil, err
	}
	if stored == nil && o.MustExist {
		// The file exists but holds no chain (its creation failed before
		// the genesis block was stored): a reader must not create one.
		return nil, fmt.Errorf("%w in %s (the store holds no chain yet)", ErrNoChain, dir)
	}
	var p Params
	if stored != nil {
		if err := checkOptions(*stored, o); err != nil {
			return nil, err
		}
		p = *stored
	} else {
		name := o.Rules
		if name == "" {
			name = RulesPowlab
		}
		p = o.Apply(DefaultParams(name)).Resolved()
	}
	r, err := NewRules(p)
	if err != nil {
		if stored == nil {
			return nil, fmt.Errorf("%w: %w", ErrBadParams, err)
		}
		return nil, err
	}
	base := r
	if o.wrapRules != nil {
		r = o.wrapRules(r)
	}
	c := &Chain{st: st, dir: dir, rules: r, now: now, nodes: map[Hash]*BlockNode{},
		orphans: map[Hash]*orphan{}, pool: mempool{max: MaxPending}, subs: map[int]chan TipChange{}}

	if stored == nil {
		g := r.Genesis(timestampOf(now()))
		if _, ok := r.ProofHash(nil, g); ok {
			res, err := searchProof(ctx, r, nil, g, r.NextTarget(nil), o.Mine.searchOptions())
			if err != nil {
				return nil, fmt.Errorf("mine genesis: %w", err)
			}
			g.Proof = res.Nonce
		}
		h, err := CheckBlock(r, g, nil, nil, now())
		if err != nil {
			return nil, fmt.Errorf("genesis: %w", err)
		}
		address = NewAddress()
		if err := st.create(p, address, g, h); err != nil {
			return nil, fmt.Errorf("create chain: %w", err)
		}
		tipHash, hasTip = h, true
	}
	c.address = address

	blocks, err := st.loadBlocks()
	if err != nil {
		return nil, err
	}
	for _, sb := range blocks {
		var par *BlockNode
		if sb.block.Index > 1 {
			var ok bool
			if par, ok = c.nodes[sb.block.PrevHash]; !ok {
				continue // its branch lost a block: unreachable, skip
			}
		}
		c.nodes[sb.hash] = NewBlockNode(sb.block, sb.hash, r.Work(sb.block), par)
	}
	tip, ok := c.nodes[tipHash]
	if !hasTip || !ok {
		for _, n := range c.nodes {
			if tip == nil || Better(n.work, tip.work) {
				tip = n
			}
		}
	}
	if tip == nil {
		return nil, fmt.Errorf("store in %s holds no blocks", dir)
	}
	c.setMain(tip)
	if stored != nil && stored.DAA == "" {
		if err := checkLegacyDifficulty(base, c.main); err != nil {
			return nil, fmt.Errorf("chain in %s: %w", dir, err)
		}
	}
	return c, nil
}

// checkLegacyDifficulty checks the targets of a main chain stored by a
// powlab older than the choice of difficulty algorithm (its params name
// none). Its powlab-rules retargets were computed in floating point and
// can differ from the integer rule by a rounding step; such a store is
// refused with the first block that differs rather than grown with
// targets its own history contradicts. Bitcoin rules always computed in
// integers, exactly as package daa does, and a chain without retargets
// has nothing to differ.
func checkLegacyDifficulty(r Rules, main []*BlockNode) error {
	pr, ok := r.(*powlabRules)
	if !ok || pr.p.RetargetInterval == 0 {
		return nil
	}
	for i := 1; i < len(main); i++ {
		b := main[i].block
		if want := pr.nextCompact(main[i-1]); b.Target != want {
			return fmt.Errorf("%w (this store was written by an older powlab, whose retarget rounded in floating point; "+
				"the integer retarget differs by a rounding step: re-create the chain, see docs/chain.md)",
				ruleErr(CodeBadDifficulty, b.Index, "target %s, but the integer retarget gives %s", b.Target, want))
		}
	}
	return nil
}

// timestampOf is t as Python's time.time() gives it, to the microsecond.
func timestampOf(t time.Time) Number { return Float(float64(t.UnixMicro()) / 1e6) }

func (c *Chain) setMain(tip *BlockNode) {
	main := make([]*BlockNode, tip.block.Index)
	for n := tip; n != nil; n = n.parent {
		main[n.block.Index-1] = n
	}
	c.main = main
}

func (c *Chain) tipNode() *BlockNode { return c.main[len(c.main)-1] }

// Close closes the store. Later calls fail with ErrClosed.
func (c *Chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	for id, ch := range c.subs {
		close(ch)
		delete(c.subs, id)
	}
	return c.st.close()
}

// Dir is the data directory.
func (c *Chain) Dir() string { return c.dir }

// Rules are the chain's rules.
func (c *Chain) Rules() Rules { return c.rules }

// Params are the chain's parameters.
func (c *Chain) Params() Params { return c.rules.Params() }

// Address is the node's address, made once when the store was created: the
// recipient of its mining rewards.
func (c *Chain) Address() string { return c.address }

// Tip describes the main chain's last block.
func (c *Chain) Tip() Tip {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tipNode()
	return Tip{Height: t.block.Index, Hash: t.hash, Work: t.work, Block: t.block, Node: t}
}

// Height is the main chain's length (its tip's index).
func (c *Chain) Height() uint64 { return c.Tip().Height }

// Blocks returns the main chain, genesis first. The blocks are shared:
// do not modify them.
func (c *Chain) Blocks() []*Block {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Block, len(c.main))
	for i, n := range c.main {
		out[i] = n.block
	}
	return out
}

// ChainJSON is the tutorial's /chain document for the main chain.
func (c *Chain) ChainJSON() []byte { return EncodeChainJSON(c.Blocks()) }

// BlockAt returns the main-chain block at height (1 = genesis).
func (c *Chain) BlockAt(height uint64) (*Block, Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if height < 1 || height > uint64(len(c.main)) {
		return nil, Hash{}, fmt.Errorf("height %d: %w", height, ErrNotFound)
	}
	n := c.main[height-1]
	return n.block, n.hash, nil
}

// Block returns a known block (on any branch) by hash.
func (c *Chain) Block(h Hash) (*Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.nodes[h]
	if !ok {
		return nil, fmt.Errorf("block %s: %w", h, ErrNotFound)
	}
	return n.block, nil
}

// Subscribe returns a channel that receives the latest tip change. It
// holds one event: a slow reader sees the newest and misses the ones
// between (Tip() always tells the present). cancel stops the subscription
// and closes the channel; Close closes every channel.
func (c *Chain) Subscribe() (<-chan TipChange, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan TipChange, 1)
	if c.closed {
		close(ch)
		return ch, func() {}
	}
	id := c.nextSub
	c.nextSub++
	c.subs[id] = ch
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ch, ok := c.subs[id]; ok {
			close(ch)
			delete(c.subs, id)
		}
	}
}

// notify sends ev to every subscriber, replacing an unread older event.
// c.mu is held, so sends are ordered and never block.
func (c *Chain) notify(ev TipChange) {
	for _, ch := range c.subs {
		select {
		case ch <- ev:
		default:
			select {
			case <-ch:
			default:
			}
			ch <- ev
		}
	}
}

// AddTx checks tx and adds it to the mempool. It returns the index of the
// block that will hold it if mined next, as the tutorial's
// new_transaction does. Errors wrap ErrInvalidTx or ErrMempoolFull.
func (c *Chain) AddTx(tx Tx) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.pool.add(tx); err != nil {
		return 0, err
	}
	return c.tipNode().block.Index + 1, nil
}

// Pending returns a copy of the mempool, oldest first.
func (c *Chain) Pending() []Tx {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Tx(nil), c.pool.txs...)
}

// PendingCount is the number of pending transactions.
func (c *Chain) PendingCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pool.txs)
}

// AddBlock validates a block (from a peer, or mined here) and stores it.
// It reports whether the block extended the tip, caused a reorg, landed on
// a side branch, was held as an orphan (parent unknown) or was a
// duplicate. A block that breaks a rule is refused with a *RuleError; other
// errors are store failures.
func (c *Chain) AddBlock(b *Block) (AddResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, ErrClosed
	}
	if b == nil {
		return 0, ruleErr(CodeMalformed, 0, "no block")
	}
	return c.addLocked(b)
}

func (c *Chain) addLocked(b *Block) (AddResult, error) {
	h := c.rules.Hash(b)
	if _, ok := c.nodes[h]; ok {
		return Duplicate, nil
	}
	if _, ok := c.orphans[h]; ok {
		return Duplicate, nil
	}
	if err := checkAlone(c.rules, b, b.Index == 1); err != nil {
		return 0, err
	}
	var parent *BlockNode
	if b.Index > 1 {
		var ok bool
		if parent, ok = c.nodes[b.PrevHash]; !ok {
			c.addOrphan(b, h)
			return Orphan, nil
		}
	}
	res, err := c.connect(b, h, parent)
	if err != nil {
		return 0, err
	}
	// Blocks waiting for this one can now be connected in turn.
	queue := []Hash{h}
	for len(queue) > 0 {
		ph := queue[0]
		queue = queue[1:]
		for oh, o := range c.orphans {
			if o.block.PrevHash != ph || o.block.Index < 2 {
				continue
			}
			delete(c.orphans, oh)
			r, err := c.connect(o.block, oh, c.nodes[ph])
			if err != nil {
				if _, ok := IsRuleError(err); ok {
					continue // an invalid orphan is dropped
				}
				return res, err
			}
			if r == Extended || r == Reorged {
				if res == SideChain {
					res = Reorged
				}
			}
			queue = append(queue, oh)
		}
	}
	return res, nil
}

func (c *Chain) addOrphan(b *Block, h Hash) {
	now := c.now()
	for oh, o := range c.orphans {
		if now.Sub(o.added) > MaxOrphanAge {
			delete(c.orphans, oh)
		}
	}
	if len(c.orphans) >= MaxOrphans {
		var oldest Hash
		var t time.Time
		for oh, o := range c.orphans {
			if t.IsZero() || o.added.Before(t) {
				oldest, t = oh, o.added
			}
		}
		delete(c.orphans, oldest)
	}
	c.orphans[h] = &orphan{block: b, hash: h, added: now}
}

// OrphanCount is the number of blocks held aside for want of a parent.
func (c *Chain) OrphanCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.orphans)
}

// connect validates b on parent (nil: a genesis block), stores it and runs
// fork choice.
func (c *Chain) connect(b *Block, h Hash, parent *BlockNode) (AddResult, error) {
	var pb *Block
	var pctx HeaderCtx
	var ph Hash
	if parent != nil {
		pb, pctx, ph = parent.block, parent, parent.hash
	}
	proof, ok := c.rules.ProofHash(pb, b)
	if err := checkOnParent(c.rules, b, pb, ph, pctx, proof, ok, c.now()); err != nil {
		return 0, err
	}
	n := NewBlockNode(b, h, c.rules.Work(b), parent)
	old := c.tipNode()
	better := Better(n.work, old.work)
	var tip *Hash
	if better {
		tip = &h
	}
	if err := c.st.putBlocks([]storedBlock{{h, b}}, tip); err != nil {
		return 0, fmt.Errorf("store block %d: %w", b.Index, err)
	}
	c.nodes[h] = n
	if !better {
		return SideChain, nil
	}
	if parent == old {
		c.main = append(c.main, n)
		c.pool.removeIncluded([]*Block{b})
		c.notify(TipChange{Height: b.Index, Hash: h, Work: n.work, Block: b})
		return Extended, nil
	}
	c.switchTo(n)
	return Reorged, nil
}

// switchTo makes tip's branch the main chain, moving transactions between
// the mempool and the blocks that leave and join it.
func (c *Chain) switchTo(tip *BlockNode) {
	old := c.main
	c.setMain(tip)
	i := 0
	for i < len(old) && i < len(c.main) && old[i] == c.main[i] {
		i++
	}
	var dropped, added []*Block
	for _, n := range old[i:] {
		dropped = append(dropped, n.block)
	}
	for _, n := range c.main[i:] {
		added = append(added, n.block)
	}
	c.pool.restore(dropped)
	c.pool.removeIncluded(added)
	c.notify(TipChange{Height: tip.block.Index, Hash: tip.hash, Work: tip.work, Block: tip.block, Reorg: len(dropped) > 0})
}

// ReplaceChain validates a whole foreign chain (genesis first, as the
// tutorial's /chain returns it) and adopts it if it has more cumulative
// work than the main chain: whole-chain replacement, genesis included, as
// the tutorial's resolve_conflicts does. It reports whether the chain was
// adopted. Validation runs on all cores without holding the lock.
func (c *Chain) ReplaceChain(ctx context.Context, blocks []*Block) (bool, error) {
	info, err := ValidateChain(ctx, c.rules, blocks, ValidateOptions{Now: c.now()})
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false, ErrClosed
	}
	if !Better(info.Work, c.tipNode().work) {
		return false, nil
	}
	// Reuse the blocks already known; make nodes for the others, stored in
	// one transaction before they join the tree.
	var fresh []storedBlock
	var freshNodes []*BlockNode
	var parent *BlockNode
	for i, b := range blocks {
		h := info.Hashes[i]
		n, ok := c.nodes[h]
		if !ok {
			n = NewBlockNode(b, h, c.rules.Work(b), parent)
			fresh = append(fresh, storedBlock{h, b})
			freshNodes = append(freshNodes, n)
		}
		parent = n
	}
	tipHash := info.Tip
	if err := c.st.putBlocks(fresh, &tipHash); err != nil {
		return false, fmt.Errorf("store adopted chain: %w", err)
	}
	for _, n := range freshNodes {
		c.nodes[n.hash] = n
	}
	c.switchTo(parent)
	return true, nil
}

// Validate checks the stored main chain as ValidateChain does.
func (c *Chain) Validate(ctx context.Context, o ValidateOptions) (*ChainInfo, error) {
	if o.Now.IsZero() {
		o.Now = c.now()
	}
	return ValidateChain(ctx, c.rules, c.Blocks(), o)
}
