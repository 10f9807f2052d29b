package daasim

import (
	"math"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
)

// Every target is rounded through Bitcoin's compact form
// (daa.TargetToBits, daa.BitsToTarget), as a chain stores it, so an
// algorithm sees what it would see on a chain.

// limitTarget is the easiest target allowed, 2^240 (limitBits).
func limitTarget() uint256.Int {
	var t uint256.Int
	t.Lsh(uint256.NewInt(1), 240)
	return t
}

// bitsDifficulty is the work of a block at compact bits c, 2^256 ÷
// (target+1), in floating point (for statistics and the simulated clock
// only).
func bitsDifficulty(c uint32) float64 {
	size := int(c >> 24)
	word := float64(c & 0x007fffff)
	var target float64
	if size <= 3 {
		target = math.Floor(word / math.Ldexp(1, 8*(3-size)))
	} else {
		target = math.Ldexp(word, 8*(size-3))
	}
	return math.Ldexp(1, 256) / (target + 1)
}

// targetForDifficulty is the target whose work is d hashes:
// ⌊2^256 ÷ d⌋ − 1, rounded down through the compact form.
func targetForDifficulty(d float64) uint256.Int {
	// 2^256/d as a float, split into a 53-bit mantissa and a shift so the
	// integer is built exactly from it.
	q := math.Ldexp(1, 256) / d
	frac, exp := math.Frexp(q) // q = frac × 2^exp, 0.5 <= frac < 1
	m := uint64(math.Ldexp(frac, 53))
	var t uint256.Int
	t.SetUint64(m)
	if exp > 53 {
		t.Lsh(&t, uint(exp-53))
	} else {
		t.Rsh(&t, uint(53-exp))
	}
	if !t.IsZero() {
		t.SubUint64(&t, 1)
	}
	r, err := daa.BitsToTarget(daa.TargetToBits(&t))
	if err != nil { // only for a zero target, far outside the configured range
		r.SetOne()
	}
	return r
}
