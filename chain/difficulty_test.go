package chain

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
)

func TestTicks(t *testing.T) {
	tests := []struct {
		name      string
		ts        float64
		perSecond int64
		want      int64
	}{
		{"whole seconds", 1700000000, 1, 1700000000},
		{"milliseconds", 1700000000.1234, 1000, 1700000000123},
		{"rounds to nearest", 1700000000.1236, 1000, 1700000000124},
		{"microsecond timestamps", 1.0005, 1000, 1001}, // 1.0005 is stored a hair above: 1000.5000000000001
		{"half rounds away from zero", 0.0025, 1000, 3},
		{"zero", 0, 1000, 0},
		{"negative", -1.5, 1000, -1500},
		{"huge saturates", 1e300, 1000, math.MaxInt64},
		{"just above int64", 0x1p63, 1, math.MaxInt64},
		{"below int64 saturates", -1e300, 1000, math.MinInt64},
		{"the smallest int64", -0x1p63, 1, math.MinInt64},
		{"+Inf", math.Inf(1), 1000, math.MaxInt64},
		{"-Inf", math.Inf(-1), 1, math.MinInt64},
		{"NaN", math.NaN(), 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ticks(tt.ts, tt.perSecond); got != tt.want {
				t.Fatalf("Ticks(%v, %d) = %d, want %d", tt.ts, tt.perSecond, got, tt.want)
			}
		})
	}
}

// compactTargetSlow is CompactDAATarget's twin in math/big: the bound
// minus 1, saturated at 2^256-1.
func compactTargetSlow(c Compact) *big.Int {
	b := c.Bound()
	b.Sub(b, big.NewInt(1))
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	if b.Cmp(max) > 0 {
		return max
	}
	return b
}

// compactFromTargetSlow is CompactFromDAATarget's twin: CompactFromBound
// of t+1.
func compactFromTargetSlow(t *big.Int) Compact {
	c, ok := CompactFromBound(new(big.Int).Add(t, big.NewInt(1)))
	if !ok {
		panic("bound below 1")
	}
	return c
}

func TestCompactDAATarget(t *testing.T) {
	b16, _ := ZeroBitsCompact(16)
	b1, _ := ZeroBitsCompact(1)
	tests := []struct {
		name string
		c    Compact
		want string // hex of the target
	}{
		{"bits 16", b16, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
		{"bits 1: the limit", b1, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
		{"bound 1: target 0", Compact(0), "0"},
		{"3·2^30", Compact(30<<24 | 2), "bfffffff"},
		{"a small bound has E = 0", Compact(47), "2f"},
		{"non-canonical beyond 2^256 saturates", Compact(0xff<<24 | 0xffffff), "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompactDAATarget(tt.c)
			if got.Hex() != "0x"+tt.want {
				t.Fatalf("%s: %s, want 0x%s", tt.c, got.Hex(), tt.want)
			}
			if tt.c.Valid() {
				if back := CompactFromDAATarget(&got); back != tt.c {
					t.Fatalf("round trip: %#x, want %#x", uint32(back), uint32(tt.c))
				}
			}
		})
	}
	// Targets beyond the easiest Compact give it.
	var all uint256.Int
	all.SetAllOne()
	if c := CompactFromDAATarget(&all); c != b1 {
		t.Fatalf("2^256-1: %s, want bits 1", c)
	}
	// Against the math/big twins: every Compact, canonical or not, to a
	// target; random targets of every length back to a Compact (rounded
	// down: its target is at most t, and the next Compact up is above t).
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		c := Compact(r.Uint32())
		if i%4 == 0 {
			c = Compact(uint32(r.IntN(256))<<24 | r.Uint32()&0xffffff)
		}
		got := CompactDAATarget(c)
		if want := compactTargetSlow(c); got.ToBig().Cmp(want) != 0 {
			t.Fatalf("CompactDAATarget(%#x) = %s, slow twin %x", uint32(c), got.Hex(), want)
		}
		var tg uint256.Int
		for j := range tg {
			tg[j] = r.Uint64()
		}
		tg.Rsh(&tg, uint(r.IntN(257)))
		back := CompactFromDAATarget(&tg)
		want := b1
		if tg.Lt(&maxDAATarget) {
			want = compactFromTargetSlow(tg.ToBig())
		}
		if back != want || !back.Valid() {
			t.Fatalf("CompactFromDAATarget(%s) = %#x, slow twin %#x", tg.Hex(), uint32(back), uint32(want))
		}
		if bt := CompactDAATarget(back); bt.Gt(&tg) && tg.Lt(&maxDAATarget) {
			t.Fatalf("CompactFromDAATarget(%s) rounds up to %s", tg.Hex(), bt.Hex())
		}
	}
}

