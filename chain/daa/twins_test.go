package daa

import (
	"math/big"

	"github.com/holiman/uint256"
)

// Slow, obviously correct twins of every algorithm in math/big, over a
// slice of consecutive blocks (the last one the tip). They follow the
// reference code line by line, with exact big integers wherever the fast
// code uses 128-, 320- or 512-bit tricks or saturation.

func bi(x int64) *big.Int           { return big.NewInt(x) }
func bu(x uint64) *big.Int          { return new(big.Int).SetUint64(x) }
func toBig(x *uint256.Int) *big.Int { return x.ToBig() }

func fromBig(x *big.Int) uint256.Int {
	var z uint256.Int
	if z.SetFromBig(x) {
		panic("twin result does not fit 256 bits")
	}
	return z
}

// bigClamp bounds t to [1, limit].
func bigClamp(t, limit *big.Int) uint256.Int {
	switch {
	case t.Sign() <= 0:
		return *uint256.NewInt(1)
	case t.Cmp(limit) > 0:
		return fromBig(limit)
	}
	return fromBig(t)
}

// at finds the block at height h in bs.
func at(bs []Block, h uint64) (Block, bool) {
	if len(bs) == 0 || h < bs[0].Height || h-bs[0].Height >= uint64(len(bs)) {
		return Block{}, false
	}
	b := bs[h-bs[0].Height]
	return b, b.Height == h
}

func twinBitcoin(p Params, bs []Block) uint256.Int {
	tip := bs[len(bs)-1]
	limit := toBig(&p.Limit)
	if tip.Height == 1<<64-1 { // no block after the last height
		return bigClamp(toBig(&tip.Target), limit)
	}
	h := new(big.Int).Add(bu(tip.Height), big.NewInt(1))
	rel := new(big.Int).Sub(h, bu(p.FirstHeight))
	if rel.Sign() <= 0 || new(big.Int).Mod(rel, bu(p.Window)).Sign() != 0 {
		return bigClamp(toBig(&tip.Target), limit)
	}
	first, ok := at(bs, tip.Height+1-p.Window)
	if !ok {
		return bigClamp(toBig(&tip.Target), limit)
	}
	span := new(big.Int).Mul(bu(p.Window), bi(p.BlockTime))
	actual := new(big.Int).Sub(bi(tip.Time), bi(first.Time))
	if lo := new(big.Int).Quo(span, bi(4)); actual.Cmp(lo) < 0 {
		actual = lo
	}
	if hi := new(big.Int).Mul(span, bi(4)); actual.Cmp(hi) > 0 {
		actual = hi
	}
	t := new(big.Int).Mul(toBig(&tip.Target), actual)
	t.Quo(t, span)
	return bigClamp(t, limit)
}

// twinASERTExponent is the exponent in big integers; floor selects
// Python's floor division instead of C++'s truncation.
func twinASERTExponent(anc Anchor, h uint64, t int64, p Params, floor bool) *big.Int {
	num := new(big.Int).Sub(bi(t), bi(anc.ParentTime))
	hd := new(big.Int).Sub(bu(h), bu(anc.Height))
	hd.Add(hd, big.NewInt(1))
	num.Sub(num, hd.Mul(hd, bi(p.BlockTime)))
	num.Mul(num, big.NewInt(65536))
	if floor {
		return num.Div(num, bi(p.HalfLife)) // Euclidean = floor for a positive divisor
	}
	return num.Quo(num, bi(p.HalfLife))
}

