package daasim

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/powlab/powlab/results"
)

// blocksOf builds stats at hashrate 1 hash/s with T = 1 s (1000 ticks), so
// a block's difficulty is its difficulty ÷ (hashrate × T).
func blocksOf(solves []int64, rel []float64, attacker []bool) []BlockStat {
	out := make([]BlockStat, len(solves))
	for i := range solves {
		out[i] = BlockStat{Height: uint64(i + 1), SolveTicks: solves[i], Difficulty: rel[i], Hashrate: 1}
		if attacker != nil {
			out[i].AttackOn = attacker[i]
			out[i].Attacker = attacker[i]
		}
	}
	return out
}

func both(t *testing.T, onoff bool, steps []step, blocks []BlockStat) (results.DAAMetrics, []*int) {
	t.Helper()
	tl := newTally("x", 1000, onoff, steps)
	for _, b := range blocks {
		tl.add(b)
	}
	fast, fastEach := tl.metrics()
	slow, slowEach := metricsOf("x", 1000, onoff, steps, blocks)
	if !metricsClose(fast, slow) || !reflect.DeepEqual(fastEach, slowEach) {
		t.Fatalf("tally %+v %v, metricsOf %+v %v", fast, ints(fastEach), slow, ints(slowEach))
	}
	return fast, fastEach
}

func metricsClose(a, b results.DAAMetrics) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*max(1, math.Abs(x)) }
	nearP := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || near(*x, *y)) }
	return a.Name == b.Name && near(a.MeanSolvetimeRatio, b.MeanSolvetimeRatio) && near(a.SolvetimeSDRatio, b.SolvetimeSDRatio) &&
		near(a.DelaysPct, b.DelaysPct) && near(a.DifficultyError, b.DifficultyError) &&
		nearP(a.StolenPct, b.StolenPct) && nearP(a.AttackerBlocksPct, b.AttackerBlocksPct) && nearP(a.SettleBlocks, b.SettleBlocks)
}

func ints(p []*int) []any {
	var out []any
	for _, v := range p {
		if v == nil {
			out = append(out, nil)
		} else {
			out = append(out, *v)
		}
	}
	return out
}

func approx(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func TestMetricsByHand(t *testing.T) {
	// Five blocks, T = 1000 ticks: solve times 0.5, 7, 1, 2.5 and 0 T, at
	// difficulties 1, 1.2, 0.5, 1 and 2 × hashrate × T; the attacker
	// mined the third and fourth.
	blocks := blocksOf([]int64{500, 7000, 1000, 2500, 0}, []float64{1, 1.2, 0.5, 1, 2}, []bool{false, false, true, true, false})
	m, _ := both(t, true, nil, blocks)
	approx(t, "mean_solvetime_ratio", m.MeanSolvetimeRatio, 2.2)
	// Deviations from 2200: −1700, 4800, −1200, 300, −2200; Σd² = 32.3e6.
	approx(t, "solvetime_sd_ratio", m.SolvetimeSDRatio, math.Sqrt(32.3e6/4)/1000)
	approx(t, "delays_pct", m.DelaysPct, 20) // only 7 T is above 6 T
	approx(t, "difficulty_error", m.DifficultyError, (0+0.2+0.5+0+1)/5.0)
	// Attacker's mean difficulty 0.75, everyone's 5.7/5 = 1.14.
	approx(t, "stolen_pct", *m.StolenPct, 100*(1-0.75/1.14))
	approx(t, "attacker_blocks_pct", *m.AttackerBlocksPct, 40)
	if m.SettleBlocks != nil {
		t.Error("settle_blocks set without steps")
	}

	// Exactly 6 T is not a delay; outside onoff the attack metrics are null.
	m, _ = both(t, false, nil, blocksOf([]int64{6000, 6001}, []float64{1, 1}, nil))
	approx(t, "delays_pct at 6 T and just above", m.DelaysPct, 50)
	if m.StolenPct != nil || m.AttackerBlocksPct != nil {
		t.Error("attack metrics set outside onoff")
	}
	// An attacker that never mined stole nothing.
	m, _ = both(t, true, nil, blocksOf([]int64{1000, 1000}, []float64{1, 1}, []bool{false, false}))
	approx(t, "stolen_pct without attacker blocks", *m.StolenPct, 0)
	approx(t, "attacker_blocks_pct without attacker blocks", *m.AttackerBlocksPct, 0)
}

func TestSettleByHand(t *testing.T) {
	in, out := 1.05, 1.2
	rel := make([]float64, 40)
	for i := range rel {
		h := i + 1
		switch {
		case h <= 3, h == 9: // step 1 at height 1: out, 5 in, out, then in from 10 on
			rel[i] = 0.5
			if h == 9 {
				rel[i] = out
			}
		case h <= 20:
			rel[i] = in
		case h == 30: // step 2 at height 21: 9 in, out at 30, in from 31
			rel[i] = 0.85
		default:
			rel[i] = 0.95
		}
	}
	solves := make([]int64, 40)
	steps := []step{{At: 1, End: 21}, {At: 21, End: 41}}
	m, each := both(t, false, steps, blocksOf(solves, rel, nil))
	if got := ints(each); !reflect.DeepEqual(got, []any{9, 10}) {
		t.Fatalf("settle_each = %v, want [9 10]", got)
	}
	approx(t, "settle_blocks", *m.SettleBlocks, 9.5)

	// The same blocks with step 2 ending a block earlier: its last run of
	// in-band blocks (31..39) is one short, so it never settled.
	steps[1].End = 40
	m, each = both(t, false, steps, blocksOf(solves, rel, nil))
	if got := ints(each); !reflect.DeepEqual(got, []any{9, nil}) {
		t.Fatalf("settle_each = %v, want [9 <nil>]", got)
	}
	if m.SettleBlocks != nil {
		t.Errorf("settle_blocks = %v with a step that did not settle", *m.SettleBlocks)
	}
	// In band from the first block, near both edges: settles at 0.
	flat := make([]float64, 12)
	for i := range flat {
		flat[i] = 1 + 0.99*SettleBand*float64(1-2*(i%2))
	}
	m, _ = both(t, false, []step{{At: 1, End: 13}}, blocksOf(make([]int64, 12), flat, nil))
	if m.SettleBlocks == nil || *m.SettleBlocks != 0 {
		t.Errorf("settle_blocks in band at once = %v, want 0", m.SettleBlocks)
	}
}

// The running tally against the slow definitions on random runs.
func TestTallyMatchesDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 50 {
		n := 1 + rng.IntN(300)
		blocks := make([]BlockStat, n)
		for i := range blocks {
			on := rng.IntN(3) == 0
			blocks[i] = BlockStat{Height: uint64(i + 1), SolveTicks: int64(rng.ExpFloat64() * 1000),
				Difficulty: (0.85 + 0.3*rng.Float64()) * 1e6, Hashrate: 1e6 * float64(1+rng.IntN(2)), AttackOn: on, Attacker: on && rng.IntN(2) == 0}
		}
		a := uint64(1 + rng.IntN(n))
		b := a + uint64(rng.IntN(n))
		steps := []step{{At: a, End: b}, {At: b, End: uint64(n) + 1}}
		both(t, round%2 == 0, steps, blocks)
	}
}