// powlabRetargetSlow is the powlab algorithm's retarget under powlab
// rules in math/big, the twin of the daa path: the target (bound - 1)
// scaled by actual/expected in milliseconds, the ratio clamped to [1/4,
// 4], capped at 2^255-1, raised to 1, back to a Compact of bound t+1.
func powlabRetargetSlow(old Compact, actualMs, expectedMs int64) Compact {
	num, den := big.NewInt(actualMs), big.NewInt(expectedMs)
	switch {
	case actualMs*4 < expectedMs:
		num, den = big.NewInt(1), big.NewInt(4)
	case actualMs > expectedMs*4:
		num, den = big.NewInt(4), big.NewInt(1)
	}
	t := compactTargetSlow(old)
	t.Mul(t, num)
	t.Quo(t, den)
	if lim := new(big.Int).Sub(maxBound, big.NewInt(1)); t.Cmp(lim) > 0 {
		t = lim
	}
	if t.Sign() == 0 {
		t.SetInt64(1)
	}
	return compactFromTargetSlow(t)
}

// TestPowlabRetarget: powlab rules with the powlab algorithm (a window
// of 10 blocks of 10 s), the cases of the floating-point rule it
// replaced: clamps, no retargeting, timestamps going back, the limit.
func TestPowlabRetarget(t *testing.T) {
	b16, _ := ZeroBitsCompact(16)
	b17, _ := ZeroBitsCompact(17)
	b18, _ := ZeroBitsCompact(18)
	b1, _ := ZeroBitsCompact(1)
	p := powlabParams(16)
	p.RetargetInterval, p.BlockTime = 10, 10*time.Second
	fixed := powlabParams(16)
	lim := powlabParams(1)
	lim.RetargetInterval, lim.BlockTime = 10, 10*time.Second
	step := func(s float64) func(i int) float64 { return func(i int) float64 { return 1e9 + float64(i-1)*s } }
	tests := []struct {
		name string
		p    Params
		tip  *hdr
		want Compact
	}{
		{"genesis", p, nil, b16},
		{"no retargeting", fixed, headers(20, b16, step(1)), b16},
		{"inside a window", p, headers(9, b16, step(5)), b16},
		// The first window: heights 1..10, 9 spacings of 10 s expected.
		{"first window twice as fast", p, headers(10, b16, step(5)), b17},
		{"four times as fast", p, headers(10, b16, step(2.5)), b18},
		{"faster than 4x is clamped", p, headers(10, b16, step(0.001)), b18},
		{"zero span is clamped", p, headers(10, b16, step(0)), b18},
		{"window with timestamps going back", p, headers(20, b16, step(-1)), b18},
		{"second window on time", p, headers(20, b16, step(10)), b16},
		{"1.5 times as slow", p, headers(10, b16, step(15)), powlabRetargetSlow(b16, 135000, 90000)},
		{"four times as slow", p, headers(10, b16, step(40)), powlabRetargetSlow(b16, 360000, 90000)},
		{"slower than 4x is clamped", p, headers(10, b16, step(1e6)), powlabRetargetSlow(b16, 360000, 90000)},
		{"a millisecond counts", p, headers(10, b16, step(10.001)), powlabRetargetSlow(b16, 90009, 90000)},
		{"capped at the limit", lim, headers(10, b1, step(40)), b1},
		// Hostile times (a HeaderCtx, not a stored block, can hold them).
		{"NaN timestamps count as 0: a zero span, clamped", p, headers(10, b16, func(int) float64 { return math.NaN() }), b18},
		{"an infinite tip: slower than 4x, clamped", p, headers(10, b16, func(i int) float64 {
			if i == 10 {
				return math.Inf(1)
			}
			return 1e9
		}), powlabRetargetSlow(b16, 360000, 90000)},
		{"a tip at -Inf: clamped the other way", p, headers(10, b16, func(i int) float64 {
			if i == 10 {
				return math.Inf(-1)
			}
			return 1e9
		}), b18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRules(t, tt.p).(*powlabRules)
			var tip HeaderCtx
			if tt.tip != nil {
				tip = tt.tip
			}
			got := r.nextCompact(tip)
			if got != tt.want || !got.Valid() {
				t.Fatalf("next target %s (%#x), want %s (%#x)", got, uint32(got), tt.want, uint32(tt.want))
			}
			if nt := r.NextTarget(tip); nt.String() != got.Target().String() {
				t.Fatalf("NextTarget %s, want %s", nt, got.Target())
			}
		})
	}
	// Exactly slower by 4: the target quadruples, which lands a step below
	// the round bound 2^242 (the integer rule scales the target, not the
	// bound; docs/chain.md).
	if c := powlabRetargetSlow(b16, 360000, 90000); c.String() == "bits 14" || c.Bound().Cmp(new(big.Int).Lsh(big.NewInt(1), 242)) >= 0 {
		t.Fatalf("×4: %s", c)
	}
}

