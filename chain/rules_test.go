package chain

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/powlab/powlab/miner"
)

func TestMerkleRootMatchesSlowTwin(t *testing.T) {
	for n := 0; n <= 33; n++ {
		txs := make([]Tx, n)
		for i := range txs {
			txs[i] = Tx{Sender: fmt.Sprint("s", i), Recipient: "r", Amount: Int(int64(i + 1))}
		}
		if got, want := MerkleRoot(txs), merkleRootSlow(txs); got != want {
			t.Fatalf("%d transactions: %s, slow twin %s", n, got, want)
		}
	}
	// A list and the same list with its last transaction repeated differ
	// (Bitcoin's duplicate-last rule would make them collide).
	a := []Tx{{"a", "b", Int(1)}, {"c", "d", Int(2)}, {"e", "f", Int(3)}}
	if MerkleRoot(a) == MerkleRoot(append(a, a[2])) {
		t.Fatal("duplicate-last collision")
	}
}

func TestCompact(t *testing.T) {
	tests := []struct {
		name  string
		bound *big.Int
		want  string // String() of the rounded Compact
		exact bool
	}{
		{"bits 16", new(big.Int).Lsh(big.NewInt(1), 240), "bits 16", true},
		{"bits 1", new(big.Int).Lsh(big.NewInt(1), 255), "bits 1", true},
		{"above the limit is capped", new(big.Int).Lsh(big.NewInt(1), 256), "bits 1", false},
		{"three times 2^200", new(big.Int).Lsh(big.NewInt(3), 200), "threshold " + fmt.Sprintf("%064x", new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(3), 200), big.NewInt(1))), true},
		{"smallest", big.NewInt(1), "threshold " + fmt.Sprintf("%064x", 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := CompactFromBound(tt.bound)
			if !ok || !c.Valid() {
				t.Fatalf("CompactFromBound: %v %v", c, ok)
			}
			if c.String() != tt.want {
				t.Fatalf("got %s, want %s", c, tt.want)
			}
			if (c.Bound().Cmp(tt.bound) == 0) != tt.exact {
				t.Fatalf("bound %x, exact=%v", c.Bound(), tt.exact)
			}
			back, err := ParseCompactHex(c.Hex())
			if err != nil || back != c {
				t.Fatalf("hex round trip: %v %v", back, err)
			}
			// The miner target accepts exactly the hashes <= Max.
			max := c.Max()
			if !c.Target().Meets(max) {
				t.Fatal("Max does not meet the target")
			}
			over := new(big.Int).SetBytes(max[:])
			over.Add(over, big.NewInt(1))
			if over.BitLen() <= 256 {
				var h [32]byte
				over.FillBytes(h[:])
				if c.Target().Meets(h) {
					t.Fatal("Max+1 meets the target")
				}
			}
		})
	}
	// A bound with 25 significant bits is rounded down.
	b := new(big.Int).SetUint64(1<<24 + 1)
	b.Lsh(b, 100)
	c, _ := CompactFromBound(b)
	if c.Bound().Cmp(b) >= 0 || !c.Valid() {
		t.Fatalf("rounding: %x -> %x", b, c.Bound())
	}
	if _, err := ParseCompactHex(fmt.Sprintf("%064x", b)); err == nil {
		t.Fatal("non-canonical target accepted")
	}
	if Compact(0x01000001).Valid() { // M=2, E=1: the canonical form is M=1, E=2
		t.Fatal("non-canonical Compact is Valid")
	}
	if Compact(0xFF000001).Valid() {
		t.Fatal("2^256 accepted")
	}
}

func TestCompactFromTarget(t *testing.T) {
	tests := []struct {
		name, target, want string
		ok                 bool
	}{
		{"zero prefix", "prefix 0000", "bits 16", true},
		{"bits", "bits 20", "bits 20", true},
		{"other prefix", "prefix 00001111", "", false},
		{"suffix", "suffix 01010", "", false},
		{"threshold", "threshold 0000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "bits 16", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, err := ParseTargetText(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			c, err := CompactFromTarget(mt)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if tt.ok && c.String() != tt.want {
				t.Fatalf("got %s, want %s", c, tt.want)
			}
		})
	}
}

// hdr is a HeaderCtx for retarget tests.
type hdr struct {
	h      uint64
	ts     float64
	bits   Compact
	parent *hdr
}

func (x *hdr) Height() uint64     { return x.h }
func (x *hdr) Timestamp() float64 { return x.ts }
func (x *hdr) Bits() Compact      { return x.bits }
func (x *hdr) Parent() HeaderCtx {
	if x.parent == nil {
		return nil
	}
	return x.parent
}

// headers builds a chain of n headers whose timestamps are ts(i), i = 1..n.
func headers(n int, bits Compact, ts func(i int) float64) *hdr {
	var tip *hdr
	for i := 1; i <= n; i++ {
		tip = &hdr{h: uint64(i), ts: ts(i), bits: bits, parent: tip}
	}
	return tip
}

func TestMedianTime(t *testing.T) {
	tip := headers(20, 0, func(i int) float64 { return float64(i % 7) })
	// Heights 10..20 have i%7 = 3 4 5 6 0 1 2 3 4 5 6: the median is 4.
	if got := MedianTime(tip); got != 4 {
		t.Fatalf("MedianTime = %v, want 4", got)
	}
	if got := MedianTime(headers(1, 0, func(int) float64 { return 7 })); got != 7 {
		t.Fatalf("one block: %v", got)
	}
}

func TestForkAndBetter(t *testing.T) {
	base := headers(5, 0, func(i int) float64 { return float64(i) })
	a := &hdr{h: 6, parent: base}
	a = &hdr{h: 7, parent: a}
	b := &hdr{h: 6, ts: 1, parent: base}
	same := func(x, y HeaderCtx) bool { return x == y }
	common, aAbove, bAbove := Fork(a, b, same)
	if common != HeaderCtx(base) || aAbove != 2 || bAbove != 1 {
		t.Fatalf("Fork = %v %d %d", common, aAbove, bAbove)
	}
	work := func(HeaderCtx) Work { return WorkOf(16) }
	if CumulativeWork(a, work) != WorkOf(7*16) {
		t.Fatal("CumulativeWork")
	}
	if Better(WorkOf(5), WorkOf(5)) || !Better(WorkOf(6), WorkOf(5)) {
		t.Fatal("Better: a tie must keep the current chain")
	}
}

func TestParamsJSON(t *testing.T) {
	for _, name := range []string{RulesTutorial, RulesPowlab} {
		p := DefaultParams(name)
		p.RetargetInterval = 7
		b, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var q Params
		if err := q.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if !p.Equal(q) {
			t.Fatalf("%s: %v != %v", name, p, q)
		}
	}
	bad := DefaultParams(RulesPowlab)
	bad.Target = miner.MustPrefix("00001111")
	if err := bad.Validate(); err == nil {
		t.Fatal("powlab rules accepted a non-zero prefix")
	}
}
