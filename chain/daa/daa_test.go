package daa

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

func mustBits(t testing.TB, bits uint32) uint256.Int {
	t.Helper()
	x, err := BitsToTarget(bits)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func mustNew(t testing.TB, name string, p Params) Algorithm {
	t.Helper()
	a, err := New(name, p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// maxTarget is 2^256-1.
var maxTarget = *new(uint256.Int).SetAllOne()

func TestASERTVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/asert/run*.txt")
	if err != nil || len(files) != 12 {
		t.Fatalf("want the 12 official runs, found %d (%v)", len(files), err)
	}
	total := 0
	for _, f := range files {
		res, err := VerifyFile("asert", f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
		total += res.Rows
	}
	if total != 10+10+10+225+225+1000+1000+500+10+10+1000+10000 {
		t.Errorf("verified %d rows in all", total)
	}
}

// TestASERTRounding: the big twin with C++'s truncating division matches
// every row of every run; with Python's floor division it fails on the
// runs with negative solve times, so the vectors decide the rounding.
func TestASERTRounding(t *testing.T) {
	files, _ := filepath.Glob("testdata/asert/run*.txt")
	limit := mustBits(t, ASERTVectorLimitBits)
	floorFails := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		run, err := ParseASERTRun(f, fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := Params{BlockTime: 600, HalfLife: 172800, Limit: limit, Anchor: &run.Anchor}
		for _, row := range run.Rows {
			bs := []Block{{Height: row.Height, Time: row.Time}}
			tr := twinASERTWith(p, bs, false)
			if got := TargetToBits(&tr); got != row.Bits {
				t.Fatalf("%s line %d: truncating twin %#08x, want %#08x", f, row.Line, got, row.Bits)
			}
			fl := twinASERTWith(p, bs, true)
			if TargetToBits(&fl) != row.Bits {
				floorFails[filepath.Base(f)] = true
			}
		}
	}
	if !floorFails["run11.txt"] && !floorFails["run12.txt"] {
		t.Errorf("floor division matched runs 11 and 12 too: the vectors do not decide the rounding")
	}
	t.Logf("floor division fails on %v", floorFails)
}

func TestBitcoinCases(t *testing.T) {
	res, err := VerifyFile("bitcoin", "testdata/bitcoin_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows < 6 {
		t.Fatalf("only %d cases", res.Rows)
	}
}

func TestVerifyErrors(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile("testdata/asert/run06.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	// line 20 (1-based) is a row: change its bits
	f := strings.Fields(lines[19])
	lines[19] = strings.Join([]string{f[0], f[1], f[2], "0x1802aee9"}, " ")
	bad := filepath.Join(dir, "run06.txt")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
	_, err = VerifyFile("asert", bad)
	var me *MismatchError
	if !errors.As(err, &me) || me.Line != 20 || me.Want != 0x1802aee9 || me.Got != mustParseBits(t, f[3]) || fmt.Sprint(me.Height) != f[1] {
		t.Fatalf("doctored row: %v (%+v)", err, me)
	}
	for name, content := range map[string]string{
		"empty.txt":    "",
		"garbage.txt":  "## anchor height: x\n",
		"short.txt":    "## anchor height: 1\n## anchor parent time: 0\n## anchor nBits: 0x1d00ffff\n1 2 3\n",
		"count.txt":    "## anchor height: 1\n## anchor parent time: 0\n## anchor nBits: 0x1d00ffff\n##   iterations: 2\n1 2 1200 0x1d00ffff\n",
		"badbits.txt":  "## anchor height: 1\n## anchor parent time: 0\n## anchor nBits: 0x1d80ffff\n1 2 1200 0x1d00ffff\n",
		"cases.json":   `{"first_block_time": 1}`,
		"badcase.json": `[{"first_block_time":0,"last_block_time":1,"last_bits":"0xzz","expected_bits":"0x1d00ffff","pow_limit_bits":"0x1d00ffff"}]`,
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		algo := "asert"
		if strings.HasSuffix(name, ".json") {
			algo = "bitcoin"
		}
		_, err := VerifyFile(algo, path)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: want an InputError, got %v", name, err)
		}
	}
	_, err = VerifyFile("asert", filepath.Join(dir, "missing.txt"))
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Errorf("missing file: %v", err)
	}
}

func mustParseBits(t *testing.T, s string) uint32 {
	b, err := parseBits(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chainOf builds consecutive blocks from first with the given times and
// targets.
func chainOf(first uint64, times []int64, targets []uint64) []Block {
	bs := make([]Block, len(times))
	for i := range times {
		bs[i] = Block{Height: first + uint64(i), Time: times[i], Target: *uint256.NewInt(targets[i])}
	}
	return bs
}

func nextOver(a Algorithm, bs []Block) uint256.Int {
	r := NewRing(len(bs) + 1)
	for _, b := range bs {
		r.Push(b)
	}
	return a.Next(r)
}

// TestHandTables: small cases worked out by hand from each algorithm's
// formula.
func TestHandTables(t *testing.T) {
	lim := *uint256.NewInt(1 << 40)
	tests := []struct {
		name  string
		algo  string
		p     Params
		times []int64
		tgts  []uint64
		want  uint64
	}{
		// lwma N=2, T=10: k = 2·3·10/2 = 30, N·k = 60; avg = 600/60+1200/60 = 30
		{"lwma steady-ish", "lwma", Params{Window: 2}, []int64{0, 10, 30}, []uint64{1, 600, 1200}, 30 * (1*10 + 2*20)},
		{"lwma out of order: prev+1", "lwma", Params{Window: 2}, []int64{0, 10, 5}, []uint64{1, 600, 1200}, 30 * (1*10 + 2*1)},
		{"lwma solve time capped at 6T", "lwma", Params{Window: 2}, []int64{0, 10, 1000}, []uint64{1, 600, 1200}, 30 * (1*10 + 2*60)},
		{"lwma first window at 6T", "lwma", Params{Window: 2}, []int64{0, 1000, 2000}, []uint64{1, 600, 1200}, 30 * (1*60 + 2*60)},
		{"lwma window not full: initial", "lwma", Params{Window: 2, Initial: *uint256.NewInt(777)}, []int64{0, 10}, []uint64{1, 600}, 777},
		{"lwma truncated terms", "lwma", Params{Window: 2}, []int64{0, 10, 20}, []uint64{1, 59, 119}, 1 * (10 + 20)},
		// dgw N=3, T=10: avg = 300; (300·2+600)/3 = 400; (400·3+900)/4 = 525
		{"dgw on schedule", "dgw", Params{Window: 3}, []int64{0, 10, 20, 40}, []uint64{1, 900, 600, 300}, 525},
		{"dgw slow, clamped at 3", "dgw", Params{Window: 3}, []int64{0, 10, 20, 1000}, []uint64{1, 900, 600, 300}, 525 * 90 / 30},
		{"dgw fast, clamped at 1/3", "dgw", Params{Window: 3}, []int64{0, 10, 10, 10}, []uint64{1, 900, 600, 300}, 525 * 10 / 30},
		{"dgw window not full", "dgw", Params{Window: 3, Initial: *uint256.NewInt(5)}, []int64{0, 10, 20}, []uint64{1, 900, 600}, 5},
		{"dgw rounding", "dgw", Params{Window: 3}, []int64{0, 10, 20, 40}, []uint64{1, 1, 2, 1}, 1}, // (1·2+2)/3=1; (1·3+1)/4=1
		// ema N=4, T=10: factor (40 + st - 10)/40
		{"ema on time", "ema", Params{Window: 4}, []int64{0, 10}, []uint64{1000, 1000}, 1000},
		{"ema slow", "ema", Params{Window: 4}, []int64{0, 20}, []uint64{1000, 1000}, 1250},
		{"ema st capped at 6T", "ema", Params{Window: 4}, []int64{0, 1000}, []uint64{1000, 1000}, 2250},
		{"ema negative st floored at 1-(N-1)T", "ema", Params{Window: 4}, []int64{0, -100}, []uint64{1000, 1000}, 25},
		{"ema zero st", "ema", Params{Window: 4}, []int64{0, 0}, []uint64{1000, 1000}, 750},
		{"ema first block keeps its target", "ema", Params{Window: 4}, []int64{0}, []uint64{1000}, 1000},
		{"ema large N, -6T", "ema", Params{Window: 100}, []int64{0, -1000}, []uint64{1000, 1000}, 1000 * (1000 - 60 - 10) / 1000},
		// bitcoin, Window 4, T 10: retarget for height 4 over heights 0..3
		{"bitcoin no retarget", "bitcoin", Params{Window: 4}, []int64{0, 10, 20}, []uint64{1000, 1000, 1000}, 1000},
		{"bitcoin on time (3 intervals vs 40)", "bitcoin", Params{Window: 4}, []int64{0, 10, 20, 30}, []uint64{1000, 1000, 1000, 1000}, 750},
		{"bitcoin slow, clamped at 4", "bitcoin", Params{Window: 4}, []int64{0, 10, 20, 1000}, []uint64{1000, 1000, 1000, 1000}, 4000},
		{"bitcoin backwards, clamped at 1/4", "bitcoin", Params{Window: 4}, []int64{0, 10, 20, -5}, []uint64{1000, 1000, 1000, 1000}, 250},
		{"bitcoin capped at the limit", "bitcoin", Params{Window: 4, Limit: *uint256.NewInt(3000)}, []int64{0, 10, 20, 1000}, []uint64{1000, 1000, 1000, 1000}, 3000},
		// powlab, Window 2, FirstHeight 1, T 10: the tip at 2 uses 1..2 (1 interval), at 4 uses 2..4
		{"powlab first window", "powlab", Params{Window: 2}, []int64{0, 20}, []uint64{1000, 1000}, 2000},
		{"powlab no retarget at odd height", "powlab", Params{Window: 2}, []int64{0, 20, 99}, []uint64{1000, 1000, 1000}, 1000},
		{"powlab full window", "powlab", Params{Window: 2}, []int64{0, 20, 99, 30}, []uint64{1000, 1000, 1000, 1000}, 500},
		{"powlab clamp 1/4", "powlab", Params{Window: 2}, []int64{0, 20, 99, 20}, []uint64{1000, 1000, 1000, 1000}, 250},
		{"powlab clamp 2 with MaxFactor 2", "powlab", Params{Window: 2, MaxFactor: 2}, []int64{0, 20, 99, 9999}, []uint64{1000, 1000, 1000, 1000}, 2000},
		{"powlab window 0: never", "powlab", Params{}, []int64{0, 20, 99, 9999}, []uint64{1000, 1000, 1000, 1000}, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.BlockTime = 10
			if p.Limit.IsZero() {
				p.Limit = lim
			}
			a := mustNew(t, tt.algo, p)
			first := uint64(0)
			if tt.algo == "powlab" {
				first = 1
			}
			bs := chainOf(first, tt.times, tt.tgts)
			got := nextOver(a, bs)
			if !got.Eq(uint256.NewInt(tt.want)) {
				t.Errorf("Next = %d, want %d", &got, tt.want)
			}
			if tw := twins[tt.algo](a.Params(), bs); !tw.Eq(&got) {
				t.Errorf("twin %d, fast %d", &tw, &got)
			}
		})
	}
}

// ---- random and hostile windows ----

type gen struct{ r *rand.Rand }

func (g gen) target(limit *uint256.Int) uint256.Int {
	switch g.r.IntN(8) {
	case 0:
		return *limit
	case 1:
		return *uint256.NewInt(1)
	case 2: // above the limit: a hostile chain
		var x uint256.Int
		x.AddUint64(limit, uint64(g.r.IntN(1000)+1))
		if x.IsZero() {
			return *limit
		}
		return x
	}
	var x uint256.Int
	for i := range x {
		x[i] = g.r.Uint64()
	}
	x.Rsh(&x, uint(g.r.IntN(256)))
	if x.Gt(limit) {
		x.Rsh(&x, uint(256-limit.BitLen()+1))
	}
	return x
}

var blockTimes = []int64{1, 2, 600, 600_000, 1 << 40}

func (g gen) params(name string) Params {
	r := g.r
	p := Params{BlockTime: blockTimes[r.IntN(len(blockTimes))]}
	if r.IntN(4) == 0 {
		p.BlockTime = r.Int64N(1_000_000) + 1
	}
	switch r.IntN(4) {
	case 0:
		p.Limit = maxTarget
	case 1:
		p.Limit.Lsh(uint256.NewInt(0xffff), 208) // Bitcoin's 0x1d00ffff
	case 2:
		p.Limit = *uint256.NewInt(uint64(r.IntN(1000) + 1))
	default:
		p.Limit.Rsh(&maxTarget, uint(r.IntN(256)))
	}
	p.Initial = g.target(&p.Limit)
	if p.Initial.Gt(&p.Limit) {
		p.Initial = p.Limit
	}
	switch name {
	case "dgw":
		p.Window = uint64(r.IntN(12) + 2)
	case "ema":
		p.Window = uint64(r.IntN(600) + 1)
	case "powlab":
		p.Window = uint64(r.IntN(8))
		p.MaxFactor = uint64(r.IntN(6))
	default:
		p.Window = uint64(r.IntN(12) + 1)
	}
	p.HalfLife = r.Int64N(1<<40) + 1
	if r.IntN(2) == 0 {
		p.HalfLife = 288 * p.BlockTime
	}
	switch r.IntN(4) {
	case 0:
		p.FirstHeight = r.Uint64N(1 << 40)
	case 1:
		p.FirstHeight = math.MaxUint64 - r.Uint64N(40) // the chain runs into the last height
	}
	if name == "asert" && r.IntN(3) == 0 {
		p.Anchor = &Anchor{Height: r.Uint64(), ParentTime: g.time(0, p.BlockTime), Target: g.target(&p.Limit)}
	}
	return p
}

func (g gen) time(prev, T int64) int64 {
	r := g.r
	switch r.IntN(12) {
	case 0:
		return math.MaxInt64
	case 1:
		return math.MinInt64
	case 2:
		return int64(r.Uint64())
	case 3, 4: // out of order
		return subTicks(prev, r.Int64N(10*max(T, 1)+1))
	}
	return prev + r.Int64N(min(8*T, 1<<50)+1)
}

// chain makes up to n consecutive blocks from p.FirstHeight (fewer if the
// heights would wrap).
func (g gen) chain(p Params, n int) []Block {
	bs := make([]Block, 0, n)
	t := g.r.Int64N(1 << 32)
	if g.r.IntN(4) == 0 {
		t = g.time(0, p.BlockTime)
	}
	h := p.FirstHeight
	for i := 0; i < n; i++ {
		bs = append(bs, Block{Height: h, Time: t, Target: g.target(&p.Limit)})
		if h == math.MaxUint64 {
			break
		}
		h++
		t = g.time(t, p.BlockTime)
	}
	return bs
}

// TestTwins compares every algorithm with its math/big twin at every
// prefix of random and hostile chains.
func TestTwins(t *testing.T) {
	iters := 300
	if testing.Short() {
		iters = 60
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			g := gen{rand.New(rand.NewPCG(1, uint64(len(name))))}
			for it := 0; it < iters; it++ {
				p := g.params(name)
				a, err := New(name, p)
				if err != nil {
					t.Fatalf("%+v: %v", p, err)
				}
				p = a.Params()
				bs := g.chain(p, 30)
				r := NewRing(len(bs))
				for i := range bs {
					r.Push(bs[i])
					got := a.Next(r)
					want := twins[name](p, bs[:i+1])
					if !got.Eq(&want) {
						t.Fatalf("iteration %d, tip %d: Next %#x, twin %#x\nparams %+v\nchain %v", it, i, &got, &want, p, bs[:i+1])
					}
					if got.IsZero() || got.Gt(&p.Limit) {
						t.Fatalf("target %#x outside [1, %#x]", &got, &p.Limit)
					}
				}
			}
		})
	}
}

// TestSteppers: every Stepper equals Next over the same blocks, block by
// block, on random and hostile sequences long enough to slide windows.
func TestSteppers(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 120
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			g := gen{rand.New(rand.NewPCG(2, uint64(len(name))))}
			for it := 0; it < 40; it++ {
				p := g.params(name)
				a := mustNew(t, name, p)
				s := NewStepper(a)
				bs := g.chain(a.Params(), n)
				if it%2 == 0 { // mostly well-behaved: the fast paths
					for i := 1; i < len(bs); i++ {
						bs[i].Time = bs[i-1].Time + g.r.Int64N(3*p.BlockTime) + 1
						if g.r.IntN(50) == 0 {
							bs[i].Time = bs[i-1].Time - g.r.Int64N(3*p.BlockTime)
						}
					}
				}
				r := NewRing(len(bs))
				for i, b := range bs {
					s.Add(b)
					r.Push(b)
					got, want := s.Next(), a.Next(r)
					if !got.Eq(&want) {
						t.Fatalf("iteration %d, block %d: stepper %#x, Next %#x (params %+v)", it, i, &got, &want, a.Params())
					}
				}
			}
		})
	}
}