func twinASERTWith(p Params, bs []Block, floor bool) uint256.Int {
	tip := bs[len(bs)-1]
	limit := toBig(&p.Limit)
	var anc Anchor
	if p.Anchor != nil {
		anc = *p.Anchor
	} else {
		first, ok := at(bs, p.FirstHeight)
		if !ok {
			return bigClamp(toBig(&tip.Target), limit)
		}
		pt := new(big.Int).Sub(bi(first.Time), bi(p.BlockTime))
		if !pt.IsInt64() { // the fast code saturates the parent time
			if pt.Sign() < 0 {
				pt = bi(-1 << 63)
			}
		}
		anc = Anchor{Height: first.Height, ParentTime: pt.Int64(), Target: first.Target}
	}
	e := twinASERTExponent(anc, tip.Height, tip.Time, p, floor)
	shifts := new(big.Int).Rsh(e, 16) // floor for negatives too
	frac := new(big.Int).Sub(e, new(big.Int).Lsh(shifts, 16)).Uint64()
	f := new(big.Int).Mul(bu(195766423245049), bu(frac))
	f.Add(f, new(big.Int).Mul(bu(971821376), bu(frac*frac)))
	f.Add(f, new(big.Int).Mul(bu(5127), bu(frac*frac*frac)))
	f.Add(f, new(big.Int).Lsh(big.NewInt(1), 47))
	f.Rsh(f, 48)
	f.Add(f, big.NewInt(65536))
	r := new(big.Int).Mul(toBig(&anc.Target), f)
	s := new(big.Int).Sub(shifts, big.NewInt(16))
	switch {
	case s.Cmp(big.NewInt(400)) > 0: // r·2^s ≥ 2^400 when r > 0
		if r.Sign() == 0 {
			return *uint256.NewInt(1)
		}
		return fromBig(limit)
	case s.Cmp(big.NewInt(-400)) < 0: // r < 2^273: shifted to 0
		r.SetInt64(0)
	case s.Sign() >= 0:
		r.Lsh(r, uint(s.Int64()))
	default:
		r.Rsh(r, uint(-s.Int64()))
	}
	return bigClamp(r, limit)
}

func twinASERT(p Params, bs []Block) uint256.Int { return twinASERTWith(p, bs, false) }

func twinLWMA(p Params, bs []Block) uint256.Int {
	tip := bs[len(bs)-1]
	limit := toBig(&p.Limit)
	n := p.Window
	if tip.Height < p.FirstHeight || tip.Height-p.FirstHeight < n {
		return p.Initial
	}
	T := bi(p.BlockTime)
	k := new(big.Int).Mul(bu(n), bu(n+1))
	k.Mul(k, T)
	k.Quo(k, big.NewInt(2))
	start, ok := at(bs, tip.Height-n)
	if !ok {
		return bigClamp(toBig(&tip.Target), limit)
	}
	prev := bi(start.Time)
	sum := new(big.Int)
	avg := new(big.Int)
	sixT := new(big.Int).Mul(T, big.NewInt(6))
	maxI64 := bi(1<<63 - 1)
	for j := uint64(1); j <= n; j++ {
		i := tip.Height - n + j
		b, ok := at(bs, i)
		if !ok {
			return bigClamp(toBig(&tip.Target), limit)
		}
		this := bi(b.Time)
		if this.Cmp(prev) <= 0 {
			this = new(big.Int).Add(prev, big.NewInt(1))
			if this.Cmp(maxI64) > 0 { // the documented saturation
				this = maxI64
			}
		}
		st := new(big.Int).Sub(this, prev)
		if st.Cmp(sixT) > 0 {
			st = sixT
		}
		prev = this
		sum.Add(sum, new(big.Int).Mul(st, bu(j)))
		q := new(big.Int).Quo(toBig(&b.Target), bu(n))
		q.Quo(q, k)
		avg.Add(avg, q)
	}
	return bigClamp(avg.Mul(avg, sum), limit)
}

func twinDGW(p Params, bs []Block) uint256.Int {
	tip := bs[len(bs)-1]
	limit := toBig(&p.Limit)
	n := p.Window
	if tip.Height < p.FirstHeight || tip.Height-p.FirstHeight < n {
		return p.Initial
	}
	var avg *big.Int
	pindex := tip
	for c := uint64(1); c <= n; c++ {
		t := toBig(&pindex.Target)
		if c == 1 {
			avg = t
		} else {
			avg = new(big.Int).Mul(avg, bu(c))
			avg.Add(avg, t)
			avg.Quo(avg, bu(c+1))
		}
		if c != n {
			var ok bool
			if pindex, ok = at(bs, pindex.Height-1); !ok {
				return bigClamp(toBig(&tip.Target), limit)
			}
		}
	}
	actual := new(big.Int).Sub(bi(tip.Time), bi(pindex.Time))
	span := new(big.Int).Mul(bu(n), bi(p.BlockTime))
	if lo := new(big.Int).Quo(span, big.NewInt(3)); actual.Cmp(lo) < 0 {
		actual = lo
	}
	if hi := new(big.Int).Mul(span, big.NewInt(3)); actual.Cmp(hi) > 0 {
		actual = hi
	}
	avg.Mul(avg, actual)
	avg.Quo(avg, span)
	return bigClamp(avg, limit)
}

