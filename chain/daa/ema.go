package daa

import (
	"fmt"

	"github.com/holiman/uint256"
)

// ema is WTEMA, zawy12's simplest exponential moving average of the
// target (zawy12, "EMA for BCH", github.com/zawy12/difficulty-algorithms
// issue 17, and "WTEMA"): with st the tip's solve time (its time minus
// its parent's) and N = Window the time constant in blocks,
//
//	next = prev · (N·T + st - T) / (N·T)
//
// so a block found on schedule keeps the target, a slow one raises it by
// (st-T)/(N·T). It approximates ASERT with a time constant of N blocks:
// ASERT's default half-life of 288 blocks is a time constant of
// 288/ln 2 ≈ 415.5 blocks, hence the default N = 416.
//
// Guards (documented, not in the reference): st is clamped to
// [max(-6T, 1-(N-1)·T), 6T], so the factor (N·T+st-T)/(N·T) lies in
// [max((N-7)/N, 1/(N·T)), (N+5)/N]: always positive, and one block moves
// the target by a bounded step whatever its timestamp says. The product
// is exact (512 bits) and the result is capped at Limit and raised to 1. A tip without a parent in
// view (the first block) keeps its own target.
type ema struct {
	p      Params
	nt     int64 // N·T
	lo, hi int64 // st bounds
	ntU    uint256.Int
}

func newEMA(p Params) (Algorithm, error) {
	n := p.Window
	if n == 0 || !fitsMul(n+6, uint64(p.BlockTime)) {
		return nil, fmt.Errorf("ema: time constant %d blocks of %d ticks is out of range ((N+6)·T below 2^63)", n, p.BlockTime)
	}
	t := p.BlockTime
	a := &ema{p: p, nt: int64(n) * t, hi: 6 * t}
	a.lo = max(-6*t, 1-(int64(n)-1)*t)
	a.ntU = u256(a.nt)
	return a, nil
}

func (a *ema) Name() string   { return "ema" }
func (a *ema) Params() Params { return a.p }

func (a *ema) Next(c Chain) uint256.Int {
	tip := c.Tip()
	if tip.Height == 0 || tip.Height <= a.p.FirstHeight {
		return clampTarget(&tip.Target, &a.p.Limit)
	}
	parent, ok := c.Ancestor(tip.Height - 1)
	if !ok {
		return clampTarget(&tip.Target, &a.p.Limit)
	}
	return a.step(&tip.Target, subTicks(tip.Time, parent.Time))
}

// step is one WTEMA update of prev by solve time st.
func (a *ema) step(prev *uint256.Int, st int64) uint256.Int {
	st = min(max(st, a.lo), a.hi)
	f := u256(a.nt + st - a.p.BlockTime) // >= 1 by the bounds
	return mulDivCapped(prev, &f, &a.ntU, &a.p.Limit)
}

func init() {
	Register(Info{
		Name:   "ema",
		Doc:    "WTEMA: an exponential moving average, each solve time moving the target by (st-T)/(N·T)",
		Source: "zawy12, difficulty-algorithms issue 17 (EMA) and WTEMA",
		New:    newEMA,
		Defaults: func(p *Params) {
			if p.Window == 0 {
				p.Window = 416
			}
		},
	})
}
