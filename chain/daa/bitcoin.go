package daa

import (
	"fmt"
	"math"

	"github.com/holiman/uint256"
)

// bitcoin is Bitcoin Core's CalculateNextWorkRequired (pow.cpp, without
// testnet's minimum-difficulty exception): every Window blocks the target
// is rescaled by the time the last window took.
//
// The block at height h retargets when h > FirstHeight and
// (h-FirstHeight) % Window == 0. The measured span runs from the block at
// h-Window to the tip at h-1: Window-1 block intervals against a timespan
// of Window·BlockTime (Core's off-by-one, kept for compatibility). The
// actual span is clamped to [timespan/4, timespan·4], and the new target
// is tip target · actual / timespan (512-bit intermediate, exact), capped
// at Limit. Other blocks keep the tip's target. As in Core, the tip's
// target is its compact-decoded value: a chain storing compact bits hands
// over exactly that. A tip at the last height, 2^64-1, keeps its target.
type bitcoin struct {
	p        Params
	timespan uint256.Int
	span     int64
}

func newBitcoin(p Params) (Algorithm, error) {
	if p.Window == 0 {
		return nil, fmt.Errorf("bitcoin: the retarget interval must be at least 1 block")
	}
	// timespan·4 must fit an int64.
	if !fitsMul(p.Window, uint64(p.BlockTime)) || int64(p.Window)*p.BlockTime > math.MaxInt64/4 {
		return nil, fmt.Errorf("bitcoin: timespan %d blocks × %d ticks is too large", p.Window, p.BlockTime)
	}
	a := &bitcoin{p: p, span: int64(p.Window) * p.BlockTime}
	a.timespan = u256(a.span)
	return a, nil
}

func (a *bitcoin) Name() string   { return "bitcoin" }
func (a *bitcoin) Params() Params { return a.p }

func (a *bitcoin) Next(c Chain) uint256.Int {
	tip := c.Tip()
	p := &a.p
	if tip.Height == math.MaxUint64 || tip.Height < p.FirstHeight {
		return clampTarget(&tip.Target, &p.Limit)
	}
	h := tip.Height + 1
	if (h-p.FirstHeight)%p.Window != 0 || h-p.FirstHeight < p.Window {
		return clampTarget(&tip.Target, &p.Limit)
	}
	first, ok := c.Ancestor(h - p.Window)
	if !ok {
		return clampTarget(&tip.Target, &p.Limit)
	}
	actual := subTicks(tip.Time, first.Time)
	actual = max(actual, a.span/4)
	actual = min(actual, a.span*4)
	x := u256(actual)
	return mulDivCapped(&tip.Target, &x, &a.timespan, &p.Limit)
}

func init() {
	Register(Info{
		Name:   "bitcoin",
		Doc:    "Bitcoin Core's retarget: every Window blocks, scale by the window's time (clamped to ×4 either way)",
		Source: "Bitcoin Core, src/pow.cpp: GetNextWorkRequired, CalculateNextWorkRequired",
		New:    newBitcoin,
		Defaults: func(p *Params) {
			if p.Window == 0 {
				p.Window = 2016
			}
		},
	})
}
