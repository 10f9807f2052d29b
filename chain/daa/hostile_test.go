package daa

import (
	"math"
	"testing"

	"github.com/holiman/uint256"
)

// TestHostile: extreme windows for every algorithm, with small windows so
// they retarget. Each answer lies in [1, Limit], equals the twin's, and
// the Stepper agrees; an empty chain gets an answer too.
func TestHostile(t *testing.T) {
	const n = 14
	timesOf := map[string]func(i int) int64{
		"all at MinInt64":      func(int) int64 { return math.MinInt64 },
		"all at MaxInt64":      func(int) int64 { return math.MaxInt64 },
		"alternating extremes": func(i int) int64 { return []int64{math.MinInt64, math.MaxInt64}[i%2] },
		"backwards by 2^62":    func(i int) int64 { return math.MaxInt64 - int64(i)<<62 },
		"forward by 2^60":      func(i int) int64 { return math.MinInt64 + int64(i)<<60 },
		"equal":                func(int) int64 { return 0 },
		"one tick":             func(i int) int64 { return int64(i) },
	}
	limits := map[string]uint256.Int{
		"limit 1":       *uint256.NewInt(1),
		"limit 2^256-1": maxTarget,
		"limit 2^224":   *new(uint256.Int).Lsh(uint256.NewInt(1), 224),
	}
	targetsOf := map[string]func(limit *uint256.Int, i int) uint256.Int{
		"at the limit": func(l *uint256.Int, _ int) uint256.Int { return *l },
		"one":          func(*uint256.Int, int) uint256.Int { return *uint256.NewInt(1) },
		"2^256-1":      func(*uint256.Int, int) uint256.Int { return maxTarget },
		"zero":         func(*uint256.Int, int) uint256.Int { return uint256.Int{} },
	}
	firsts := map[string]uint64{"from 0": 0, "to 2^64-1": math.MaxUint64 - n + 1}
	for _, name := range Names() {
		for ln, limit := range limits {
			for fn, first := range firsts {
				for blockTime := range []int64{1, 1 << 40} {
					p := Params{BlockTime: []int64{1, 1 << 40}[blockTime], Limit: limit, Window: 3, FirstHeight: first}
					if name == "ema" {
						p.Window = 1
					}
					a, err := New(name, p)
					if err != nil {
						t.Fatalf("%s %+v: %v", name, p, err)
					}
					p = a.Params()
					empty := a.Next(NewRing(4))
					if empty.IsZero() || empty.Gt(&p.Limit) {
						t.Errorf("%s: empty chain gives %#x", name, &empty)
					}
					for tn, tf := range timesOf {
						for gn, gf := range targetsOf {
							bs := make([]Block, n)
							for i := range bs {
								bs[i] = Block{Height: first + uint64(i), Time: tf(i), Target: gf(&limit, i)}
							}
							r := NewRing(n)
							s := NewStepper(a)
							for i, b := range bs {
								r.Push(b)
								s.Add(b)
								got, want, step := a.Next(r), twins[name](p, bs[:i+1]), s.Next()
								if got.IsZero() || got.Gt(&p.Limit) || !got.Eq(&want) || !step.Eq(&got) {
									t.Fatalf("%s, %s, %s, %s, %s, T=%d, block %d: Next %#x, twin %#x, stepper %#x",
										name, ln, fn, tn, gn, p.BlockTime, i, &got, &want, &step)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestASERTHostileAnchor: anchors above the tip, at height 2^64-1, with
// times at the int64 extremes.
func TestASERTHostileAnchor(t *testing.T) {
	limit := mustBits(t, 0x1d00ffff)
	for _, anc := range []Anchor{
		{Height: math.MaxUint64, ParentTime: math.MinInt64, Target: limit},
		{Height: math.MaxUint64, ParentTime: math.MaxInt64, Target: *uint256.NewInt(1)},
		{Height: 0, ParentTime: math.MaxInt64, Target: maxTarget},
		{Height: 1 << 63, ParentTime: 0, Target: uint256.Int{}},
	} {
		for _, hl := range []int64{1, 172800, math.MaxInt64} {
			p := Params{BlockTime: 600, HalfLife: hl, Limit: limit, Anchor: &anc}
			a := mustNew(t, "asert", p)
			for _, tip := range []Block{{Height: 0, Time: math.MinInt64}, {Height: math.MaxUint64, Time: math.MaxInt64}, {Height: 1 << 63, Time: 0}} {
				got := a.Next(&tipChain{tip: tip})
				want := twinASERT(a.Params(), []Block{tip})
				if !got.Eq(&want) || got.IsZero() || got.Gt(&limit) {
					t.Errorf("anchor %+v, half-life %d, tip %+v: %#x, twin %#x", anc, hl, tip, &got, &want)
				}
			}
		}
	}
}
