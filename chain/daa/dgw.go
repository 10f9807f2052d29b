package daa

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/holiman/uint256"
)

// dgw is Dash's Dark Gravity Wave v3 (Evan Duffield; Dash Core
// src/pow.cpp DarkGravityWave). Walking back from the tip over N = Window
// blocks (24 in Dash), the "average" target is
//
//	avg_1 = target(tip)
//	avg_c = (avg_{c-1}·c + target_c) / (c+1)   for c = 2 .. N
//
// which, as Dash's own comment admits, is not an average: each step gives
// the older blocks the weight c/(c+1) of the running value, so the newest
// blocks count for less than 1/N each and the oldest for more. The actual
// timespan runs from the N-th block back (tip-N+1) to the tip — N-1
// intervals — against N·T, clamped to [N·T/3, 3·N·T]; the new target is
// avg · actual / (N·T), capped at Limit. Until the tip's height is
// FirstHeight+N (Dash: height < 24 gives the limit) the target is Initial.
// Every product is exact (320- and 512-bit intermediates), so targets up
// to 2^256-1 cannot wrap as Dash's 256-bit arithmetic would.
type dgw struct {
	p     Params
	n     uint64
	span  int64 // N·T
	spanU uint256.Int
	div   []recip // div[c] divides by c+1
}

func newDGW(p Params) (Algorithm, error) {
	if p.Window < 2 || p.Window > 1<<20 || !fitsMul(p.Window, uint64(p.BlockTime)) || int64(p.Window)*p.BlockTime > math.MaxInt64/3 {
		return nil, fmt.Errorf("dgw: window %d blocks of %d ticks is out of range (2 to 2^20 blocks, 3·N·T below 2^63)", p.Window, p.BlockTime)
	}
	a := &dgw{p: p, n: p.Window, span: int64(p.Window) * p.BlockTime}
	a.spanU = u256(a.span)
	a.div = make([]recip, a.n+1)
	for c := uint64(2); c <= a.n; c++ {
		a.div[c] = newRecip(c + 1)
	}
	return a, nil
}

func (a *dgw) Name() string   { return "dgw" }
func (a *dgw) Params() Params { return a.p }

// step sets avg to (avg·c + t) / (c+1), exact (a 320-bit numerator).
func (a *dgw) step(avg, t *uint256.Int, c uint64) {
	var lo uint256.Int
	var hi, carry uint64
	for i := 0; i < 4; i++ {
		h, l := bits.Mul64(avg[i], c)
		var c1, c2 uint64
		lo[i], c1 = bits.Add64(l, carry, 0)
		lo[i], c2 = bits.Add64(lo[i], t[i], 0)
		carry = h + c1 + c2 // h ≤ 2^64-2 when c < 2^64: no overflow
	}
	hi = carry
	a.div[c].div320(avg, &lo, hi)
}

func (a *dgw) Next(c Chain) uint256.Int {
	tip := c.Tip()
	if tip.Height < a.p.FirstHeight || tip.Height-a.p.FirstHeight < a.n {
		return a.p.Initial
	}
	avg := tip.Target
	first := tip
	for k := uint64(2); k <= a.n; k++ {
		b, ok := c.Ancestor(tip.Height - k + 1)
		if !ok {
			return clampTarget(&tip.Target, &a.p.Limit)
		}
		a.step(&avg, &b.Target, k)
		first = b
	}
	actual := subTicks(tip.Time, first.Time)
	actual = max(actual, a.span/3)
	actual = min(actual, a.span*3)
	x := u256(actual)
	return mulDivCapped(&avg, &x, &a.spanU, &a.p.Limit)
}

// NewStepper is dgw reading the last N blocks straight from a Ring's
// buffer instead of through Chain.Ancestor (a fifth of Next's time); the
// arithmetic is Next's own, and any block out of place (a height gap)
// sends it back to Next.
func (a *dgw) NewStepper() Stepper {
	return &dgwStepper{a: a, r: NewRing(int(a.n))}
}

type dgwStepper struct {
	a *dgw
	r *Ring
}

func (s *dgwStepper) Add(b Block) { s.r.Push(b) }

func (s *dgwStepper) Next() uint256.Int {
	a := s.a
	r := s.r
	if r.n < a.n {
		return a.Next(r)
	}
	buf := r.buf
	i := int((r.n - 1) % uint64(len(buf)))
	tip := &buf[i]
	if tip.Height < a.p.FirstHeight || tip.Height-a.p.FirstHeight < a.n {
		return a.p.Initial
	}
	avg := tip.Target
	first := tip
	for k := uint64(2); k <= a.n; k++ {
		if i--; i < 0 {
			i = len(buf) - 1
		}
		b := &buf[i]
		if b.Height != tip.Height-k+1 {
			return a.Next(r)
		}
		a.step(&avg, &b.Target, k)
		first = b
	}
	actual := subTicks(tip.Time, first.Time)
	actual = max(actual, a.span/3)
	actual = min(actual, a.span*3)
	x := u256(actual)
	return mulDivCapped(&avg, &x, &a.spanU, &a.p.Limit)
}

func init() {
	Register(Info{
		Name:   "dgw",
		Doc:    "Dash's Dark Gravity Wave v3: a weighted average of the last Window targets, scaled by their timespan (×3 clamp)",
		Source: "Dash Core, src/pow.cpp: DarkGravityWave (v3, Evan Duffield)",
		New:    newDGW,
		Defaults: func(p *Params) {
			if p.Window == 0 {
				p.Window = 24
			}
		},
	})
}
