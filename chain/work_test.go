package chain

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/powlab/powlab/miner"
)

// TestWorkArithmetic compares Work's adds and compares with math/big on
// random values of every size, carries across limbs included.
func TestWorkArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func() *big.Int {
		x := new(big.Int)
		for range r.IntN(5) + 1 {
			x.Lsh(x, 64)
			v := r.Uint64()
			if r.IntN(3) == 0 {
				v = ^uint64(0) // carry chains
			}
			x.Or(x, new(big.Int).SetUint64(v))
		}
		return x.Rsh(x, uint(r.IntN(64)))
	}
	for range 5000 {
		a, b := rnd(), rnd()
		wa, wb := WorkFromBig(a), WorkFromBig(b)
		if wa.Big().Cmp(a) != 0 {
			t.Fatalf("round trip %x -> %x", a, wa.Big())
		}
		if got, want := wa.Cmp(wb), a.Cmp(b); got != want {
			t.Fatalf("Cmp(%x, %x) = %d, want %d", a, b, got, want)
		}
		sum := new(big.Int).Add(a, b)
		if sum.BitLen() <= 320 && wa.Add(wb).Big().Cmp(sum) != 0 {
			t.Fatalf("%x + %x = %x, want %x", a, b, wa.Add(wb).Big(), sum)
		}
	}
}

// TestWorkBeyondFloat: sums that float64 calls equal are told apart.
func TestWorkBeyondFloat(t *testing.T) {
	big53 := WorkOf(1 << 53)
	a := big53.Add(WorkOf(1)) // 2^53+1
	if a.Float64() != big53.Float64() {
		t.Fatal("float64 tells 2^53 and 2^53+1 apart; the test needs a value it cannot")
	}
	if !Better(a, big53) || Better(big53, a) || Better(a, a) {
		t.Fatal("exact fork choice wrong at 2^53")
	}
	// Two branches of per-block work 2^60 and 2^60+1 blocks: identical
	// float sums, different exact sums.
	var x, y Work
	var fx, fy float64
	for i := 0; i < 1000; i++ {
		x = x.Add(WorkOf(1 << 60))
		y = y.Add(WorkOf(1<<60 + 1))
		fx += float64(1 << 60)
		fy += float64(1<<60 + 1)
	}
	if fx != fy {
		t.Fatal("float sums differ; pick other values")
	}
	if !Better(y, x) {
		t.Fatalf("exact sums %s vs %s: the heavier branch lost", y, x)
	}
}

func TestTargetWork(t *testing.T) {
	bits24, _ := miner.ZeroBitsTarget(24)
	thr, _ := miner.ParseThreshold("00000000ffff" + strings.Repeat("0", 52))
	tests := []struct {
		name string
		t    miner.Target
		want string
	}{
		{"prefix 0000", miner.MustPrefix("0000"), "65536"},
		{"bits 24", bits24, "16777216"},
		// Bitcoin's difficulty 1: 2^256 / (0xffff·2^208 + 1) = 4295032833.
		{"difficulty 1", thr, "4295032833"},
	}
	for _, tc := range tests {
		if got := TargetWork(tc.t).String(); got != tc.want {
			t.Errorf("%s: work %s, want %s", tc.name, got, tc.want)
		}
	}
	// The zero threshold: every one of 2^256 values but one fails.
	zero, _ := miner.ParseThreshold("0")
	if got := TargetWork(zero).Big(); got.Cmp(two256) != 0 {
		t.Errorf("zero target: work %x, want 2^256", got)
	}
}

func TestWorkJSON(t *testing.T) {
	w := WorkOf(1 << 60).Add(WorkOf(1 << 60)).Add(WorkOf(3))
	b, err := json.Marshal(struct{ W Work }{w})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"W":"2305843009213693955"}` {
		t.Fatalf("json %s", b)
	}
	var back struct{ W Work }
	if err := json.Unmarshal(b, &back); err != nil || back.W != w {
		t.Fatalf("back %v %v", back.W, err)
	}
	if err := json.Unmarshal([]byte(`{"W":"-1"}`), &back); err == nil {
		t.Fatal("negative work accepted")
	}
}