func TestIncremental(t *testing.T) {
	for _, name := range []string{"lwma", "dgw"} {
		a := mustNew(t, name, Params{BlockTime: 600, Limit: maxTarget})
		if _, ok := a.(Incremental); !ok {
			t.Errorf("%s is not Incremental", name)
		}
	}
}

func TestCompact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(bits uint32) {
		got, err := BitsToTarget(bits)
		want, ok := twinBitsToTarget(bits)
		if (err == nil) != ok {
			t.Fatalf("%#08x: error %v, twin valid %v", bits, err, ok)
		}
		if ok && got.ToBig().Cmp(want) != 0 {
			t.Fatalf("%#08x: %#x, twin %#x", bits, &got, want)
		}
		if ok && TargetToBits(&got) != twinTargetToBits(want) {
			t.Fatalf("%#08x: re-encoded %#08x, twin %#08x", bits, TargetToBits(&got), twinTargetToBits(want))
		}
	}
	for _, b := range []uint32{0, 1, 0x1d00ffff, 0x1a2b3c4d, 0x01010000, 0x1802aee8, 0x00800000, 0x01800000, 0x20ffffff, 0x2100ffff, 0x22000001, 0x23000001, 0x04800000, 0xff000000, 0x217fffff, 0x227fffff} {
		check(b)
	}
	for i := 0; i < 20000; i++ {
		check(r.Uint32())
		check(uint32(r.IntN(36))<<24 | r.Uint32()&0xffffff)
	}
	g := gen{r}
	for i := 0; i < 20000; i++ {
		x := g.target(&maxTarget)
		if got, want := TargetToBits(&x), twinTargetToBits(x.ToBig()); got != want {
			t.Fatalf("%#x: %#08x, twin %#08x", &x, got, want)
		}
		if x.IsZero() {
			continue
		}
		rt := RoundTarget(&x)
		if rt.Gt(&x) || rt.IsZero() {
			t.Fatalf("%#x rounds to %#x", &x, &rt)
		}
	}
	// Bitcoin's well-known pairs
	for bits, hex := range map[uint32]string{
		0x1d00ffff: "00000000ffff0000000000000000000000000000000000000000000000000000",
		0x1b0404cb: "00000000000404cb000000000000000000000000000000000000000000000000",
		0x207fffff: "7fffff0000000000000000000000000000000000000000000000000000000000",
	} {
		want, _ := new(big.Int).SetString(hex, 16)
		got := mustBits(t, bits)
		if got.ToBig().Cmp(want) != 0 || TargetToBits(&got) != bits {
			t.Errorf("%#08x: %#x", bits, &got)
		}
	}
}

