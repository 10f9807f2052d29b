package daa

import (
	"fmt"

	"github.com/holiman/uint256"
)

// periodic is powlab's own periodic rule (chain/retarget.go NextBits and
// Retarget) in integers: when the tip's height is a multiple of Window,
// the window runs from the block at max(FirstHeight, tip-Window) to the
// tip, and the new target is tip target · actual / expected with expected
// = (tip - first)·T and the ratio actual/expected clamped to
// [1/MaxFactor, MaxFactor] (exactly: the clamped ratio is 1/MaxFactor or
// MaxFactor itself, not a rounded timespan); capped at Limit. Every other
// block keeps the tip's target, and Window 0 never retargets (a powlab
// chain's default: fixed difficulty). Unlike bitcoin, the window counts
// Window intervals against Window·T (no off-by-one). FirstHeight is the
// genesis height, 1 for powlab chains.
type periodic struct {
	p Params
}

func newPeriodic(p Params) (Algorithm, error) {
	if p.MaxFactor == 0 {
		p.MaxFactor = 4
	}
	if p.MaxFactor > 1<<32 {
		return nil, fmt.Errorf("powlab: max factor %d is out of range (1 to 2^32)", p.MaxFactor)
	}
	return &periodic{p: p}, nil
}

func (a *periodic) Name() string   { return "powlab" }
func (a *periodic) Params() Params { return a.p }

func (a *periodic) Next(c Chain) uint256.Int {
	p := &a.p
	tip := c.Tip()
	h := tip.Height
	if p.Window == 0 || h%p.Window != 0 || h <= p.FirstHeight {
		return clampTarget(&tip.Target, &p.Limit)
	}
	first := p.FirstHeight
	if h-p.FirstHeight > p.Window {
		first = h - p.Window
	}
	anc, ok := c.Ancestor(first)
	if !ok {
		return clampTarget(&tip.Target, &p.Limit)
	}
	n := h - first
	// expected = n·T, exact in 256 bits
	var exp uint256.Int
	e := u256(p.BlockTime)
	nn := *uint256.NewInt(n)
	exp.Mul(&e, &nn)
	// the ratio actual/expected, clamped: num/den
	var num, den uint256.Int
	mf := *uint256.NewInt(p.MaxFactor)
	var lo, hi uint256.Int // expected/MaxFactor ≤ actual ≤ expected·MaxFactor, compared exactly
	hi.Mul(&exp, &mf)
	// actual = tip time - first time, exact: at most 2^64-1 when positive
	positive := tip.Time > anc.Time
	var act uint256.Int
	if positive {
		act.SetUint64(uint64(tip.Time) - uint64(anc.Time))
	}
	lo.Mul(&act, &mf) // actual·MaxFactor vs expected
	switch {
	case !positive || lo.Lt(&exp):
		num.SetOne()
		den = mf
	case act.Gt(&hi):
		num = mf
		den.SetOne()
	default:
		num, den = act, exp
	}
	return mulDivCapped(&tip.Target, &num, &den, &p.Limit)
}

func init() {
	Register(Info{
		Name:   "powlab",
		Doc:    "powlab's periodic rule: every Window blocks, scale by the window's time (×MaxFactor clamp, default 4); Window 0 never",
		Source: "powlab chain/retarget.go (NextBits, Retarget), in integers",
		New:    newPeriodic,
		Defaults: func(p *Params) {
			if p.FirstHeight == 0 {
				p.FirstHeight = 1
			}
		},
	})
}