func twinEMA(p Params, bs []Block) uint256.Int {
	tip := bs[len(bs)-1]
	limit := toBig(&p.Limit)
	if tip.Height <= p.FirstHeight {
		return bigClamp(toBig(&tip.Target), limit)
	}
	parent, ok := at(bs, tip.Height-1)
	if !ok {
		return bigClamp(toBig(&tip.Target), limit)
	}
	T := bi(p.BlockTime)
	nt := new(big.Int).Mul(bu(p.Window), T)
	st := new(big.Int).Sub(bi(tip.Time), bi(parent.Time))
	lo := new(big.Int).Mul(T, big.NewInt(-6))
	if alt := new(big.Int).Sub(big.NewInt(1), new(big.Int).Mul(bu(p.Window-1), T)); alt.Cmp(lo) > 0 {
		lo = alt
	}
	hi := new(big.Int).Mul(T, big.NewInt(6))
	if st.Cmp(lo) < 0 {
		st = lo
	}
	if st.Cmp(hi) > 0 {
		st = hi
	}
	f := new(big.Int).Add(nt, st)
	f.Sub(f, T)
	r := new(big.Int).Mul(toBig(&tip.Target), f)
	return bigClamp(r.Quo(r, nt), limit)
}

func twinPowlab(p Params, bs []Block) uint256.Int {
	tip := bs[len(bs)-1]
	limit := toBig(&p.Limit)
	h := tip.Height
	mf := p.MaxFactor
	if mf == 0 {
		mf = 4
	}
	if p.Window == 0 || h%p.Window != 0 || h <= p.FirstHeight {
		return bigClamp(toBig(&tip.Target), limit)
	}
	first := p.FirstHeight
	if h-p.FirstHeight > p.Window {
		first = h - p.Window
	}
	anc, ok := at(bs, first)
	if !ok {
		return bigClamp(toBig(&tip.Target), limit)
	}
	actual := new(big.Int).Sub(bi(tip.Time), bi(anc.Time))
	expected := new(big.Int).Mul(bu(h-first), bi(p.BlockTime))
	// ratio = actual/expected clamped to [1/mf, mf], as a fraction
	num, den := actual, expected
	if new(big.Int).Mul(actual, bu(mf)).Cmp(expected) < 0 {
		num, den = big.NewInt(1), bu(mf)
	} else if actual.Cmp(new(big.Int).Mul(expected, bu(mf))) > 0 {
		num, den = bu(mf), big.NewInt(1)
	}
	r := new(big.Int).Mul(toBig(&tip.Target), num)
	return bigClamp(r.Quo(r, den), limit)
}

var twins = map[string]func(Params, []Block) uint256.Int{
	"bitcoin": twinBitcoin,
	"asert":   twinASERT,
	"lwma":    twinLWMA,
	"dgw":     twinDGW,
	"ema":     twinEMA,
	"powlab":  twinPowlab,
	"fixed":   func(p Params, _ []Block) uint256.Int { return p.Initial },
}

// twinBitsToTarget and twinTargetToBits are Core's SetCompact and
// GetCompact in math/big.
func twinBitsToTarget(bits uint32) (*big.Int, bool) {
	size := bits >> 24
	word := bits & 0x007fffff
	t := new(big.Int)
	if size <= 3 {
		t.SetUint64(uint64(word >> (8 * (3 - size))))
	} else {
		t.SetUint64(uint64(word))
		t.Lsh(t, uint(8*(size-3)))
	}
	negative := word != 0 && bits&0x00800000 != 0
	overflow := word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
	return t, !negative && !overflow && t.Sign() != 0
}

func twinTargetToBits(t *big.Int) uint32 {
	size := uint32((t.BitLen() + 7) / 8)
	var word uint32
	if size <= 3 {
		word = uint32(t.Uint64() << (8 * (3 - size)))
	} else {
		word = uint32(new(big.Int).Rsh(t, uint(8*(size-3))).Uint64())
	}
	if word&0x00800000 != 0 {
		word >>= 8
		size++
	}
	return word | size<<24
}