// viewChain is a chain of n test headers under d's rules, times and bits
// random (hostile ones included), as hdr values and as BlockNodes.
func viewChain(r *rand.Rand, n int, genesisTime float64) (*hdr, *BlockNode) {
	var h *hdr
	var node *BlockNode
	for i := 1; i <= n; i++ {
		ts := genesisTime + float64(i)*r.Float64()*20
		if r.IntN(10) == 0 {
			ts = genesisTime - float64(r.IntN(1000))
		}
		bits := Compact(uint32(200+r.IntN(40))<<24 | r.Uint32()&0xffffff | 1)
		h = &hdr{h: uint64(i), ts: ts, bits: bits, parent: h}
		b := &Block{Index: uint64(i), Timestamp: Float(ts), Target: bits}
		node = NewBlockNode(b, Hash{byte(i), byte(i >> 8)}, Work{}, node)
	}
	return h, node
}

// ancestorSlow is the daa block at height below tip, by a plain walk.
func ancestorSlow(d *difficulty, tip HeaderCtx, height uint64) (daa.Block, bool) {
	a := Ancestor(tip, height+d.heightOff)
	if a == nil {
		return daa.Block{}, false
	}
	return d.block(a), true
}

// TestHeaderView: the adapter's Ancestor, with its kept path and its
// genesis shortcut, answers as the slow walk does for every height, in
// ascending, descending and random order, over test headers (no
// shortcut) and BlockNodes (the shortcut), under both rules' numbering;
// one Rules value reading two chains with different genesis blocks gives
// each its own.
func TestHeaderView(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pp := powlabParams(16)
	pp.DAA, pp.HalfLife = "asert", time.Hour
	bp := DefaultParams(RulesBitcoin)
	bp.DAA, bp.RetargetInterval = "lwma", 5
	for _, params := range []Params{pp, bp} {
		rules := mustRules(t, params)
		var d *difficulty
		switch x := rules.(type) {
		case *powlabRules:
			d = x.d
		case *bitcoinRules:
			d = x.d
		}
		for _, n := range []int{1, 2, 3, 40, 300} {
			for chainNo, gt := range []float64{1e9, 2e9} {
				h, node := viewChain(r, n, gt)
				for _, tip := range []HeaderCtx{h, node} {
					name := fmt.Sprintf("%s/%d blocks/chain %d/%T", params.Rules, n, chainNo, tip)
					top := d.height(tip.Height())
					orders := map[string][]uint64{}
					for k := uint64(0); k <= top+2; k++ {
						orders["up"] = append(orders["up"], k)
						orders["down"] = append([]uint64{k}, orders["down"]...)
					}
					rnd := append([]uint64(nil), orders["up"]...)
					r.Shuffle(len(rnd), func(i, j int) { rnd[i], rnd[j] = rnd[j], rnd[i] })
					orders["random"] = rnd
					orders["genesis first"] = append([]uint64{d.first}, orders["up"]...)
					for oname, order := range orders {
						v := headerView{d: d, tip: tip, last: tip}
						v.seen = []daa.Block{d.block(tip)}
						if v.Tip() != d.block(tip) {
							t.Fatalf("%s: Tip differs", name)
						}
						for _, ht := range order {
							got, ok := v.Ancestor(ht)
							want, wok := ancestorSlow(d, tip, ht)
							if ok != wok || got != want {
								t.Fatalf("%s/%s: Ancestor(%d) = %+v %v, slow walk %+v %v", name, oname, ht, got, ok, want, wok)
							}
						}
					}
				}
			}
		}
	}
}

