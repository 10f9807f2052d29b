package daa

import (
	"fmt"
	"math/bits"

	"github.com/holiman/uint256"
)

// asert is aserti3-2d, the absolutely scheduled exponentially rising
// targets algorithm of Bitcoin Cash (specification by Mark Lundeberg and
// Jonathan Toomim, "ASERT difficulty adjustment algorithm (aserti3-2d)",
// 2020; reference code Bitcoin Cash Node src/pow.cpp CalculateASERT). It
// passes the specification's twelve test vector runs
// (testdata/asert/run01..run12.txt).
//
// With the anchor block at height Ha, its parent's time Ta and its target
// Ra, the target after the tip (height H, time t) is
//
//	Ra · 2^((t - Ta - T·(H - Ha + 1)) / HalfLife)
//
// in fixed point: the exponent is computed in 1/65536 units, truncated
// toward zero as C++'s int64 division does (the vectors with negative
// solve times, run11 and run12, confirm it), its integer part is a shift
// and its fraction goes through the specification's cubic approximation
// of 2^x. A zero result becomes 1, a result above Limit becomes Limit.
//
// Unlike the reference code, which asserts its inputs are in range, every
// input gives an answer: the exponent is computed in 128-bit arithmetic
// and saturates far beyond the range where the target is pinned at 1 or
// at Limit, heights may lie anywhere in [0, 2^64) (a tip below the anchor
// counts as a negative height difference), and targets may use all 256
// bits (the product with the 17-bit factor keeps its top word).
type asert struct {
	p Params
}

func newASERT(p Params) (Algorithm, error) {
	if p.HalfLife <= 0 {
		return nil, fmt.Errorf("asert: half-life must be above 0 ticks (got %d)", p.HalfLife)
	}
	if p.Anchor != nil {
		a := *p.Anchor // a private copy: callers may reuse theirs
		p.Anchor = &a
	}
	return &asert{p: p}, nil
}

func (a *asert) Name() string   { return "asert" }
func (a *asert) Params() Params { return a.p }

func (a *asert) Next(c Chain) uint256.Int {
	tip := c.Tip()
	var anc Anchor
	if a.p.Anchor != nil {
		anc = *a.p.Anchor
	} else {
		first, ok := c.Ancestor(a.p.FirstHeight)
		if !ok {
			// No anchor in view: keep the tip's target.
			return clampTarget(&tip.Target, &a.p.Limit)
		}
		anc = Anchor{Height: first.Height, ParentTime: subTicks(first.Time, a.p.BlockTime), Target: first.Target}
	}
	return asertTarget(&anc, tip.Height, tip.Time, a.p.BlockTime, a.p.HalfLife, &a.p.Limit)
}

// asertExpMax bounds the saturated exponent (in 1/65536 units): 2^40
// means a shift of 2^24 bits, far past the 273 bits at which every target
// is pinned at 1 or at the limit.
const asertExpMax = 1 << 40

// asertExponent is ((t - Ta - T·(H - Ha + 1)) · 65536) / halfLife,
// truncated toward zero, exact where it lies within ±asertExpMax and
// saturated to ±asertExpMax beyond.
func asertExponent(ha, h uint64, ta, t, blockTime, halfLife int64) int64 {
	// time difference t - ta: sign and magnitude (< 2^64)
	tNeg := t < ta
	var tMag uint64
	if tNeg {
		tMag = uint64(ta) - uint64(t)
	} else {
		tMag = uint64(t) - uint64(ta)
	}
	// height term T·(H - Ha + 1): sign and 128-bit magnitude (< 2^127)
	var hNeg bool
	var hHi, hLo uint64
	if h >= ha {
		hHi, hLo = bits.Mul64(uint64(blockTime), h-ha)
		var c uint64
		hLo, c = bits.Add64(hLo, uint64(blockTime), 0)
		hHi += c
	} else {
		hNeg = true // H - Ha + 1 <= 0
		hHi, hLo = bits.Mul64(uint64(blockTime), ha-h-1)
	}
	// num = time difference - height term, sign and magnitude (< 2^128)
	var nNeg bool
	var nHi, nLo uint64
	if tNeg == hNeg { // equal signs: the magnitudes subtract
		var b uint64
		if hHi > 0 || hLo > tMag {
			nLo, b = bits.Sub64(hLo, tMag, 0)
			nHi = hHi - b
			nNeg = !tNeg
		} else {
			nLo = tMag - hLo
			nNeg = tNeg
		}
	} else { // opposite signs: the magnitudes add
		var c uint64
		nLo, c = bits.Add64(tMag, hLo, 0)
		nHi = hHi + c
		nNeg = tNeg
	}
	// exponent = num·65536 / halfLife, truncated toward zero
	var q int64
	if nHi >= 1<<46 { // |num| ≥ 2^110: |exponent| ≥ 2^126/2^63, saturated
		q = asertExpMax
	} else {
		sHi, sLo := nHi<<16|nLo>>48, nLo<<16
		d := uint64(halfLife)
		qHi := sHi / d
		qLo, _ := bits.Div64(sHi%d, sLo, d)
		if qHi != 0 || qLo > asertExpMax {
			q = asertExpMax
		} else {
			q = int64(qLo)
		}
	}
	if nNeg {
		q = -q
	}
	return q
}

// asertTarget is the aserti3-2d target after a tip at height h and time
// t, from the anchor.
func asertTarget(anc *Anchor, h uint64, t, blockTime, halfLife int64, limit *uint256.Int) uint256.Int {
	exponent := asertExponent(anc.Height, h, anc.ParentTime, t, blockTime, halfLife)
	shifts := exponent >> 16 // arithmetic: floor
	frac := uint64(uint16(exponent))
	// 2^(frac/65536) · 65536, the specification's cubic approximation
	// (error below 0.013%); the sum stays below 2^64.
	factor := 65536 + ((195766423245049*frac + 971821376*frac*frac + 5127*frac*frac*frac + 1<<47) >> 48)
	lo, hi := mul64(&anc.Target, factor) // < 2^273
	shifts -= 16
	var r uint256.Int
	switch {
	case hi == 0 && lo.IsZero():
		// a zero anchor target (hostile) stays zero, then becomes 1
	case shifts >= 0:
		if hi != 0 || int64(lo.BitLen())+shifts > 256 {
			return *limit
		}
		r.Lsh(&lo, uint(shifts))
	case shifts <= -(256 + 64):
		// r stays 0
	default:
		k := uint(-shifts)
		// (hi·2^256 + lo) >> k
		if k >= 256 {
			r.SetUint64(hi >> (k - 256))
		} else {
			r.Rsh(&lo, k)
			if hi != 0 {
				var top uint256.Int
				top.SetUint64(hi)
				if top.BitLen() > int(k) {
					return *limit // ≥ 2^256
				}
				top.Lsh(&top, 256-k)
				r.Or(&r, &top)
			}
		}
	}
	return clampTarget(&r, limit)
}

func init() {
	Register(Info{
		Name:   "asert",
		Doc:    "aserti3-2d (Bitcoin Cash): exponential in the schedule error since a fixed anchor block",
		Source: "ASERT specification (aserti3-2d) by Mark Lundeberg, Jonathan Toomim et al.; Bitcoin Cash Node src/pow.cpp",
		New:    newASERT,
		Defaults: func(p *Params) {
			if p.HalfLife == 0 {
				p.HalfLife = 288 * p.BlockTime // 2 days at 10 minutes
			}
		},
	})
}
