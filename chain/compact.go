package chain

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"math/bits"
	"strings"

	"github.com/powlab/powlab/miner"
)

// Compact is a powlab-rules target in the 4 bytes the block header carries:
// a block's hash, read as a 256-bit big-endian number, must be below the
// bound M·2^E. The high byte is E and the low 24 bits are M-1, so M runs
// from 1 to 2^24. "n leading zero bits" is exactly M=1, E=256-n, and a
// retarget can move the bound in steps of one part in 2^23 or finer.
//
// A Compact is canonical when M is odd or E is 0, so every bound has one
// encoding; the bound is at most 2^255 (one leading zero bit, MaxBound).
type Compact uint32

// MaxBoundBits is log2 of the easiest bound any powlab target may have.
const MaxBoundBits = 255

var maxBound = new(big.Int).Lsh(big.NewInt(1), MaxBoundBits)

func (c Compact) parts() (m uint64, e uint) { return uint64(c&0xFFFFFF) + 1, uint(c >> 24) }

// Bound is M·2^E.
func (c Compact) Bound() *big.Int {
	m, e := c.parts()
	return new(big.Int).Lsh(new(big.Int).SetUint64(m), e)
}

// Valid reports whether c is canonical and its bound at most 2^255.
func (c Compact) Valid() bool {
	m, e := c.parts()
	if e > 0 && m%2 == 0 {
		return false
	}
	// The bound m·2^e has bits.Len64(m)+e bits; 2^255 (m = 1) has 256.
	n := uint(bits.Len64(m)) + e
	return n <= MaxBoundBits || (n == MaxBoundBits+1 && m == 1)
}

// CompactFromBound rounds bound down to the nearest Compact. Bounds above
// 2^255 become 2^255; ok is false for a bound below 1.
func CompactFromBound(bound *big.Int) (c Compact, ok bool) {
	if bound.Sign() <= 0 {
		return 0, false
	}
	if bound.Cmp(maxBound) > 0 {
		bound = maxBound
	}
	var e uint
	if n := bound.BitLen(); n > 24 {
		e = uint(n - 24)
	}
	m := new(big.Int).Rsh(bound, e).Uint64() // 1 <= m < 2^24
	for m%2 == 0 && e > 0 && e < 255 {
		m >>= 1
		e++
	}
	return Compact(uint32(e)<<24 | uint32(m-1)), true
}

// ZeroBitsCompact is the target "at least n leading zero bits", 1 <= n <= 256.
func ZeroBitsCompact(n int) (Compact, error) {
	if n < 1 || n > 256 {
		return 0, fmt.Errorf("%w: %d zero bits: must be between 1 and 256", miner.ErrBadTarget, n)
	}
	return Compact(uint32(256-n) << 24), nil
}

// CompactFromTarget converts a miner target to powlab's form. Leading zero
// bits, a hex prefix of zeros and a threshold whose bound (max+1) is exactly
// representable convert; other hex patterns cannot be stated as a bound.
func CompactFromTarget(t miner.Target) (Compact, error) {
	switch t.Kind() {
	case miner.ZeroBits:
		return ZeroBitsCompact(t.Bits())
	case miner.HexPrefix:
		if strings.Trim(t.Pattern(), "0") != "" {
			return 0, fmt.Errorf("%w: powlab rules need a target that is a bound on the hash: a prefix of zeros or --bits, not %s", miner.ErrBadTarget, t)
		}
		return ZeroBitsCompact(4 * len(t.Pattern()))
	case miner.Threshold:
		max := t.Max()
		b := new(big.Int).SetBytes(max[:])
		b.Add(b, big.NewInt(1))
		c, ok := CompactFromBound(b)
		if !ok || c.Bound().Cmp(b) != 0 {
			return 0, fmt.Errorf("%w: threshold %x is not representable as a powlab target (M·2^E with M < 2^24, at most 2^255)", miner.ErrBadTarget, max)
		}
		return c, nil
	}
	return 0, fmt.Errorf("%w: powlab rules need --bits, a zero --prefix or --threshold, not %s", miner.ErrBadTarget, t)
}

// Max is the largest hash that meets c: Bound-1 as 32 big-endian bytes.
func (c Compact) Max() [32]byte {
	var out [32]byte
	b := c.Bound()
	b.Sub(b, big.NewInt(1))
	b.FillBytes(out[:])
	return out
}

// Target is c as a miner target: ZeroBits when M is 1 (the kernels' fast
// masked test), otherwise the equivalent threshold.
func (c Compact) Target() miner.Target {
	m, e := c.parts()
	if m == 1 && e < 256 && e >= 1 {
		t, err := miner.ZeroBitsTarget(256 - int(e))
		if err == nil {
			return t
		}
	}
	return miner.ThresholdTarget(c.Max())
}

// Work is the exact work of a block that met c: 2^256 / Bound, rounded
// down, the same as TargetWork(c.Target()). It is a long division of
// 2^(256-E) by M (M < 2^25 fits one limb), so it never allocates.
func (c Compact) Work() Work {
	m, e := c.parts()
	var n Work
	k := 256 - e // e <= 255, so 1 <= k <= 256
	n[k/64] = 1 << (k % 64)
	var q Work
	var rem uint64
	for i := len(n) - 1; i >= 0; i-- {
		q[i], rem = bits.Div64(rem, n[i], m) // rem < m: no overflow
	}
	return q
}

// Hex is Max in 64 lower-case hex digits: the form blocks carry in JSON.
func (c Compact) Hex() string {
	m := c.Max()
	return hex.EncodeToString(m[:])
}

// String describes c: "bits 16" for a pure zero-bit target, else its hex.
func (c Compact) String() string {
	m, e := c.parts()
	if m == 1 && e >= 1 {
		return fmt.Sprintf("bits %d", 256-int(e))
	}
	return "threshold " + c.Hex()
}

// ParseCompactHex parses the JSON form (Max in 64 lower-case hex digits);
// it must be exactly a canonical Compact's Max.
func ParseCompactHex(s string) (Compact, error) {
	if !isLowerHex(s, 64) {
		return 0, fmt.Errorf("target %.80q is not 64 lower-case hex digits", s)
	}
	b, _ := new(big.Int).SetString(s, 16)
	b.Add(b, big.NewInt(1))
	c, ok := CompactFromBound(b)
	if !ok || c.Bound().Cmp(b) != 0 {
		return 0, fmt.Errorf("target %s is not a canonical powlab target (max+1 must be M·2^E, M < 2^24, at most 2^255)", s)
	}
	return c, nil
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
