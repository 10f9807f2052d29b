package miner

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/powlab/powlab/miner/sha256x"
)

// TargetKind says how a Target tests a digest.
type TargetKind uint8

const (
	// HexPrefix: the hex digest starts with a pattern.
	HexPrefix TargetKind = iota + 1
	// HexSuffix: the hex digest ends with a pattern.
	HexSuffix
	// ZeroBits: the digest starts with n zero bits.
	ZeroBits
	// Threshold: the digest, a 256-bit big-endian number, is <= a bound.
	Threshold
)

func (k TargetKind) String() string {
	switch k {
	case HexPrefix:
		return "prefix"
	case HexSuffix:
		return "suffix"
	case ZeroBits:
		return "bits"
	case Threshold:
		return "threshold"
	}
	return "none"
}

// Target is a success condition on a SHA-256 digest. The zero value is not a
// valid target; build one with the constructors or parsers.
type Target struct {
	kind    TargetKind
	pattern string   // HexPrefix/HexSuffix: lower-case hex digits
	bits    int      // ZeroBits
	max     [32]byte // Threshold
}

// ErrBadTarget is wrapped by every target parse error.
var ErrBadTarget = errors.New("invalid target")

func checkHex(flag, s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: %s: empty pattern", ErrBadTarget, flag)
	}
	if len(s) > 64 {
		return "", fmt.Errorf("%w: %s: %d hex digits, a SHA-256 digest has 64", ErrBadTarget, flag, len(s))
	}
	for i, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return "", fmt.Errorf("%w: %s %s: %q at position %d is not a hex digit", ErrBadTarget, flag, s, r, i+1)
		}
	}
	return strings.ToLower(s), nil
}

// ParsePrefix parses a hex prefix pattern such as "000000" or "00001111".
func ParsePrefix(s string) (Target, error) {
	p, err := checkHex("--prefix", s)
	return Target{kind: HexPrefix, pattern: p}, err
}

// ParseSuffix parses a hex suffix pattern such as "01010".
func ParseSuffix(s string) (Target, error) {
	p, err := checkHex("--suffix", s)
	return Target{kind: HexSuffix, pattern: p}, err
}

// ZeroBitsTarget is the target "at least n leading zero bits", 1 <= n <= 256.
func ZeroBitsTarget(n int) (Target, error) {
	if n < 1 || n > 256 {
		return Target{}, fmt.Errorf("%w: --bits %d: must be between 1 and 256", ErrBadTarget, n)
	}
	return Target{kind: ZeroBits, bits: n}, nil
}

// ParseBits parses a leading-zero-bit count.
func ParseBits(s string) (Target, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return Target{}, fmt.Errorf("%w: --bits %q: not a whole number", ErrBadTarget, s)
	}
	return ZeroBitsTarget(n)
}

// ParseThreshold parses a 256-bit bound written in hex (up to 64 digits,
// optional 0x): the digest must be <= it.
func ParseThreshold(s string) (Target, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	p, err := checkHex("--threshold", t)
	if err != nil {
		return Target{}, err
	}
	p = strings.Repeat("0", 64-len(p)) + p
	var max [32]byte
	if _, err := hex.Decode(max[:], []byte(p)); err != nil {
		return Target{}, fmt.Errorf("%w: --threshold %s: %v", ErrBadTarget, s, err)
	}
	return ThresholdTarget(max), nil
}

// ThresholdTarget is the target digest <= max.
func ThresholdTarget(max [32]byte) Target { return Target{kind: Threshold, max: max} }

// MustPrefix is ParsePrefix for constants; it panics on a bad pattern.
func MustPrefix(s string) Target {
	t, err := ParsePrefix(s)
	if err != nil {
		panic(err)
	}
	return t
}

// Kind returns the target's kind.
func (t Target) Kind() TargetKind { return t.kind }

// Valid reports whether t was built by a constructor.
func (t Target) Valid() bool { return t.kind != 0 }

// Pattern is the hex pattern of a prefix or suffix target.
func (t Target) Pattern() string { return t.pattern }

// Bits is the bit count of a ZeroBits target.
func (t Target) Bits() int { return t.bits }

// Max is the bound of a Threshold target.
func (t Target) Max() [32]byte { return t.max }

// String gives the target as a flag would: "prefix 000000", "bits 24".
func (t Target) String() string {
	switch t.kind {
	case HexPrefix, HexSuffix:
		return t.kind.String() + " " + t.pattern
	case ZeroBits:
		return "bits " + strconv.Itoa(t.bits)
	case Threshold:
		return "threshold " + hex.EncodeToString(t.max[:])
	}
	return "none"
}

// Probability is the chance that one uniformly random digest meets t.
func (t Target) Probability() float64 {
	switch t.kind {
	case HexPrefix, HexSuffix:
		return math.Pow(16, -float64(len(t.pattern)))
	case ZeroBits:
		return math.Pow(2, -float64(t.bits))
	case Threshold:
		n := new(big.Int).SetBytes(t.max[:])
		n.Add(n, big.NewInt(1))
		f, _ := new(big.Float).SetInt(n).Float64()
		return math.Ldexp(f, -256)
	}
	return 0
}

