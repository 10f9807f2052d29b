package daa

import (
	"errors"
	"fmt"

	"github.com/holiman/uint256"
)

// ErrBadBits is returned for compact bits that encode no valid target:
// a negative number, one that overflows 256 bits, or zero.
var ErrBadBits = errors.New("invalid compact bits")

// BitsToTarget decodes compact bits as Bitcoin Core's
// arith_uint256::SetCompact does: an exponent byte E and a 23-bit mantissa
// M give M·256^(E-3). The encodings Core flags as negative (the mantissa's
// sign bit set with M ≠ 0) or as overflowing 256 bits are errors, and so is
// a zero target, which no block can meet.
func BitsToTarget(bits uint32) (uint256.Int, error) {
	var t uint256.Int
	size := bits >> 24
	word := bits & 0x007fffff
	switch {
	case word != 0 && bits&0x00800000 != 0:
		return t, fmt.Errorf("%w: %#08x is negative", ErrBadBits, bits)
	case word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)):
		return t, fmt.Errorf("%w: %#08x overflows 256 bits", ErrBadBits, bits)
	}
	if size <= 3 {
		t.SetUint64(uint64(word >> (8 * (3 - size))))
	} else {
		t.SetUint64(uint64(word))
		t.Lsh(&t, uint(8*(size-3)))
	}
	if t.IsZero() {
		return t, fmt.Errorf("%w: %#08x is a zero target", ErrBadBits, bits)
	}
	return t, nil
}

// TargetToBits encodes t as compact bits as Bitcoin Core's
// arith_uint256::GetCompact does: the three most significant bytes are
// kept and the rest truncated (so decoding gives at most t), and a
// mantissa whose top bit would read as a sign moves one byte down.
func TargetToBits(t *uint256.Int) uint32 {
	size := uint32(t.ByteLen())
	var word uint32
	if size <= 3 {
		word = uint32(t.Uint64() << (8 * (3 - size)))
	} else {
		var s uint256.Int
		s.Rsh(t, uint(8*(size-3)))
		word = uint32(s.Uint64())
	}
	if word&0x00800000 != 0 {
		word >>= 8
		size++
	}
	return word | size<<24
}

// RoundTarget is t rounded down to compact precision (what a chain that
// stores compact bits keeps); 0 stays 0.
func RoundTarget(t *uint256.Int) uint256.Int {
	if t.IsZero() {
		return uint256.Int{}
	}
	r, err := BitsToTarget(TargetToBits(t))
	if err != nil {
		return uint256.Int{} // unreachable: GetCompact's output always decodes
	}
	return r
}
