package chain

import (
	"context"
	"math/big"
	"testing"

	"github.com/powlab/powlab/miner"
)

// heavyGenesis is a powlab base (2^200 of work, far beyond float64's
// 53-bit resolution for the blocks above it) and two branches on it whose
// float64 work sums are equal but whose exact sums differ: a, one block at
// 16 zero bits, and b, one block at 17.
func heavyGenesis(t *testing.T) (a, b *hdr) {
	t.Helper()
	c200, _ := ZeroBitsCompact(200)
	c16, _ := ZeroBitsCompact(16)
	c17, _ := ZeroBitsCompact(17)
	base := &hdr{h: 1, bits: c200}
	a = &hdr{h: 2, ts: 1, bits: c16, parent: base}
	b = &hdr{h: 2, ts: 2, bits: c17, parent: base}
	return a, b
}

func bitsWork(h HeaderCtx) Work { return h.Bits().Work() }

// floatSum is the fork choice this package used to make: expected
// attempts summed as float64.
func floatSum(h HeaderCtx) float64 {
	var s float64
	for ; h != nil; h = h.Parent() {
		s += h.Bits().Target().ExpectedAttempts()
	}
	return s
}

// TestForkChoiceBeyondFloat drives the pure functions: the branch with more
// exact work wins although its float64 sum equals the other's.
func TestForkChoiceBeyondFloat(t *testing.T) {
	a, b := heavyGenesis(t)
	if floatSum(a) != floatSum(b) {
		t.Fatal("float64 tells the branches apart; the test needs branches it cannot")
	}
	wa, wb := CumulativeWork(a, bitsWork), CumulativeWork(b, bitsWork)
	want := new(big.Int).Lsh(big.NewInt(1), 200)
	want.Add(want, big.NewInt(1<<17))
	if wb.Big().Cmp(want) != 0 {
		t.Fatalf("branch b: work %s, want %s", wb, want)
	}
	if wa.Float64() != wb.Float64() {
		t.Fatal("the works' float64 values differ; the test needs equal ones")
	}
	if !Better(wb, wa) || Better(wa, wb) || Better(wa, wa) {
		t.Fatalf("fork choice: a %s, b %s", wa, wb)
	}
	common, aAbove, bAbove := Fork(a, b, func(x, y HeaderCtx) bool { return x == y })
	if common != HeaderCtx(a.parent) || aAbove != 1 || bAbove != 1 {
		t.Fatalf("Fork = %v %d %d", common, aAbove, bAbove)
	}
	// The branches above the fork decide: 2^16 against 2^17.
	above := func(h HeaderCtx) Work { return CumulativeWork(h, bitsWork) }
	if got := above(b).Cmp(above(a)); got != 1 {
		t.Fatalf("Cmp = %d", got)
	}
}

