package chain

import (
	"math"
	"math/big"
	"time"
)

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

// RetargetParams say how powlab rules move the difficulty.
type RetargetParams struct {
	// Initial is the genesis block's target.
	Initial Compact
	// Interval is the number of blocks between retargets; 0 keeps Initial
	// for ever.
	Interval uint64
	// BlockTime is the time between blocks retargeting aims at.
	BlockTime time.Duration
	// MaxFactor clamps one retarget's change to [1/MaxFactor, MaxFactor]
	// (Bitcoin's 4); 0 means DefaultMaxFactor.
	MaxFactor int
	// Limit is the easiest target allowed (0 means 2^255).
	Limit Compact
}

// DefaultMaxFactor is Bitcoin's clamp on one retarget.
const DefaultMaxFactor = 4

// NextBits is the target the child of tip must meet (tip nil: the genesis
// block's). The block at height k·Interval+1 (k >= 1) gets a retargeted
// target from the time its window took: the span from the block at height
// max(1, tip-Interval) to tip, against (tip-first)·BlockTime. Every other
// block keeps its parent's target.
func NextBits(p RetargetParams, tip HeaderCtx) Compact {
	if tip == nil {
		return p.Initial
	}
	h := tip.Height()
	if p.Interval == 0 || h%p.Interval != 0 || p.BlockTime <= 0 {
		return tip.Bits()
	}
	first := uint64(1)
	if h > p.Interval {
		first = h - p.Interval
	}
	if first >= h {
		return tip.Bits()
	}
	anc := Ancestor(tip, first)
	if anc == nil {
		return tip.Bits()
	}
	actual := tip.Timestamp() - anc.Timestamp()
	expected := float64(h-first) * p.BlockTime.Seconds()
	return Retarget(tip.Bits(), actual, expected, p.MaxFactor, p.Limit)
}

// Retarget scales old's bound by actual/expected (both in seconds), with the
// ratio clamped to [1/maxFactor, maxFactor], the result capped at limit
// (0: 2^255) and rounded down to a Compact. A slow window (actual >
// expected) makes the bound larger, i.e. mining easier. Any actual, even
// negative or NaN, gives a clamped answer.
func Retarget(old Compact, actual, expected float64, maxFactor int, limit Compact) Compact {
	if maxFactor <= 0 {
		maxFactor = DefaultMaxFactor
	}
	if !(expected > 0) || math.IsInf(expected, 0) {
		return old
	}
	lo, hi := expected/float64(maxFactor), expected*float64(maxFactor)
	switch {
	case math.IsNaN(actual):
		actual = expected
	case actual < lo:
		actual = lo
	case actual > hi:
		actual = hi
	}
	// Scale to integers so the product is exact: actual/expected as a ratio
	// of microsecond counts, with expected first reduced to at most 2^40
	// units so both fit an int64.
	scale := 1e6
	for expected*scale > 1<<40 {
		scale /= 2
	}
	num := big.NewInt(int64(math.Round(actual * scale)))
	den := big.NewInt(int64(math.Round(expected * scale)))
	if den.Sign() <= 0 {
		return old
	}
	b := old.Bound()
	b.Mul(b, num)
	b.Quo(b, den)
	lim := maxBound
	if limit != 0 {
		lim = limit.Bound()
	}
	if b.Cmp(lim) > 0 {
		b = lim
	}
	c, ok := CompactFromBound(b)
	if !ok {
		return Compact(0) // bound 1: the hardest target
	}
	return c
}
