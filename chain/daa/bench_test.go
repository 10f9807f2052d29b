package daa

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"
)

// benchChain is a long synthetic chain: solve times drawn around 600 s
// (uniform 1..1200, so the mean is on schedule), targets around Bitcoin's
// limit moving a little each block.
func benchChain(n int) (Params, []Block) {
	r := rand.New(rand.NewPCG(7, 7))
	var limit uint256.Int
	limit.Lsh(uint256.NewInt(0xffff), 208)
	p := Params{BlockTime: 600, Limit: limit}
	bs := make([]Block, n)
	t := int64(1_600_000_000)
	for i := range bs {
		var x uint256.Int
		x.Rsh(&limit, uint(r.IntN(8)))
		x.SubUint64(&x, r.Uint64())
		bs[i] = Block{Height: uint64(i), Time: t, Target: x}
		t += r.Int64N(1200) + 1
	}
	return p, bs
}

const benchBlocks = 1 << 16

// BenchmarkNext: per op, one block pushed on a Ring and Algorithm.Next
// over it.
func BenchmarkNext(b *testing.B) {
	p, bs := benchChain(benchBlocks)
	for _, name := range Names() {
		b.Run("algo="+name, func(b *testing.B) {
			a := mustNew(b, name, benchParams(name, p))
			r := NewRing(int(a.Params().Window) + 2)
			var sink uint256.Int
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % benchBlocks
				if k == 0 {
					r.Reset()
				}
				r.Push(bs[k])
				sink = a.Next(r)
			}
			_ = sink
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}

// BenchmarkStepper: per op, Stepper.Add and Stepper.Next (the algorithm's
// own Stepper where it has one, else the Ring-backed one).
func BenchmarkStepper(b *testing.B) {
	p, bs := benchChain(benchBlocks)
	for _, name := range Names() {
		b.Run("algo="+name, func(b *testing.B) {
			a := mustNew(b, name, benchParams(name, p))
			s := NewStepper(a)
			var sink uint256.Int
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % benchBlocks
				if k == 0 {
					s = NewStepper(a)
				}
				s.Add(bs[k])
				sink = s.Next()
			}
			_ = sink
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}

// benchParams are the defaults, except powlab, whose default window (0)
// never retargets: it gets Bitcoin's 2016.
func benchParams(name string, p Params) Params {
	if name == "powlab" {
		p.Window = 2016
	}
	return p
}
