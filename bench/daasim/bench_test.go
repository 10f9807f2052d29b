package daasim

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/powlab/powlab/chain/daa"
)

// BenchmarkSim simulates each registered algorithm on one core, steady
// scenario, with the CLI's default windows, and reports simulated blocks
// per second. Compare algorithms
// with -count 10 | benchstat -col /algo.
func BenchmarkSim(b *testing.B) {
	const blocks = 20000 // per op: long enough that setup is noise
	for _, name := range daa.Names() {
		b.Run("algo="+name, func(b *testing.B) {
			c, err := Config{Algos: []string{name}, Blocks: blocks, Seed: 1}.resolve()
			if err != nil {
				b.Fatal(err)
			}
			p := c.params()
			if w, ok := DefaultWindows[name]; ok {
				p.Window = w
			}
			alg, err := daa.New(name, p)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for b.Loop() {
				if _, err := simulate(ctx, &c, name, alg, new(atomic.Int64)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(blocks)*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}