// TestHeaderViewHostile: headers that skip heights or stop early answer
// ok = false, never a wrong block.
func TestHeaderViewHostile(t *testing.T) {
	rules := mustRules(t, powlabParams(16)).(*powlabRules)
	d := rules.d
	g := &hdr{h: 1, ts: 1, bits: 0x01000000}
	gap := &hdr{h: 5, ts: 2, bits: 0x01000000, parent: g}
	tip := &hdr{h: 6, ts: 3, bits: 0x01000000, parent: gap}
	v := headerView{d: d, tip: tip, last: tip}
	v.seen = []daa.Block{d.block(tip)}
	for _, ht := range []uint64{7, 4, 3, 2, 0} {
		if b, ok := v.Ancestor(ht); ok {
			t.Fatalf("Ancestor(%d) = %+v over a gap", ht, b)
		}
	}
	// The genesis block is found by walking parents, as Ancestor does.
	if b, ok := v.Ancestor(1); !ok || b != d.block(g) {
		t.Fatalf("Ancestor(1) = %+v %v", b, ok)
	}
	if b, ok := v.Ancestor(5); !ok || b.Height != 5 {
		t.Fatalf("Ancestor(5) = %+v %v", b, ok)
	}
}

// TestDifficultyHostile: every algorithm under both rules, over chains
// with NaN, infinite, negative, huge and decreasing timestamps and
// extreme bits, computes a valid target and never panics.
func TestDifficultyHostile(t *testing.T) {
	times := []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1e300, 1e300, 0, -1, 4294967295, 1e9, 1e9 - 1e6}
	r := rand.New(rand.NewPCG(5, 6))
	for _, name := range daa.Names() {
		for _, rules := range []string{RulesPowlab, RulesBitcoin} {
			p := DefaultParams(rules)
			p.DAA, p.RetargetInterval, p.BlockTime = name, 3, 10*time.Second
			if name == "asert" || name == "fixed" {
				p.RetargetInterval = 0
			}
			if name == "dgw" {
				p.RetargetInterval = 2
			}
			rl := mustRules(t, p)
			for run := 0; run < 20; run++ {
				var tip *hdr
				for i := 1; i <= 12; i++ {
					bits := Compact(r.Uint32())
					if run%2 == 0 {
						bits = rl.(interface{ nextHeader(HeaderCtx) Compact }).nextHeader(hdrCtx(tip))
					}
					tip = &hdr{h: uint64(i), ts: times[r.IntN(len(times))], bits: bits, parent: tip}
					if run%5 == 0 && i == 3 {
						tip.h = math.MaxUint64 // a height no chain reaches
					}
					next := rl.(interface{ nextHeader(HeaderCtx) Compact }).nextHeader(tip)
					if rules == RulesPowlab && !next.Valid() {
						t.Fatalf("%s/%s: invalid next target %#x", name, rules, uint32(next))
					}
					if rules == RulesBitcoin {
						if _, err := daa.BitsToTarget(uint32(next)); err != nil {
							t.Fatalf("%s/%s: next bits %#x: %v", name, rules, uint32(next), err)
						}
					}
					ts := times[r.IntN(len(times))]
					if math.IsNaN(ts) || math.IsInf(ts, 0) {
						ts = 0 // a Block's Number is finite; HeaderCtx times need not be
					}
					b := &Block{Index: uint64(i + 1), Timestamp: Float(ts)}
					rl.Prepare(b, tip)
					_ = rl.CheckContext(b, tip, testEpoch)
					_ = rl.NextTarget(tip)
				}
			}
		}
	}
}

// hdrCtx is h as a HeaderCtx (a nil *hdr as the nil interface).
func hdrCtx(h *hdr) HeaderCtx {
	if h == nil {
		return nil
	}
	return h
}
