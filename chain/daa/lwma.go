package daa

import (
	"fmt"
	"math"

	"github.com/holiman/uint256"
)

// lwma is zawy12's LWMA-1 (linearly weighted moving average; zawy12,
// "LWMA difficulty algorithm", github.com/zawy12/difficulty-algorithms
// issue 3, the BTC/Zcash-clone code by zawy12 and the Bitcoin Gold
// developers). Over the last N = Window blocks (heights H-N+1 .. H, the
// tip H), with the block at H-N giving the first previous timestamp:
//
//	this = time if time > prev, else prev + 1   (solve times stay positive)
//	st_j = min(6T, this - prev); prev = this
//	sum  += j · st_j                            (j = 1 .. N, newest heaviest)
//	avg  += target_j / N / k,  k = N(N+1)T/2    (each term truncated)
//	next  = avg · sum, capped at Limit
//
// zawy12's code recommends N = 45 for T = 600 s, 60 for T = 150 s and 90
// for T = 60 s (faster chains average over more blocks); the default here
// is 60, a little smoother than 45 at ten-minute blocks. Until the
// chain holds N blocks after its first one (tip height < FirstHeight+N)
// the target is Initial, not the limit: a lab chain starts at a chosen
// difficulty. Guards beyond the reference: prev + 1 saturates at the
// largest int64 (giving a zero solve time there), and the product is
// computed in 512 bits, so a huge target and sum give Limit rather than
// wrapping. A zero result becomes 1.
type lwma struct {
	p  Params
	n  uint64
	nk uint256.Int // N·k: target/N/k == target/(N·k)
	t6 int64       // 6T
	// nkRecip divides by N·k when it fits 64 bits (always, short of
	// huge windows and block times): a multiply per limb, not a divide.
	nkRecip *recip
}

// term is target/N/k, truncated: one block's share of the average.
func (a *lwma) term(q, target *uint256.Int) {
	if a.nkRecip != nil {
		a.nkRecip.div320(q, target, 0)
		return
	}
	q.Div(target, &a.nk)
}

func newLWMA(p Params) (Algorithm, error) {
	n := p.Window
	// k·6 and the largest weighted sum N(N+1)/2·6T must fit an int64;
	// N·k must fit 256 bits (it does when k fits 63).
	if n == 0 || n > 1<<20 || !fitsMul(n*(n+1)/2, uint64(p.BlockTime)) || n*(n+1)/2*uint64(p.BlockTime) > math.MaxInt64/6 {
		return nil, fmt.Errorf("lwma: window %d blocks of %d ticks is out of range (1 to 2^20 blocks, N(N+1)/2·6T below 2^63)", n, p.BlockTime)
	}
	a := &lwma{p: p, n: n, t6: 6 * p.BlockTime}
	k := u256(int64(n*(n+1)/2) * p.BlockTime)
	nn := *uint256.NewInt(n)
	a.nk.Mul(&k, &nn)
	if a.nk.IsUint64() {
		r := newRecip(a.nk.Uint64())
		a.nkRecip = &r
	}
	return a, nil
}

func (a *lwma) Name() string   { return "lwma" }
func (a *lwma) Params() Params { return a.p }

// filled reports whether the window is full at tip height h.
func (a *lwma) filled(h uint64) bool {
	return h >= a.p.FirstHeight && h-a.p.FirstHeight >= a.n
}

// solve is LWMA-1's regularised solve time: the new previous timestamp
// and the solve time capped at 6T.
func (a *lwma) solve(prev, t int64) (this, st int64) {
	this = t
	if t <= prev {
		this = prev
		if prev < math.MaxInt64 {
			this = prev + 1
		}
	}
	d := uint64(this) - uint64(prev) // exact: this >= prev
	if d > uint64(a.t6) {
		return this, a.t6
	}
	return this, int64(d)
}