// Solutions is the exact number of 256-bit digests that meet t: 16^(64-n)
// for an n-digit hex pattern, 2^(256-n) for n zero bits, max+1 for a
// threshold (1 for the zero Target).
func (t Target) Solutions() *big.Int {
	n := new(big.Int)
	switch t.kind {
	case HexPrefix, HexSuffix:
		return n.Lsh(big.NewInt(1), uint(256-4*len(t.pattern)))
	case ZeroBits:
		return n.Lsh(big.NewInt(1), uint(256-t.bits))
	case Threshold:
		n.SetBytes(t.max[:])
	}
	return n.Add(n, big.NewInt(1))
}

// ExpectedAttempts is 1/Probability: the mean of the geometric number of
// attempts to the first solution.
func (t Target) ExpectedAttempts() float64 { return 1 / t.Probability() }

// Work is ExpectedAttempts, the measure fork choice adds up.
func (t Target) Work() float64 { return t.ExpectedAttempts() }

// Meets reports whether digest d meets t.
func (t Target) Meets(d [32]byte) bool {
	c := t.Compile()
	return c.MeetsDigest(&d)
}

// Compile turns t into the kernels' word-level test.
func (t Target) Compile() sha256x.Target { return t.compile(false) }

// CompileReversed is Compile for a digest read byte-reversed, Bitcoin's
// order: a prefix, a number of zero bits or a threshold then speaks of the
// block hash as explorers show it.
func (t Target) CompileReversed() sha256x.Target { return t.compile(true) }

func (t Target) compile(reversed bool) sha256x.Target {
	if reversed && (t.kind == Threshold || t.kind == 0) {
		return sha256x.LEThresholdTarget(sha256x.DigestWords(&t.max))
	}
	var mask, want [32]byte
	switch t.kind {
	case HexPrefix, HexSuffix:
		off := 0
		if t.kind == HexSuffix {
			off = 64 - len(t.pattern)
		}
		for i := 0; i < len(t.pattern); i++ {
			nib := off + i
			v := hexVal(t.pattern[i])
			shift := uint(4)
			if nib%2 == 1 {
				shift = 0
			}
			mask[nib/2] |= 0xF << shift
			want[nib/2] |= v << shift
		}
	case ZeroBits:
		for i := 0; i < t.bits; i++ {
			mask[i/8] |= 0x80 >> uint(i%8)
		}
	case Threshold:
		return sha256x.ThresholdTarget(sha256x.DigestWords(&t.max))
	default:
		// The zero Target: only the all-zero digest would meet it.
		return sha256x.ThresholdTarget([8]uint32{})
	}
	if reversed {
		slices.Reverse(mask[:])
		slices.Reverse(want[:])
	}
	return sha256x.MaskedTarget(sha256x.DigestWords(&mask), sha256x.DigestWords(&want))
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// ErrBadCompact is wrapped by CompactTarget's errors.
var ErrBadCompact = errors.New("invalid compact bits")

// CompactTarget expands Bitcoin's compact target encoding (a header's
// "bits", Bitcoin Core's arith_uint256::SetCompact) into a Threshold
// target: the high byte is a byte count E, the low 23 bits a mantissa M, the
// bound M·256^(E-3). A set sign bit (0x00800000) with a non-zero mantissa,
// a bound over 256 bits, and a zero bound are errors: no hash can meet them
// in Bitcoin.
func CompactTarget(bits uint32) (Target, error) {
	exp := bits >> 24
	mant := bits & 0x007fffff
	switch {
	case mant != 0 && bits&0x00800000 != 0:
		return Target{}, fmt.Errorf("%w: %#08x is negative", ErrBadCompact, bits)
	case mant != 0 && (exp > 34 || (mant > 0xff && exp > 33) || (mant > 0xffff && exp > 32)):
		return Target{}, fmt.Errorf("%w: %#08x overflows 256 bits", ErrBadCompact, bits)
	}
	var max [32]byte
	if exp <= 3 {
		mant >>= 8 * (3 - exp)
		binary.BigEndian.PutUint32(max[28:], mant)
	} else {
		// M occupies bytes E-1, E-2, E-3 counted from the least significant;
		// bytes that fall past the top are zero (checked above).
		for i := uint32(0); i < 3; i++ {
			pos := 31 - int(exp-3+i) // byte of weight 256^(E-3+i)
			if pos >= 0 {
				max[pos] = byte(mant >> (8 * i))
			}
		}
	}
	if max == [32]byte{} {
		return Target{}, fmt.Errorf("%w: %#08x is a zero target", ErrBadCompact, bits)
	}
	return ThresholdTarget(max), nil
}
