package chain

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
	"time"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
)

// The chain's difficulty: powlab and bitcoin rules compute every target
// with one algorithm of package daa (chosen by Params.DAA), which reads the
// chain through headerView, an adapter from HeaderCtx to daa.Chain.
//
// How blocks look to the algorithm:
//   - heights: powlab rules use the block's Index (genesis 1); bitcoin
//     rules its Bitcoin height, Index-1 (genesis 0). Params.FirstHeight is
//     the genesis height in that numbering.
//   - times, in integer ticks (Ticks): powlab rules' float timestamps in
//     milliseconds, bitcoin rules' whole seconds in seconds. The block
//     time and ASERT's half-life are given in the same ticks.
//   - targets: a bitcoin-rules block's nBits decode with daa.BitsToTarget
//     and the algorithm's answer encodes with daa.TargetToBits (Core's
//     truncation); a powlab Compact is a bound (hash < M·2^E), so its daa
//     target is the bound minus 1 (CompactDAATarget), and an answer t
//     becomes the Compact of bound t+1 rounded down (CompactFromDAATarget).
//
// The genesis target is the algorithm's Initial target. The limit is the
// genesis target under bitcoin rules (as in Bitcoin, the genesis block
// sits at the proof-of-work limit) and 2^255-1 under powlab rules (the
// easiest Compact, as powlab's retarget always had).

// HeaderCtx is what retargeting, timestamp bounds and fork choice need to
// know about a block and its ancestors, so those rules are pure functions
// that tests can drive without a store (after btcd's HeaderCtx).
type HeaderCtx interface {
	// Height is the block's index (1 for genesis).
	Height() uint64
	// Timestamp is the block's time in seconds since 1970.
	Timestamp() float64
	// Bits is the block's target in its rules' compact form: a powlab
	// Compact, a bitcoin-rules block's nBits, 0 under tutorial rules.
	Bits() Compact
	// Parent is the previous block, or nil for genesis.
	Parent() HeaderCtx
}

// Ancestor walks back from h to the block at height; nil when there is none.
func Ancestor(h HeaderCtx, height uint64) HeaderCtx {
	for h != nil && h.Height() > height {
		h = h.Parent()
	}
	if h == nil || h.Height() != height {
		return nil
	}
	return h
}

// MedianTimeSpan is the number of blocks whose median time bounds the next
// timestamp from below (as in Bitcoin).
const MedianTimeSpan = 11

// MaxFutureDrift is how far past the validator's clock a timestamp may be.
const MaxFutureDrift = 2 * time.Hour

// MedianTime is the median timestamp of h and up to MedianTimeSpan-1 of its
// ancestors. A block's timestamp must be above its parent's median time.
func MedianTime(h HeaderCtx) float64 {
	var buf [MedianTimeSpan]float64 // on the stack: this runs once per block validated
	n := 0
	for ; h != nil && n < MedianTimeSpan; h = h.Parent() {
		// Insertion sort as we go: at most 11 elements.
		t := h.Timestamp()
		i := n
		for i > 0 && buf[i-1] > t {
			buf[i] = buf[i-1]
			i--
		}
		buf[i] = t
		n++
	}
	if n == 0 {
		return math.Inf(-1)
	}
	return buf[n/2]
}

// Ticks converts a timestamp in seconds (HeaderCtx.Timestamp) to integer
// ticks of 1/perSecond seconds, the unit difficulty algorithms count in:
// ts·perSecond rounded to the nearest integer (halves away from zero),
// saturating at the int64 range, with NaN as 0. It is deterministic: one
// IEEE-754 multiplication and math.Round. Powlab rules use perSecond 1000
// (milliseconds: a float timestamp 1700000000.1234 is 1700000000123
// ticks), bitcoin rules 1 (their timestamps are whole seconds).
func Ticks(ts float64, perSecond int64) int64 {
	x := math.Round(ts * float64(perSecond))
	switch {
	case x != x:
		return 0
	case x >= 0x1p63:
		return math.MaxInt64
	case x < -0x1p63:
		return math.MinInt64
	}
	return int64(x)
}

// maxDAATarget is the easiest target powlab rules allow: the largest hash
// that meets the bound 2^255.
var maxDAATarget = func() uint256.Int {
	var t uint256.Int
	t.Lsh(uint256.NewInt(1), MaxBoundBits)
	t.SubUint64(&t, 1)
	return t
}()