func TestRing(t *testing.T) {
	r := NewRing(3)
	if _, ok := r.Ancestor(0); ok || r.Tip() != (Block{}) {
		t.Fatal("empty ring answers")
	}
	for h := uint64(10); h < 20; h++ {
		r.Push(Block{Height: h, Time: int64(h)})
	}
	for h, want := range map[uint64]bool{10: true, 11: false, 16: false, 17: true, 18: true, 19: true, 20: false} {
		b, ok := r.Ancestor(h)
		if ok != want || (ok && b.Height != h) {
			t.Errorf("Ancestor(%d) = %v, %v", h, b.Height, ok)
		}
	}
	if r.Tip().Height != 19 || r.Len() != 10 {
		t.Errorf("tip %d, len %d", r.Tip().Height, r.Len())
	}
}

func TestNewErrors(t *testing.T) {
	lim := *uint256.NewInt(1000)
	for _, tt := range []struct {
		name string
		algo string
		p    Params
	}{
		{"unknown", "nope", Params{BlockTime: 1, Limit: lim}},
		{"zero block time", "asert", Params{Limit: lim}},
		{"zero limit", "asert", Params{BlockTime: 1}},
		{"initial above limit", "asert", Params{BlockTime: 1, Limit: lim, Initial: *uint256.NewInt(1001)}},
		{"negative half-life", "asert", Params{BlockTime: 1, Limit: lim, HalfLife: -1}},
		{"huge bitcoin timespan", "bitcoin", Params{BlockTime: 1 << 62, Limit: lim}},
		{"huge lwma window", "lwma", Params{BlockTime: 1, Limit: lim, Window: 1 << 40}},
		{"dgw window 1", "dgw", Params{BlockTime: 1, Limit: lim, Window: 1}},
		{"huge ema", "ema", Params{BlockTime: 1 << 62, Limit: lim}},
	} {
		if _, err := New(tt.algo, tt.p); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// ---- fuzz ----

// FuzzNext drives every algorithm and its Stepper over a chain decoded
// from the input and compares them with the twins.
func FuzzNext(f *testing.F) {
	f.Add(uint64(1), uint64(2), uint8(0))
	f.Add(uint64(0), uint64(0), uint8(1))
	f.Add(uint64(math.MaxUint64), uint64(42), uint8(2))
	f.Fuzz(func(t *testing.T, s1, s2 uint64, mode uint8) {
		g := gen{rand.New(rand.NewPCG(s1, s2))}
		name := Names()[int(mode)%len(Names())]
		p := g.params(name)
		a, err := New(name, p)
		if err != nil {
			t.Skip(err)
		}
		bs := g.chain(a.Params(), 40)
		r := NewRing(len(bs))
		st := NewStepper(a)
		for i, b := range bs {
			r.Push(b)
			st.Add(b)
			got, want, step := a.Next(r), twins[name](a.Params(), bs[:i+1]), st.Next()
			if !got.Eq(&want) || !step.Eq(&got) {
				t.Fatalf("%s block %d: Next %#x, twin %#x, stepper %#x", name, i, &got, &want, &step)
			}
		}
	})
}

func FuzzCompact(f *testing.F) {
	for _, b := range []uint32{0, 0x1d00ffff, 0x00800000, 0x22000001, 0x217fffff} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bits uint32) {
		got, err := BitsToTarget(bits)
		want, ok := twinBitsToTarget(bits)
		if (err == nil) != ok || (ok && got.ToBig().Cmp(want) != 0) {
			t.Fatalf("%#08x: %#x %v, twin %#x %v", bits, &got, err, want, ok)
		}
	})
}