func (a *lwma) Next(c Chain) uint256.Int {
	tip := c.Tip()
	if !a.filled(tip.Height) {
		return a.p.Initial
	}
	start, ok := c.Ancestor(tip.Height - a.n)
	if !ok {
		return clampTarget(&tip.Target, &a.p.Limit)
	}
	prev := start.Time
	var sum int64
	var avg, q uint256.Int
	for j := uint64(1); j <= a.n; j++ {
		b := tip
		if j < a.n {
			if b, ok = c.Ancestor(tip.Height - a.n + j); !ok {
				return clampTarget(&tip.Target, &a.p.Limit)
			}
		}
		var st int64
		prev, st = a.solve(prev, b.Time)
		sum += int64(j) * st
		a.term(&q, &b.Target)
		avg.Add(&avg, &q)
	}
	s := u256(sum)
	one := uint256.NewInt(1)
	return mulDivCapped(&avg, &s, one, &a.p.Limit)
}

// NewStepper is LWMA-1 in O(1) per block while timestamps increase
// strictly: the weighted sum slides as S' = S - P + N·st_new (P the plain
// sum of the window's solve times), and the average as a running sum of
// the truncated terms target/(N·k). While a non-increasing timestamp (or
// a height gap) lies in the window the regularised solve times depend on
// where the window starts, so Next recomputes the window with Next over
// the blocks the stepper keeps.
func (a *lwma) NewStepper() Stepper {
	m := a.n + 1
	return &lwmaStepper{a: a, ring: NewRing(int(m)), st: make([]int64, m), q: make([]uint256.Int, m), ordered: make([]bool, m)}
}

type lwmaStepper struct {
	a       *lwma
	ring    *Ring         // the last N+1 blocks
	st      []int64       // st[i]: capped solve time of block i (mod N+1) after its parent
	q       []uint256.Int // q[i]: its target / (N·k)
	ordered []bool        // ordered[i]: its time is above its parent's, its height one more
	sumW    int64         // Σ weight·st over the window, the newest weighing N
	sumP    int64         // Σ st over the window
	avg     uint256.Int   // Σ q over the window
	bad     int           // steps in the window that are not ordered
}

func (s *lwmaStepper) Add(b Block) {
	a := s.a
	n := a.n
	m := n + 1
	count := s.ring.Len()
	i := count % m
	var st int64
	inOrder := true
	if count > 0 {
		pb := s.ring.Tip()
		inOrder = b.Time > pb.Time && b.Height == pb.Height+1
		if inOrder {
			_, st = a.solve(pb.Time, b.Time)
		}
		// every weight drops by one; the oldest, now weighing zero, leaves
		s.sumW -= s.sumP
		if count > n {
			o := (count - n) % m
			s.sumP -= s.st[o]
			s.avg.Sub(&s.avg, &s.q[o])
			if !s.ordered[o] {
				s.bad--
			}
		}
	}
	s.ring.Push(b)
	s.st[i], s.ordered[i] = st, inOrder
	a.term(&s.q[i], &b.Target)
	if count > 0 {
		s.sumP += st
		s.sumW += int64(n) * st
		s.avg.Add(&s.avg, &s.q[i])
		if !inOrder {
			s.bad++
		}
	}
}

func (s *lwmaStepper) Next() uint256.Int {
	a := s.a
	tip := s.ring.Tip()
	if s.ring.Len() == 0 || s.bad > 0 || s.ring.Len() <= a.n || !a.filled(tip.Height) {
		return a.Next(s.ring)
	}
	sum := u256(s.sumW)
	one := uint256.NewInt(1)
	return mulDivCapped(&s.avg, &sum, one, &a.p.Limit)
}

func init() {
	Register(Info{
		Name:   "lwma",
		Doc:    "zawy12's LWMA-1: linearly weighted solve times over the last Window blocks",
		Source: "zawy12, LWMA difficulty algorithm (github.com/zawy12/difficulty-algorithms issue 3), LWMA-1 for BTC/Zcash clones",
		New:    newLWMA,
		Defaults: func(p *Params) {
			if p.Window == 0 {
				p.Window = 60
			}
		},
	})
}
