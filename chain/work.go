package chain

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"sync/atomic"

	"github.com/powlab/powlab/miner"
)

// Work is an exact amount of proof of work: the expected number of hashes
// behind a block or a chain. A block's work is 2^256 / N, rounded down,
// where N is the number of 256-bit hashes that meet its target — for a
// threshold target T (hash <= T) that is Bitcoin's 2^256 / (T+1); for a
// prefix or zero-bit target of b bits it is exactly 2^b. A chain's work is
// the exact sum over its blocks.
//
// Work is a 320-bit unsigned integer in five little-endian 64-bit limbs: one
// block's work is at most 2^256, so a sum of 2^63 such blocks still fits.
// It is a comparable value with no pointers: adding and comparing never
// allocate, and fork choice never rounds.
type Work [5]uint64

// WorkFromBig converts x (0 <= x < 2^320) to Work; values outside that
// range saturate.
func WorkFromBig(x *big.Int) Work {
	var w Work
	if x.Sign() <= 0 {
		return w
	}
	if x.BitLen() > 320 {
		for i := range w {
			w[i] = math.MaxUint64
		}
		return w
	}
	var buf [40]byte
	x.FillBytes(buf[:])
	for i := range w {
		w[i] = binary.BigEndian.Uint64(buf[32-8*i:])
	}
	return w
}

// WorkOf is n as Work.
func WorkOf(n uint64) Work { return Work{n} }

// Big returns w as a new big.Int.
func (w Work) Big() *big.Int {
	x := new(big.Int)
	for i := len(w) - 1; i >= 0; i-- {
		x.Lsh(x, 64)
		x.Or(x, new(big.Int).SetUint64(w[i]))
	}
	return x
}

// Add returns w + x (saturating at 2^320-1, which no chain reaches).
func (w Work) Add(x Work) Work {
	var s Work
	var carry uint64
	for i := range w {
		s[i], carry = bits.Add64(w[i], x[i], carry)
	}
	if carry != 0 {
		for i := range s {
			s[i] = math.MaxUint64
		}
	}
	return s
}

// Cmp returns -1, 0 or +1 as w is below, equal to or above x.
func (w Work) Cmp(x Work) int {
	for i := len(w) - 1; i >= 0; i-- {
		switch {
		case w[i] < x[i]:
			return -1
		case w[i] > x[i]:
			return 1
		}
	}
	return 0
}

// IsZero reports whether w is 0.
func (w Work) IsZero() bool { return w == Work{} }

// Float64 is w rounded to a float64, for display and records only.
func (w Work) Float64() float64 {
	var f float64
	for i := len(w) - 1; i >= 0; i-- {
		f = f*0x1p64 + float64(w[i])
	}
	return f
}

// String is w in decimal.
func (w Work) String() string { return w.Big().String() }

// MarshalText writes w in decimal, so JSON keeps every digit.
func (w Work) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads a decimal Work.
func (w *Work) UnmarshalText(b []byte) error {
	x, ok := new(big.Int).SetString(string(b), 10)
	if !ok || x.Sign() < 0 || x.BitLen() > 320 {
		return &RuleError{Code: CodeMalformed, Msg: "work " + string(b) + " is not a whole number below 2^320"}
	}
	*w = WorkFromBig(x)
	return nil
}

var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

// workCache remembers the last target's work: chains keep one target for
// long runs of blocks, and the division is the costly part.
type workCache struct {
	last atomic.Pointer[workEntry]
}

type workEntry struct {
	key  string
	work Work
}

var targetWorkCache workCache

// TargetWork is the exact work of a block that met t: 2^256 divided by the
// number of hashes that meet t, rounded down.
func TargetWork(t miner.Target) Work {
	key := t.String()
	if e := targetWorkCache.last.Load(); e != nil && e.key == key {
		return e.work
	}
	w := WorkFromBig(new(big.Int).Quo(two256, t.Solutions()))
	targetWorkCache.last.Store(&workEntry{key: key, work: w})
	return w
}