// TestRecip: division by a reciprocal against math/big, for every divisor
// dgw uses and random ones, on random 320-bit numerators.
func TestRecip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ds := []uint64{1, 2, 3, 24, 25, 1 << 63, math.MaxUint64}
	for i := 0; i < 50; i++ {
		ds = append(ds, r.Uint64()>>r.IntN(64)|1)
	}
	for _, d := range ds {
		rc := newRecip(d)
		for i := 0; i < 200; i++ {
			var lo uint256.Int
			for k := range lo {
				lo[k] = r.Uint64()
			}
			if i%3 == 0 {
				lo.Rsh(&lo, uint(r.IntN(256)))
			}
			hi := r.Uint64() % d
			var q uint256.Int
			rc.div320(&q, &lo, hi)
			num := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 256)
			num.Add(num, lo.ToBig())
			want := num.Quo(num, new(big.Int).SetUint64(d))
			if q.ToBig().Cmp(want) != 0 {
				t.Fatalf("(%d·2^256 + %#x) / %d = %#x, want %#x", hi, &lo, d, &q, want)
			}
		}
	}
}

// TestLWMAWideDivisor: N·k above 2^64 takes the general division; both
// paths agree with the twin.
func TestLWMAWideDivisor(t *testing.T) {
	for _, p := range []Params{
		{Window: 1 << 12, BlockTime: 1 << 30, Limit: maxTarget}, // N·k ≈ 2^65
		{Window: 1 << 12, BlockTime: 600, Limit: maxTarget},     // N·k ≈ 2^44
	} {
		a := mustNew(t, "lwma", p)
		if wide := !a.(*lwma).nk.IsUint64(); wide != (p.BlockTime > 600) {
			t.Fatalf("T=%d: wide divisor %v", p.BlockTime, wide)
		}
		g := gen{rand.New(rand.NewPCG(9, uint64(p.BlockTime)))}
		bs := make([]Block, p.Window+3)
		var small uint256.Int
		small.Lsh(uint256.NewInt(1), 200)
		for i := range bs {
			bs[i] = Block{Height: uint64(i), Time: int64(i) * p.BlockTime, Target: g.target(&small)}
		}
		r := NewRing(len(bs))
		s := NewStepper(a)
		for i, b := range bs {
			r.Push(b)
			s.Add(b)
			if i < int(p.Window) { // Initial until the window fills
				continue
			}
			got, want, step := a.Next(r), twinLWMA(a.Params(), bs[:i+1]), s.Next()
			if !got.Eq(&want) || !step.Eq(&got) || got.Eq(&p.Limit) {
				t.Fatalf("T=%d, block %d: Next %#x, twin %#x, stepper %#x", p.BlockTime, i, &got, &want, &step)
			}
		}
	}
}