// CompactDAATarget is c as a difficulty algorithm's target: the largest
// hash that meets c, its bound minus 1. A non-canonical c whose bound
// would pass 2^256 gives 2^256-1 (an algorithm clamps it to its limit).
func CompactDAATarget(c Compact) uint256.Int {
	m, e := c.parts()
	var t uint256.Int
	if uint(bits.Len64(m))+e > 256 {
		t.SetAllOne()
		return t
	}
	t.SetUint64(m)
	t.Lsh(&t, e)
	t.SubUint64(&t, 1)
	return t
}

// CompactFromDAATarget is the Compact for a difficulty algorithm's target
// t: the bound t+1 rounded down to a Compact (CompactFromBound), so the
// hashes it accepts are those at most t, or fewer. Targets above 2^255-1
// give the easiest Compact, bound 2^255; t = 0 gives bound 1.
func CompactFromDAATarget(t *uint256.Int) Compact {
	if !t.Lt(&maxDAATarget) {
		return Compact(MaxBoundBits << 24)
	}
	var b uint256.Int
	b.AddUint64(t, 1) // at most 2^255-1+1: no overflow
	var e uint
	if n := b.BitLen(); n > 24 {
		e = uint(n - 24)
	}
	var s uint256.Int
	s.Rsh(&b, e)
	m := s.Uint64() // 1 <= m < 2^24
	for m%2 == 0 && e > 0 && e < MaxBoundBits {
		m >>= 1
		e++
	}
	return Compact(uint32(e)<<24 | uint32(m-1))
}

// difficulty is a rule set's difficulty algorithm and how its blocks look
// to it. It is built once per Rules and never changes, so rules stay safe
// for concurrent use.
type difficulty struct {
	alg       daa.Algorithm
	perSecond int64  // ticks per second: 1000 (powlab rules) or 1 (bitcoin)
	heightOff uint64 // Index minus the daa height: 0 (powlab) or 1 (bitcoin)
	bitcoin   bool   // Bits() are nBits (else a powlab Compact)
	first     uint64 // the genesis block's daa height
	// views are headerViews to reuse: their kept blocks are the
	// allocation a window's walk would otherwise make per block.
	views sync.Pool
}

// height is the daa height of a block at index (saturating at 0 for a
// hostile index 0 under bitcoin rules).
func (d *difficulty) height(index uint64) uint64 {
	if index < d.heightOff {
		return 0
	}
	return index - d.heightOff
}

// target is the daa target of a block's stated Bits. Bits that do not
// decode (blocks are checked on the way in; only a hostile HeaderCtx has
// them) read as the limit.
func (d *difficulty) target(c Compact) uint256.Int {
	if d.bitcoin {
		t, err := daa.BitsToTarget(uint32(c))
		if err != nil {
			return d.alg.Params().Limit
		}
		return t
	}
	return CompactDAATarget(c)
}

// valid reports whether c is a target the rules accept in a block.
func (d *difficulty) valid(c Compact) bool {
	if d.bitcoin {
		_, err := daa.BitsToTarget(uint32(c))
		return err == nil
	}
	return c.Valid()
}

// block is h as the algorithm sees it.
func (d *difficulty) block(h HeaderCtx) daa.Block {
	return daa.Block{Height: d.height(h.Height()), Time: Ticks(h.Timestamp(), d.perSecond), Target: d.target(h.Bits())}
}

// nextTarget is the daa target of the child of tip (tip nil: genesis, the
// initial target).
func (d *difficulty) nextTarget(tip HeaderCtx) uint256.Int {
	if tip == nil {
		return d.alg.Params().Initial
	}
	v, _ := d.views.Get().(*headerView)
	if v == nil {
		v = &headerView{d: d}
	}
	v.tip, v.last = tip, tip
	v.seen = append(v.seen[:0], d.block(tip))
	t := d.alg.Next(v)
	v.tip, v.last = nil, nil
	if cap(v.seen) <= maxPooledView {
		d.views.Put(v)
	}
	return t
}

// maxPooledView bounds the blocks a pooled view keeps room for (48 bytes
// each): a bitcoin window of 2016 reads only its two ends, but a walk to
// them passes every block between.
const maxPooledView = 4096

