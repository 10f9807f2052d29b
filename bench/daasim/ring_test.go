package daasim

import (
	"testing"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
)

// sliceChain keeps every block: the ring's obviously correct twin.
type sliceChain []daa.Block

func (s sliceChain) Tip() daa.Block { return s[len(s)-1] }
func (s sliceChain) Ancestor(h uint64) (daa.Block, bool) {
	if len(s) == 0 || h < s[0].Height || h > s[len(s)-1].Height {
		return daa.Block{}, false
	}
	return s[h-s[0].Height], true
}

func TestRingMatchesSlice(t *testing.T) {
	for _, first := range []uint64{0, 7} {
		r := newRing(5) // rounds up to 8
		var all sliceChain
		for i := range uint64(30) {
			b := daa.Block{Height: first + i, Time: int64(i * 600), Target: *uint256.NewInt(i + 1)}
			r.Push(b)
			all = append(all, b)
			if r.Tip() != all.Tip() {
				t.Fatalf("tip %+v, want %+v", r.Tip(), all.Tip())
			}
			for h := uint64(0); h < first+i+3; h++ {
				got, ok := r.Ancestor(h)
				want, wok := all.Ancestor(h)
				inRing := h == first || (h <= b.Height && b.Height-h < 8 && h >= first)
				if ok != inRing || (ok && (!wok || got != want)) {
					t.Fatalf("tip %d: Ancestor(%d) = %+v, %v; the slice has %+v, %v", b.Height, h, got, ok, want, wok)
				}
			}
		}
	}
	if _, ok := newRing(4).Ancestor(0); ok {
		t.Fatal("an empty ring answered")
	}
	if r := ringFor(10000); len(r.blocks) < 20002 {
		t.Fatalf("ring for a window of 10000 holds %d", len(r.blocks))
	}
}
