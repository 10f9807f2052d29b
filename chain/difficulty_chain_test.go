package chain

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/miner"
)

// stepClock is a fake clock that moves on by step (changeable between
// blocks) at every reading.
type stepClock struct {
	now  atomic.Int64 // nanoseconds after testEpoch
	step atomic.Int64
}

func (c *stepClock) Now() time.Time {
	return testEpoch.Add(time.Duration(c.now.Add(c.step.Load())))
}

// daaCase is an algorithm with parameters small enough that a chain of a
// few dozen blocks retargets several times.
type daaCase struct {
	name     string
	window   uint64
	halfLife time.Duration
}

var daaCases = []daaCase{
	{"fixed", 0, 0},
	{"powlab", 4, 0},
	{"bitcoin", 4, 0},
	{"lwma", 4, 0},
	{"dgw", 4, 0},
	{"ema", 4, 0},
	{"asert", 0, 40 * time.Second},
}

// TestDAAChains mines a short real chain under every algorithm and both
// rule sets that take one: blocks come 2.5 times too fast for a while,
// then 3 times too slow, so every algorithm that adjusts moves the
// target both ways. Each chain validates, its every target equals the
// algorithm's answer over a daa.Ring of the same blocks (a Chain that
// shares nothing with the engine's adapter), it reopens with its
// parameters, a reopening that asks for another algorithm is refused
// naming both, and a block stating another target is refused.
func TestDAAChains(t *testing.T) {
	blocks := 20
	if testing.Short() {
		blocks = 14
	}
	for _, rules := range []string{RulesPowlab, RulesBitcoin} {
		for _, dc := range daaCases {
			t.Run(rules+"/"+dc.name, func(t *testing.T) {
				dir := t.TempDir()
				clock := &stepClock{}
				// Fractions of a millisecond as well: powlab rules count
				// milliseconds, bitcoin rules whole seconds.
				clock.step.Store(int64(2*time.Second + 3700*time.Microsecond))
				window := dc.window
				o := Options{Rules: rules, Target: bitsOpt(8), DAA: dc.name, RetargetInterval: &window,
					BlockTime: 10 * time.Second, HalfLife: dc.halfLife, Now: clock.Now}
				c := openTest(t, dir, o)
				for i := 0; i < blocks; i++ {
					if i == blocks/2 {
						clock.step.Store(int64(15 * time.Second))
					}
					if _, err := c.Mine(context.Background(), MineOptions{Workers: 2}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := c.Validate(context.Background(), ValidateOptions{}); err != nil {
					t.Fatal(err)
				}
				p := c.Params()
				if p.DAA != dc.name || (dc.name != "asert" && p.RetargetInterval != dc.window) || p.HalfLife != dc.halfLife {
					t.Fatalf("stored params %+v", p)
				}
				if !strings.Contains(p.String(), "daa "+dc.name) {
					t.Fatalf("params %q do not name the algorithm", p)
				}
				chainBlocks := c.Blocks()
				checkAgainstRing(t, c.Rules(), dc, chainBlocks)

				// A block stating another target is refused.
				tip := c.Tip().Node
				parent := tip.Parent()
				b := tip.Block().Clone()
				if rules == RulesPowlab {
					b.Target ^= 2 // another canonical target (M stays odd)
				} else {
					b.Bits--
				}
				err := c.Rules().CheckContext(b, parent, clock.Now())
				if re, ok := IsRuleError(err); !ok || re.Code != CodeBadDifficulty {
					t.Fatalf("a block with another target: %v", err)
				}

				// Reopened with the same parameters, then with another algorithm.
				tipHash := c.Tip().Hash
				c.Close()
				c2 := openTest(t, dir, o)
				if c2.Tip().Hash != tipHash || !c2.Params().Equal(p) {
					t.Fatalf("reopened: %s %s", c2.Tip().Hash, c2.Params())
				}
				c2.Close()
				other := "lwma"
				if dc.name == "lwma" {
					other = "asert"
				}
				_, err = Open(context.Background(), dir, Options{DAA: other, Now: clock.Now})
				if !errors.Is(err, ErrParamsMismatch) || !strings.Contains(err.Error(), "difficulty algorithm "+other) || !strings.Contains(err.Error(), "(stored: "+dc.name+")") {
					t.Fatalf("reopened with --daa %s: %v", other, err)
				}
				if dc.window > 0 {
					w := dc.window + 1
					if _, err := Open(context.Background(), dir, Options{RetargetInterval: &w, Now: clock.Now}); !errors.Is(err, ErrParamsMismatch) {
						t.Fatalf("reopened with another window: %v", err)
					}
				}
				if dc.halfLife > 0 {
					if _, err := Open(context.Background(), dir, Options{HalfLife: time.Hour, Now: clock.Now}); !errors.Is(err, ErrParamsMismatch) {
						t.Fatalf("reopened with another half-life: %v", err)
					}
				}
			})
		}
	}
}

// checkAgainstRing recomputes every block's target with the algorithm
// built straight from daa (parameters in ticks written out here) over a
// daa.Ring of the chain's blocks, and checks that adjusting algorithms
// moved the target both ways.
func checkAgainstRing(t *testing.T, r Rules, dc daaCase, blocks []*Block) {
	t.Helper()
	btc := r.Name() == RulesBitcoin
	var limit, initial uint256.Int
	dp := daa.Params{Window: dc.window}
	toDAA := func(b *Block) daa.Block {
		if btc {
			tg, err := daa.BitsToTarget(b.Bits)
			if err != nil {
				t.Fatal(err)
			}
			return daa.Block{Height: b.Index - 1, Time: int64(b.Timestamp.Float64()), Target: tg}
		}
		return daa.Block{Height: b.Index, Time: Ticks(b.Timestamp.Float64(), 1000), Target: CompactDAATarget(b.Target)}
	}
	if btc {
		limit = toDAA(blocks[0]).Target
		dp.BlockTime, dp.HalfLife, dp.FirstHeight = 10, int64(dc.halfLife/time.Second), 0
	} else {
		limit.Lsh(uint256.NewInt(1), 255)
		limit.SubUint64(&limit, 1)
		dp.BlockTime, dp.HalfLife, dp.FirstHeight = 10000, dc.halfLife.Milliseconds(), 1
	}
	initial = toDAA(blocks[0]).Target
	dp.Limit, dp.Initial = limit, initial
	alg, err := daa.New(dc.name, dp)
	if err != nil {
		t.Fatal(err)
	}
	ring := daa.NewRing(len(blocks))
	up, down := false, false
	for i, b := range blocks {
		if i > 0 {
			want := alg.Next(ring)
			got := toDAA(b).Target
			var wantRounded uint256.Int
			if btc {
				wantRounded = daa.RoundTarget(&want)
			} else {
				wantRounded = CompactDAATarget(CompactFromDAATarget(&want))
			}
			if got != wantRounded {
				t.Fatalf("block %d: target %s, daa over a ring gives %s (%s rounded)", b.Index, got.Hex(), want.Hex(), wantRounded.Hex())
			}
			prev := ring.Tip().Target
			up = up || got.Gt(&prev)
			down = down || got.Lt(&prev)
		}
		ring.Push(toDAA(b))
	}
	switch {
	case dc.name == "fixed" && (up || down):
		t.Fatal("the fixed algorithm moved the target")
	case dc.name != "fixed" && !(up && down):
		t.Fatalf("%s: the target never moved both ways (easier %v, harder %v)", dc.name, up, down)
	}
}

// TestDAAParams: the parameters' checks and their JSON, old and new.
func TestDAAParams(t *testing.T) {
	base := powlabParams(16)
	with := func(f func(p *Params)) Params { p := base; f(&p); return p }
	for _, tc := range []struct {
		name string
		p    Params
		want string // "" : valid
	}{
		{"default powlab", base, ""},
		{"asert", with(func(p *Params) { p.DAA = "asert"; p.HalfLife = time.Hour }), ""},
		{"asert default half-life", with(func(p *Params) { p.DAA = "asert" }), ""},
		{"unknown", with(func(p *Params) { p.DAA = "kgw" }), `unknown difficulty algorithm "kgw"`},
		{"half-life without asert", with(func(p *Params) { p.DAA = "lwma"; p.HalfLife = time.Hour }), "asert difficulty algorithm only"},
		{"asert with a window", with(func(p *Params) { p.DAA = "asert"; p.RetargetInterval = 5 }), "has no window"},
		{"fixed with a window", with(func(p *Params) { p.DAA = "fixed"; p.RetargetInterval = 5 }), "has no window"},
		{"sub-millisecond block time", with(func(p *Params) { p.DAA = "ema"; p.BlockTime = 1500 * time.Microsecond }), "whole milliseconds"},
		{"zero block time", with(func(p *Params) { p.DAA = "lwma"; p.BlockTime = 0 }), "whole milliseconds"},
		{"fixed needs no block time", with(func(p *Params) { p.DAA = "fixed"; p.BlockTime = 0 }), ""},
		{"dgw window 1", with(func(p *Params) { p.DAA = "dgw"; p.RetargetInterval = 1 }), "dgw: window 1"},
		{"tutorial with asert", with(func(p *Params) { *p = tutorialParams("00"); p.DAA = "asert" }), "tutorial rules keep one target"},
		{"tutorial with fixed", with(func(p *Params) { *p = tutorialParams("00"); p.DAA = "fixed" }), ""},
		{"bitcoin rules with asert in whole seconds", with(func(p *Params) {
			*p = DefaultParams(RulesBitcoin)
			p.DAA, p.RetargetInterval, p.HalfLife = "asert", 0, 1500*time.Millisecond
		}), "whole number of seconds"},
		{"bitcoin rules with lwma", with(func(p *Params) {
			*p = DefaultParams(RulesBitcoin)
			p.DAA, p.RetargetInterval = "lwma", 0
		}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if err != nil {
				return
			}
			var back Params
			b, _ := tc.p.MarshalJSON()
			if err := back.UnmarshalJSON(b); err != nil || !back.Equal(tc.p) {
				t.Fatalf("JSON %s -> %+v %v", b, back, err)
			}
		})
	}
	// A store written before the choice of algorithm reads as the rules'
	// default, equal to the same parameters with the default named.
	var old Params
	if err := old.UnmarshalJSON([]byte(`{"rules":"powlab","target":"bits 16","reward":12.5,"retarget_interval":5,"block_time":"10s"}`)); err != nil {
		t.Fatal(err)
	}
	named := old
	named.DAA = "powlab"
	if old.DAAName() != "powlab" || !old.Equal(named) || old.DAA != "" {
		t.Fatalf("old params %+v", old)
	}
	// Default chains write what they always wrote; the new fields only
	// appear when set.
	for _, rules := range []string{RulesPowlab, RulesBitcoin, RulesTutorial} {
		b, _ := DefaultParams(rules).MarshalJSON()
		if strings.Contains(string(b), "daa") || strings.Contains(string(b), "half_life") {
			t.Fatalf("%s defaults: %s", rules, b)
		}
	}
	a := with(func(p *Params) { p.DAA = "asert"; p.HalfLife = 90 * time.Minute })
	b, _ := a.MarshalJSON()
	if !strings.Contains(string(b), `"daa":"asert"`) || !strings.Contains(string(b), `"half_life":"1h30m0s"`) {
		t.Fatalf("asert params: %s", b)
	}
	// Resolved states the defaults, so a stored chain never depends on them.
	for _, tc := range []struct {
		p      Params
		window uint64
		hl     time.Duration
	}{
		{with(func(p *Params) { p.DAA = "lwma" }), 60, 0},
		{with(func(p *Params) { p.DAA = "asert" }), 0, 288 * 10 * time.Second},
		{with(func(p *Params) { p.DAA = "bitcoin" }), 2016, 0},
		{base, 0, 0}, // powlab: 0 stays "never"
	} {
		r := tc.p.Resolved()
		if r.RetargetInterval != tc.window || r.HalfLife != tc.hl || r.DAA != tc.p.DAAName() || !r.Equal(tc.p) {
			t.Fatalf("%s resolved: %+v", tc.p.DAAName(), r)
		}
	}
}

// TestOptionsDAA: Apply drops the base algorithm's window when another
// algorithm is asked for.
func TestOptionsDAA(t *testing.T) {
	p := Options{DAA: "asert"}.Apply(DefaultParams(RulesBitcoin))
	if p.RetargetInterval != 0 || p.DAA != "asert" || p.Validate() != nil {
		t.Fatalf("bitcoin rules with asert: %+v %v", p, p.Validate())
	}
	w := uint64(10)
	p = Options{DAA: "lwma", RetargetInterval: &w}.Apply(DefaultParams(RulesBitcoin))
	if p.RetargetInterval != 10 {
		t.Fatalf("lwma window: %+v", p)
	}
	p = Options{DAA: "bitcoin"}.Apply(DefaultParams(RulesBitcoin))
	if p.RetargetInterval != BtcDefaultInterval {
		t.Fatalf("bitcoin named: %+v", p)
	}
}

// legacyStore writes a store as a powlab older than the choice of
// difficulty algorithm did: params without "daa", powlab rules retargeting
// every 2 blocks of 10 s from 4 zero bits, blocks 40 s apart (the window
// 4 times too slow). oldRule makes block 3's target what the old
// floating-point rule gave, the bound times 4 exactly (bits 2); the
// integer rule scales the target and lands a rounding step below.
func legacyStore(t *testing.T, dir string, oldRule bool) {
	t.Helper()
	p := powlabParams(4)
	p.RetargetInterval, p.BlockTime = 2, 10*time.Second
	r := mustRules(t, p).(*powlabRules)
	ctx := context.Background()
	g := r.Genesis(Float(1e9))
	res, err := miner.Search(ctx, r.Puzzle(nil, g), r.NextTarget(nil), miner.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	g.Proof = res.Nonce
	blocks := []*Block{g}
	var tip *BlockNode = NewBlockNode(g, r.Hash(g), r.Work(g), nil)
	b2, _ := ZeroBitsCompact(2)
	for i := 2; i <= 4; i++ {
		b := &Block{Index: uint64(i), Timestamp: Float(1e9 + 40*float64(i-1)), PrevHash: tip.Hash(),
			Transactions: []Tx{{Sender: RewardSender, Recipient: "old", Amount: p.Reward}}}
		r.Prepare(b, tip)
		if i >= 3 && oldRule {
			b.Target = b2 // block 3 retargeted the old way; block 4 keeps it
		}
		res, err := miner.Search(ctx, r.Puzzle(nil, b), b.Target.Target(), miner.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		b.Proof = res.Nonce
		blocks = append(blocks, b)
		tip = NewBlockNode(b, r.Hash(b), r.Work(b), tip)
	}
	if oldRule && blocks[2].Target == r.nextCompact(Ancestor(tip, 2)) {
		t.Fatal("the old rule's target is the integer rule's: the test shows nothing")
	}
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	if err := st.create(p, NewAddress(), g, r.Hash(g)); err != nil {
		t.Fatal(err)
	}
	var sb []storedBlock
	for _, b := range blocks[1:] {
		sb = append(sb, storedBlock{r.Hash(b), b})
	}
	h := tip.Hash()
	if err := st.putBlocks(sb, &h); err != nil {
		t.Fatal(err)
	}
}

// TestLegacyRetargetStore: a store whose float retarget differs from the
// integer one is refused on opening with the block and both targets;
// one whose targets agree opens, and keeps reading as the powlab default.
func TestLegacyRetargetStore(t *testing.T) {
	dir := t.TempDir()
	legacyStore(t, dir, true)
	_, err := Open(context.Background(), dir, Options{Now: fakeClock(0)})
	re, ok := IsRuleError(err)
	if !ok || re.Code != CodeBadDifficulty || re.Index != 3 || !strings.Contains(err.Error(), "older powlab") || !strings.Contains(err.Error(), "bits 2") {
		t.Fatalf("opening a store with the old rule's targets: %v", err)
	}
	dir = t.TempDir()
	legacyStore(t, dir, false)
	c := openTest(t, dir, Options{})
	if c.Height() != 4 || c.Params().DAA != "" || c.Params().DAAName() != "powlab" {
		t.Fatalf("height %d, params %+v", c.Height(), c.Params())
	}
	if _, err := c.Validate(context.Background(), ValidateOptions{Now: time.Unix(1e9+3600, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mine(context.Background(), MineOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
}

// TestAnchorPerChain: one Rules value (asert, anchored at each chain's
// genesis block) validates, in turn, two chains whose genesis blocks are
// an hour apart and whose blocks come at different paces: each is checked
// against its own anchor (had the rules kept the first chain's genesis,
// the second's targets would be an hour of schedule off).
func TestAnchorPerChain(t *testing.T) {
	o := Options{Target: bitsOpt(6), DAA: "asert", HalfLife: 20 * time.Second, BlockTime: 10 * time.Second}
	var chains [2][]*Block
	for i, pace := range []time.Duration{time.Second, 15 * time.Second} {
		clock := &stepClock{}
		clock.now.Store(int64(time.Duration(i) * time.Hour))
		clock.step.Store(int64(pace))
		o.Now = clock.Now
		c := openTest(t, t.TempDir(), o)
		mineN(t, c, 8, "m")
		chains[i] = c.Blocks()
	}
	if chains[0][8].Target == chains[1][8].Target {
		t.Fatal("the two chains have the same targets: the test shows nothing")
	}
	r := mustRules(t, o.Apply(DefaultParams(RulesPowlab)).Resolved())
	now := testEpoch.Add(3 * time.Hour)
	for round := 0; round < 2; round++ {
		for i, blocks := range chains {
			if _, err := ValidateChain(context.Background(), r, blocks, ValidateOptions{Now: now}); err != nil {
				t.Fatalf("round %d, chain %d: %v", round, i, err)
			}
		}
	}
}
