package daasim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain"
)

// The fast uint256 codec against chain's math/big one (Bitcoin Core's
// rules), on random targets of every size and known vectors.
func TestCompactMatchesChain(t *testing.T) {
	check := func(tgt *uint256.Int) {
		t.Helper()
		got := targetToBits(tgt)
		if want := chain.TargetBits(tgt.ToBig()); got != want {
			t.Fatalf("targetToBits(%#x) = %08x, chain says %08x", tgt, got, want)
		}
		back := bitsToTarget(got)
		want, err := chain.BitsTarget(got)
		if err != nil {
			t.Fatalf("chain rejects %08x: %v", got, err)
		}
		if back.ToBig().Cmp(want) != 0 {
			t.Fatalf("bitsToTarget(%08x) = %#x, chain says %#x", got, &back, want)
		}
		if back.Gt(tgt) {
			t.Fatalf("%08x rounds %#x up to %#x", got, tgt, &back)
		}
		d := bitsDifficulty(got)
		exact := new(big.Float).Quo(new(big.Float).SetMantExp(big.NewFloat(1), 256), new(big.Float).SetInt(new(big.Int).Add(want, big.NewInt(1))))
		if ef, _ := exact.Float64(); math.Abs(d/ef-1) > 1e-12 {
			t.Fatalf("bitsDifficulty(%08x) = %g, want %g", got, d, ef)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var tgt uint256.Int
		tgt.SetUint64(rng.Uint64() | 1)
		tgt.Lsh(&tgt, uint(rng.IntN(193)))
		tgt.Rsh(&tgt, uint(rng.IntN(64)))
		if tgt.IsZero() {
			continue
		}
		check(&tgt)
	}
	for _, v := range []uint64{1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffff, 0x800000, 0xffffff, 0x1000000} {
		check(uint256.NewInt(v))
	}
	// Bitcoin's genesis target and its bits.
	gen := bitsToTarget(0x1d00ffff)
	if targetToBits(&gen) != 0x1d00ffff {
		t.Fatalf("genesis bits round trip: %08x", targetToBits(&gen))
	}
	if l := bitsToTarget(limitBits); l.BitLen() != 241 || !l.Eq(new(uint256.Int).Lsh(uint256.NewInt(1), 240)) {
		t.Fatalf("limit %#x is not 2^240", &l)
	}
}

func TestTargetForDifficulty(t *testing.T) {
	for _, d := range []float64{1 << 20, 600 * (1 << 40), 0.1 * (1 << 40), 3.1e7 * (1 << 40)} {
		tgt := targetForDifficulty(d)
		got := bitsDifficulty(targetToBits(&tgt))
		// The compact form keeps at least 15 significant bits.
		if math.Abs(got/d-1) > 1.0/(1<<15) {
			t.Errorf("difficulty %g: target %#x has difficulty %g", d, &tgt, got)
		}
	}
}

func FuzzCompact(f *testing.F) {
	for _, s := range []uint64{1, 0x800000, 0x1d00ffff, 1 << 63} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(180))
	}
	f.Fuzz(func(t *testing.T, v uint64, shift uint8) {
		var tgt uint256.Int
		tgt.SetUint64(v)
		tgt.Lsh(&tgt, uint(shift))
		got := targetToBits(&tgt)
		if want := chain.TargetBits(tgt.ToBig()); got != want {
			t.Fatalf("targetToBits(%#x) = %08x, chain says %08x", &tgt, got, want)
		}
		back := bitsToTarget(got)
		if want, err := chain.BitsTarget(got); err == nil && back.ToBig().Cmp(want) != 0 {
			t.Fatalf("bitsToTarget(%08x) = %#x, chain says %#x", got, &back, want)
		}
	})
}