// TestCompactWork checks the allocation-free division against TargetWork's
// big.Int one for zero-bit and threshold compacts alike.
func TestCompactWork(t *testing.T) {
	tests := []struct {
		name string
		c    Compact
	}{
		{"bits 1", Compact(255 << 24)},
		{"bits 16", Compact(240 << 24)},
		{"bits 256", Compact(0)},
		{"hardest M", Compact(0xFFFFFF)},
		{"M 3 E 200", Compact(200<<24 | 2)},
		{"M 2^24-1 E 100", Compact(100<<24 | 0xFFFFFE)},
		{"M 12345 E 231", Compact(231<<24 | 12344)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.c.Valid() {
				t.Fatalf("%#x is not a valid compact", uint32(tt.c))
			}
			want := new(big.Int).Quo(two256, tt.c.Bound())
			if got := tt.c.Work(); got.Big().Cmp(want) != 0 || got != TargetWork(tt.c.Target()) {
				t.Fatalf("work %s, want %s (TargetWork %s)", got, want, TargetWork(tt.c.Target()))
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = Compact(200<<24 | 2).Work() }); n != 0 {
		t.Fatalf("Compact.Work allocates %v times", n)
	}
}

// heavyRules adds 2^200 to the genesis block's work, so every branch sits
// on a base that float64 cannot add one block's work to.
type heavyRules struct{ Rules }

func (r heavyRules) Work(b *Block) Work {
	w := r.Rules.Work(b)
	if b.Index == 1 {
		w = w.Add(WorkFromBig(new(big.Int).Lsh(big.NewInt(1), 200)))
	}
	return w
}

// TestEngineForkChoiceBeyondFloat: on a base of 2^200, a branch of two
// blocks against one of a single block. float64 sums call them equal (the
// first seen would stay); exact sums make the longer branch win, through
// AddBlock and through ReplaceChain.
func TestEngineForkChoiceBeyondFloat(t *testing.T) {
	for _, rules := range []string{RulesPowlab, RulesTutorial} {
		t.Run(rules, func(t *testing.T) {
			o := Options{Rules: rules, Target: bitsOpt(4), wrapRules: func(r Rules) Rules { return heavyRules{r} }}
			if rules == RulesTutorial {
				o.Target = miner.MustPrefix("0")
			}
			a, b := twoMiners(t, o)
			mineN(t, a, 1, "a")
			theirs := mineN(t, b, 2, "b")
			if a.Tip().Work.Float64() != b.Tip().Work.Float64() {
				t.Fatal("float64 tells the tips apart; the test needs tips it cannot")
			}
			if !Better(b.Tip().Work, a.Tip().Work) {
				t.Fatalf("exact work: a %s, b %s", a.Tip().Work, b.Tip().Work)
			}
			for i, want := range []AddResult{SideChain, Reorged} {
				got, err := a.AddBlock(theirs[i].Block)
				if err != nil || got != want {
					t.Fatalf("block %d: %v %v, want %v", theirs[i].Block.Index, got, err, want)
				}
			}
			if a.Tip().Hash != b.Tip().Hash || a.Tip().Work != b.Tip().Work {
				t.Fatal("a did not adopt b's heavier branch")
			}

			// ReplaceChain: a fresh chain with the same genesis and one block
			// gets b's two-block chain.
			c, _ := twoMiners(t, o)
			mineN(t, c, 1, "c")
			if ok, err := c.ReplaceChain(context.Background(), b.Blocks()); err != nil || !ok {
				t.Fatalf("ReplaceChain: %v %v", ok, err)
			}
			if ok, err := b.ReplaceChain(context.Background(), c.Blocks()); err != nil || ok {
				t.Fatalf("ReplaceChain of an equal chain: %v %v", ok, err)
			}
			info, err := c.Validate(context.Background(), ValidateOptions{})
			if err != nil || info.Work != b.Tip().Work {
				t.Fatalf("Validate: work %v, tip %s, %v", info, b.Tip().Work, err)
			}
		})
	}
}

// TestBlockNode: a node's cumulative work and ancestry, the engine's tip as
// a HeaderCtx, and ValidateChain's work agreeing with the engine's.
func TestBlockNode(t *testing.T) {
	c := openTest(t, t.TempDir(), Options{Target: bitsOpt(4)})
	mineN(t, c, 3, "")
	tip := c.Tip()
	if tip.Node == nil || tip.Node.Hash() != tip.Hash || tip.Node.Work() != tip.Work || tip.Node.Block() != tip.Block {
		t.Fatalf("Tip.Node %+v does not match the tip", tip.Node)
	}
	var h HeaderCtx = tip.Node
	for i := 4; i >= 1; i-- {
		if h == nil || h.Height() != uint64(i) {
			t.Fatalf("height %d: %v", i, h)
		}
		h = h.Parent()
	}
	if h != nil {
		t.Fatal("the genesis node's parent is not a nil HeaderCtx")
	}
	if want := WorkOf(4 << 4); tip.Work != want {
		t.Fatalf("work %s, want %s (4 blocks of 2^4)", tip.Work, want)
	}
	if got := CumulativeWork(tip.Node, func(h HeaderCtx) Work { return h.Bits().Work() }); got != tip.Work {
		t.Fatalf("CumulativeWork %s, tip %s", got, tip.Work)
	}
	if got := ChainWork(c.Rules(), c.Blocks()); got != tip.Work {
		t.Fatalf("ChainWork %s, tip %s", got, tip.Work)
	}
	info, err := c.Validate(context.Background(), ValidateOptions{})
	if err != nil || info.Work != tip.Work || info.Tip != tip.Hash {
		t.Fatalf("Validate: %+v %v", info, err)
	}
	// NextTarget reads the tip's ancestry through the node.
	if got, want := c.Rules().NextTarget(tip.Node).String(), "bits 4"; got != want {
		t.Fatalf("next target %s, want %s", got, want)
	}
}