func TestSeries(t *testing.T) {
	// 10 blocks, at most 3 points: buckets of 4, 4 and 2 blocks.
	s := newSeries(10, 3, 1000, true)
	rel := []float64{1, 2, 3, 4, 1, 1, 1, 1, 0.5, 1.5}
	on := []bool{true, true, false, true, false, false, false, false, true, true}
	solves := []int64{0, 99, 100, 1999, 2000, 19999, 20000, 1 << 40, 550, 1000}
	for i := range rel {
		s.add(BlockStat{Height: uint64(i + 1), SolveTicks: solves[i], Difficulty: rel[i], Hashrate: 1, AttackOn: on[i]})
	}
	var r results.DAASeries
	s.fill(&r)
	if r.BucketBlocks != 4 || !reflect.DeepEqual(r.RelDifficulty, []float64{2.5, 1, 1}) {
		t.Fatalf("buckets of %d: %v", r.BucketBlocks, r.RelDifficulty)
	}
	if !reflect.DeepEqual(r.AttackShare, []float64{0.75, 0, 1}) {
		t.Fatalf("attack share %v", r.AttackShare)
	}
	if want := []results.HeightRange{{From: 1, To: 4}, {From: 9, To: 10}}; !reflect.DeepEqual(r.AttackPeriods, want) {
		t.Fatalf("attack periods %v, want %v", r.AttackPeriods, want)
	}
	h := r.SolveHist
	// Bins of 0.1 T: 0 and 99 in bin 0, 100 in 1, 1999 in 19, 2000 in 20,
	// 19999 in 199, 20000 and 2^40 over, 550 in 5, 1000 in 10.
	want := map[int]int{0: 2, 1: 1, 19: 1, 20: 1, 199: 1, 5: 1, 10: 1}
	for i, c := range h.Counts {
		if c != want[i] {
			t.Errorf("bin %d holds %d, want %d", i, c, want[i])
		}
	}
	if h.Over != 2 || h.Total() != 10 || h.BinWidth != 0.1 {
		t.Errorf("over %d, total %d, width %g", h.Over, h.Total(), h.BinWidth)
	}
}

// FuzzTally: the running tally equals the definitions on any block list
// decoded from the input (4 bytes a block: solve time, difficulty,
// hashrate and attacker state), with two steps placed by the first bytes.
func FuzzTally(f *testing.F) {
	f.Add([]byte{3, 9, 10, 20, 30, 1, 200, 15, 40, 2, 0, 0, 255, 3})
	f.Add([]byte{1, 1, 0xff, 0xff, 0xff, 0xff})
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		a, b := uint64(data[0]%16)+1, uint64(data[1]%32)+1
		data = data[2:]
		var blocks []BlockStat
		for i := 0; i+4 <= len(data) && i < 4*500; i += 4 {
			blocks = append(blocks, BlockStat{Height: uint64(len(blocks) + 1), SolveTicks: int64(data[i]) * 40,
				Difficulty: 0.8 + float64(data[i+1])/500, Hashrate: 1 + float64(data[i+2]%3),
				AttackOn: data[i+3]&1 != 0, Attacker: data[i+3]&3 == 3})
		}
		steps := []step{{At: min(a, b), End: max(a, b)}, {At: max(a, b), End: uint64(len(blocks)) + 1}}
		tl := newTally("x", 1000, true, steps)
		for _, bs := range blocks {
			tl.add(bs)
		}
		fast, fastEach := tl.metrics()
		slow, slowEach := metricsOf("x", 1000, true, steps, blocks)
		if !metricsClose(fast, slow) || !reflect.DeepEqual(ints(fastEach), ints(slowEach)) {
			t.Fatalf("tally %+v %v, definitions %+v %v", fast, ints(fastEach), slow, ints(slowEach))
		}
	})
}
