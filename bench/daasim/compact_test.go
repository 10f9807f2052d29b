package daasim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
)

// bitsDifficulty against 2^256/(target+1) computed with math/big.
func TestBitsDifficulty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(tgt *uint256.Int) {
		t.Helper()
		c := daa.TargetToBits(tgt)
		want, err := daa.BitsToTarget(c)
		if err != nil {
			return
		}
		d := bitsDifficulty(c)
		exact := new(big.Float).Quo(new(big.Float).SetMantExp(big.NewFloat(1), 256), new(big.Float).SetInt(new(big.Int).Add(want.ToBig(), big.NewInt(1))))
		if ef, _ := exact.Float64(); math.Abs(d/ef-1) > 1e-12 {
			t.Fatalf("bitsDifficulty(%08x) = %g, want %g", c, d, ef)
		}
	}
	for range 5000 {
		var tgt uint256.Int
		tgt.SetUint64(rng.Uint64() | 1)
		tgt.Lsh(&tgt, uint(rng.IntN(193)))
		tgt.Rsh(&tgt, uint(rng.IntN(64)))
		check(&tgt)
	}
	for _, v := range []uint64{1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffff, 0x800000, 0xffffff, 0x1000000} {
		check(uint256.NewInt(v))
	}
	if l := limitTarget(); daa.TargetToBits(&l) != limitBits {
		t.Fatalf("limit %#x encodes as %08x, want %08x", &l, daa.TargetToBits(&l), limitBits)
	}
}

func TestTargetForDifficulty(t *testing.T) {
	for _, d := range []float64{1 << 20, 600 * (1 << 40), 0.1 * (1 << 40), 3.1e7 * (1 << 40)} {
		tgt := targetForDifficulty(d)
		got := bitsDifficulty(daa.TargetToBits(&tgt))
		// The compact form keeps at least 15 significant bits.
		if math.Abs(got/d-1) > 1.0/(1<<15) {
			t.Errorf("difficulty %g: target %#x has difficulty %g", d, &tgt, got)
		}
	}
}
