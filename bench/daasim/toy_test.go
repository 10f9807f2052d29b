package daasim

import (
	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
)

// testsma is a test-only algorithm, responsive enough to exercise the
// scenarios: the next target is the mean target of the last N blocks times
// their timespan ÷ (N·T), the span clamped to [N·T/4, 4·N·T]; the first N
// blocks after the first keep the initial target. It implements the
// incremental form too; sma.plain hides it so both paths can be compared.
const testSMA = "testsma"

func init() {
	daa.Register(daa.Info{
		Name: testSMA, Doc: "test-only simple moving average",
		New: func(p daa.Params) (daa.Algorithm, error) { return &sma{p: p}, nil },
		Defaults: func(p *daa.Params) {
			if p.Window == 0 {
				p.Window = 36
			}
		},
	})
}

type sma struct{ p daa.Params }

func (a *sma) Name() string            { return testSMA }
func (a *sma) Params() daa.Params      { return a.p }
func (a *sma) NewStepper() daa.Stepper { return &smaStepper{a: a} }

// next is the rule, given the span and the sum of the last N targets.
func (a *sma) next(span int64, sum *uint256.Int) uint256.Int {
	n := int64(a.p.Window)
	nt := n * a.p.BlockTime
	span = min(max(span, nt/4), 4*nt)
	var avg, out uint256.Int
	avg.Div(sum, uint256.NewInt(uint64(n)))
	if _, over := out.MulDivOverflow(&avg, uint256.NewInt(uint64(span)), uint256.NewInt(uint64(nt))); over || out.Gt(&a.p.Limit) {
		return a.p.Limit
	}
	if out.IsZero() {
		out.SetOne()
	}
	return out
}

// Next reads the window from the chain, block by block.
func (a *sma) Next(c daa.Chain) uint256.Int {
	tip := c.Tip()
	n := a.p.Window
	if tip.Height < a.p.FirstHeight+n {
		return a.p.Initial
	}
	first, ok := c.Ancestor(tip.Height - n)
	if !ok {
		panic("testsma: the chain lost a block of the window")
	}
	var sum uint256.Int
	for h := tip.Height - n + 1; h <= tip.Height; h++ {
		b, ok := c.Ancestor(h)
		if !ok {
			panic("testsma: the chain lost a block of the window")
		}
		sum.Add(&sum, &b.Target)
	}
	return a.next(tip.Time-first.Time, &sum)
}

// smaStepper keeps the last N+1 blocks and the sum of the last N targets.
type smaStepper struct {
	a      *sma
	blocks []daa.Block
	sum    uint256.Int
}

func (s *smaStepper) Add(b daa.Block) {
	n := int(s.a.p.Window)
	s.blocks = append(s.blocks, b)
	s.sum.Add(&s.sum, &b.Target)
	if len(s.blocks) > n {
		// The oldest of the N+1 kept blocks is the span's start, not part
		// of the sum.
		s.sum.Sub(&s.sum, &s.blocks[len(s.blocks)-n-1].Target)
	}
	if len(s.blocks) > 2*n+2 {
		s.blocks = append(s.blocks[:0], s.blocks[len(s.blocks)-n-1:]...)
	}
}

func (s *smaStepper) Next() uint256.Int {
	n := int(s.a.p.Window)
	if len(s.blocks) < n+1 {
		return s.a.p.Initial
	}
	tip, first := s.blocks[len(s.blocks)-1], s.blocks[len(s.blocks)-n-1]
	return s.a.next(tip.Time-first.Time, &s.sum)
}

// plain hides an algorithm's stepper.
type plain struct{ daa.Algorithm }
