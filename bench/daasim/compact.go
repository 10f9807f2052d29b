package daasim

import (
	"math"
	"math/bits"

	"github.com/holiman/uint256"
)

// The compact ("bits") form of a target, as a chain stores it: a 3-byte
// mantissa and a byte count, mantissa × 256^(size−3). This is Bitcoin
// Core's GetCompact/SetCompact (arith_uint256.cpp) on 256-bit integers,
// without the sign bit (targets are positive). The simulator rounds every
// target through it, so an algorithm sees what it would see on a chain.

// targetToBits encodes t, rounding down to the mantissa's 23 bits.
func targetToBits(t *uint256.Int) uint32 {
	size := uint((t.BitLen() + 7) / 8)
	var c uint64
	if size <= 3 {
		c = t.Uint64() << (8 * (3 - size))
	} else {
		var s uint256.Int
		s.Rsh(t, 8*(size-3))
		c = s.Uint64()
	}
	// A mantissa with its top bit set would read as negative: move a byte
	// into the exponent.
	if c&0x00800000 != 0 {
		c >>= 8
		size++
	}
	return uint32(c) | uint32(size)<<24
}

// bitsToTarget decodes bits. The sign bit is ignored; a size past 32 bytes
// (never produced by targetToBits) saturates to the largest target.
func bitsToTarget(c uint32) uint256.Int {
	size := uint(c >> 24)
	word := uint64(c & 0x007fffff)
	var t uint256.Int
	switch {
	case size <= 3:
		t.SetUint64(word >> (8 * (3 - size)))
	case overflowsLsh(word, 8*(size-3)):
		t.SetAllOne()
	default:
		t.SetUint64(word)
		t.Lsh(&t, 8*(size-3))
	}
	return t
}

func overflowsLsh(word uint64, shift uint) bool {
	return word != 0 && uint(bits.Len64(word))+shift > 256
}

// bitsDifficulty is the work of a block at bits, 2^256 ÷ (target+1), in
// floating point (for statistics and the simulated clock only).
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
// ⌊2^256 ÷ d⌋ − 1, rounded through the compact form.
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
	return bitsToTarget(targetToBits(&t))
}