// next is the Bits the child of tip must state (tip nil: genesis, whose
// Bits are initial). When the algorithm keeps the tip's target, the tip's
// own Bits are kept as they are.
func (d *difficulty) next(tip HeaderCtx, initial Compact) Compact {
	if tip == nil {
		return initial
	}
	t := d.nextTarget(tip)
	if tb := tip.Bits(); d.valid(tb) && d.target(tb) == t {
		return tb
	}
	if d.bitcoin {
		return Compact(daa.TargetToBits(&t))
	}
	return CompactFromDAATarget(&t)
}

// headerView is a daa.Chain over a HeaderCtx tip. Ancestor walks parents
// once: every block converted on the way down is kept (seen[k] is the
// block k below the tip), so an algorithm reading its window in any order
// (LWMA reads it upwards, DGW downwards) costs O(window) per Next, not
// O(window²). The chain's first block, which ASERT reads at every block
// as its anchor, comes in O(1) from a HeaderCtx that knows its genesis
// (BlockNode does); others are walked to it without keeping the path.
type headerView struct {
	d    *difficulty
	tip  HeaderCtx
	last HeaderCtx // the node of seen[len(seen)-1]
	seen []daa.Block
}

// genesisKnower is a HeaderCtx that reaches its chain's first block in O(1).
type genesisKnower interface {
	// genesisCtx is the first block of the chain h belongs to.
	genesisCtx() HeaderCtx
}

func (v *headerView) Tip() daa.Block { return v.seen[0] }

func (v *headerView) Ancestor(height uint64) (daa.Block, bool) {
	top := v.seen[0].Height
	if height > top {
		return daa.Block{}, false
	}
	k := top - height
	if k < uint64(len(v.seen)) {
		return v.seen[k], true
	}
	if height == v.d.first {
		return v.genesis()
	}
	for uint64(len(v.seen)) <= k {
		p := v.last.Parent()
		if p == nil {
			return daa.Block{}, false
		}
		b := v.d.block(p)
		if b.Height != v.seen[len(v.seen)-1].Height-1 {
			return daa.Block{}, false // a hostile HeaderCtx skipped a height
		}
		v.seen = append(v.seen, b)
		v.last = p
	}
	return v.seen[k], true
}

// genesis is the chain's first block, far below the window.
func (v *headerView) genesis() (daa.Block, bool) {
	var g HeaderCtx
	if gk, ok := v.last.(genesisKnower); ok {
		g = gk.genesisCtx()
	} else {
		g = Ancestor(v.last, v.d.first+v.d.heightOff)
	}
	if g == nil {
		return daa.Block{}, false
	}
	b := v.d.block(g)
	if b.Height != v.d.first {
		return daa.Block{}, false
	}
	return b, true
}

// newDifficulty builds p's algorithm for powlab (bitcoin false) or
// bitcoin rules: initial is the genesis target, limit the easiest.
func newDifficulty(p Params, bitcoin bool, initial, limit uint256.Int) (*difficulty, error) {
	name, window, halfLife := p.DAAName(), p.RetargetInterval, p.HalfLife
	d := &difficulty{perSecond: 1000, first: 1}
	unit, unitName := time.Millisecond, "milliseconds"
	if bitcoin {
		d.perSecond, d.heightOff, d.bitcoin, d.first = 1, 1, true, 0
		unit, unitName = time.Second, "seconds"
	}
	switch name {
	case "fixed", "asert":
		if window != 0 {
			return nil, fmt.Errorf("difficulty algorithm %s has no window (got %d blocks)", name, window)
		}
	}
	if halfLife != 0 && name != "asert" {
		return nil, fmt.Errorf("a half-life (%s) applies to the asert difficulty algorithm only, not %s", halfLife, name)
	}
	adjusts := name != "fixed" && !(name == "powlab" && window == 0)
	bt := int64(p.BlockTime / unit)
	if adjusts && (p.BlockTime <= 0 || p.BlockTime%unit != 0) {
		return nil, fmt.Errorf("block time %s: the %s difficulty algorithm counts whole %s here (at least 1)", p.BlockTime, name, unitName)
	}
	if !adjusts && bt <= 0 {
		bt = 1 // unread, but daa.New wants a positive block time
	}
	hl := int64(halfLife / unit)
	if halfLife < 0 || halfLife%unit != 0 {
		return nil, fmt.Errorf("half-life %s: must be a positive whole number of %s", halfLife, unitName)
	}
	alg, err := daa.New(name, daa.Params{BlockTime: bt, Limit: limit, Initial: initial, Window: window, HalfLife: hl, FirstHeight: d.first})
	if err != nil {
		return nil, err
	}
	d.alg = alg
	return d, nil
}
