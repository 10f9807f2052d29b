package daa_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/daa"
)

// TestChainCompat: the compact codec and the bitcoin algorithm agree with
// chain/btc.go's math/big versions (BitsTarget, TargetBits, BtcRetarget),
// which the algorithm is meant to replace.
func TestChainCompat(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 20000; i++ {
		bits := uint32(r.IntN(34))<<24 | r.Uint32()&0xffffff
		got, err := daa.BitsToTarget(bits)
		want, werr := chain.BitsTarget(bits)
		if (err == nil) != (werr == nil) || (err == nil && got.ToBig().Cmp(want) != 0) {
			t.Fatalf("%#08x: %#x %v, chain %v %v", bits, &got, err, want, werr)
		}
		if err == nil && daa.TargetToBits(&got) != chain.TargetBits(want) {
			t.Fatalf("%#08x: re-encoded differently", bits)
		}
	}
	for i := 0; i < 3000; i++ {
		p := chain.BtcParams{PowLimit: 0x1d00ffff, Interval: uint64(r.IntN(3000) + 2), BlockTime: time.Duration(r.IntN(1200)+1) * time.Second}
		if i%3 == 0 {
			p.PowLimit = 0x207fffff
		}
		limit, _ := daa.BitsToTarget(p.PowLimit)
		lastBits := uint32(r.IntN(0x1d-3)+3)<<24 | uint32(r.IntN(0x7fffff)+1)
		last, err := daa.BitsToTarget(lastBits)
		if err != nil || last.Gt(&limit) {
			continue
		}
		first := r.Int64N(1 << 32)
		lastTime := first + r.Int64N(int64(p.Interval)*int64(p.BlockTime/time.Second)*6) - int64(p.Interval)
		want, err := chain.BtcRetarget(p, lastBits, first, lastTime)
		if err != nil {
			t.Fatal(err)
		}
		a, err := daa.New("bitcoin", daa.Params{BlockTime: int64(p.BlockTime / time.Second), Window: p.Interval, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		// the window's two ends are all the retarget reads
		next := a.Next(&ends{first: daa.Block{Height: 0, Time: first}, tip: daa.Block{Height: p.Interval - 1, Time: lastTime, Target: last}})
		if got := daa.TargetToBits(&next); got != want {
			t.Fatalf("%+v last %#08x times %d..%d: %#08x, chain %#08x", p, lastBits, first, lastTime, got, want)
		}
	}
}

// ends is a Chain of a retarget window's first block and tip.
type ends struct {
	first, tip daa.Block
}

func (e *ends) Tip() daa.Block { return e.tip }
func (e *ends) Ancestor(h uint64) (daa.Block, bool) {
	switch h {
	case e.tip.Height:
		return e.tip, true
	case e.first.Height:
		return e.first, true
	}
	return daa.Block{}, false
}
