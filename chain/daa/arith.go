package daa

import (
	"math"
	"math/bits"

	"github.com/holiman/uint256"
)

// Integer helpers shared by the algorithms. All are allocation-free.

// clampTarget bounds t to [1, limit]: every algorithm's last step.
func clampTarget(t *uint256.Int, limit *uint256.Int) uint256.Int {
	switch {
	case t.IsZero():
		return *uint256.NewInt(1)
	case t.Gt(limit):
		return *limit
	}
	return *t
}

// mulDivCapped is x·y/d with a 512-bit intermediate, or limit when the
// quotient does not fit 256 bits (and so is above any limit). d must not
// be zero.
func mulDivCapped(x, y, d, limit *uint256.Int) uint256.Int {
	var z uint256.Int
	if _, overflow := z.MulDivOverflow(x, y, d); overflow {
		return *limit
	}
	return clampTarget(&z, limit)
}

// mul64 is x·y as a 320-bit number: the low 256 bits and the top word.
func mul64(x *uint256.Int, y uint64) (lo uint256.Int, hi uint64) {
	var carry uint64
	for i := 0; i < 4; i++ {
		h, l := bits.Mul64(x[i], y)
		var c uint64
		lo[i], c = bits.Add64(l, carry, 0)
		carry = h + c
	}
	return lo, carry
}

// subTicks is a-b saturated to the int64 range (hostile timestamps can be
// 2^64 apart).
func subTicks(a, b int64) int64 {
	d := a - b
	if (a >= 0) != (b >= 0) && (d >= 0) != (a >= 0) {
		if a >= 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return d
}

// fitsMul reports whether a·b fits an int64 (a, b >= 0).
func fitsMul(a, b uint64) bool {
	hi, lo := bits.Mul64(a, b)
	return hi == 0 && lo <= math.MaxInt64
}

// u256 is x as a uint256 (x >= 0).
func u256(x int64) uint256.Int { return *uint256.NewInt(uint64(x)) }

// recip divides by a fixed 64-bit divisor with a precomputed reciprocal
// instead of the hardware divide (Möller and Granlund, "Improved division
// by invariant integers", IEEE Trans. Computers 2011, algorithm 4): a
// multiply and a few adds per 64-bit limb. dgw divides by the same small
// numbers for every block.
type recip struct {
	d uint64 // the divisor shifted left until its top bit is set
	v uint64 // ⌊(2^128-1)/d⌋ - 2^64
	s uint   // the shift
}

func newRecip(d uint64) recip {
	s := uint(bits.LeadingZeros64(d))
	dn := d << s
	v, _ := bits.Div64(^dn, ^uint64(0), dn)
	return recip{d: dn, v: v, s: s}
}

// divrem2by1 is (u1·2^64 + u0) / d and the remainder, for u1 < d.
func (r *recip) divrem2by1(u1, u0 uint64) (q, rem uint64) {
	qh, ql := bits.Mul64(r.v, u1)
	var c uint64
	ql, c = bits.Add64(ql, u0, 0)
	qh, _ = bits.Add64(qh, u1, c)
	qh++
	rem = u0 - qh*r.d
	if rem > ql {
		qh--
		rem += r.d
	}
	if rem >= r.d {
		qh++
		rem -= r.d
	}
	return qh, rem
}

// div320 is (hi·2^256 + lo) / d, for hi < d (the quotient fits 256 bits),
// into q. Shifts by 64 give 0 in Go, which the s = 0 case relies on.
func (r *recip) div320(q, lo *uint256.Int, hi uint64) {
	s := r.s
	rem := hi<<s | lo[3]>>(64-s)
	q[3], rem = r.divrem2by1(rem, lo[3]<<s|lo[2]>>(64-s))
	q[2], rem = r.divrem2by1(rem, lo[2]<<s|lo[1]>>(64-s))
	q[1], rem = r.divrem2by1(rem, lo[1]<<s|lo[0]>>(64-s))
	q[0], _ = r.divrem2by1(rem, lo[0]<<s)
}
