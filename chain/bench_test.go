package chain

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

const benchChainLen = 100000

var (
	benchOnce sync.Map // rules name -> *benchChain
)

type benchChain struct {
	once   sync.Once
	r      Rules
	blocks []*Block
}

// benchBlocks builds (once per rules) a 100 000-block chain at a trivial
// difficulty, each block with two transactions and the reward.
func benchBlocks(b *testing.B, p Params) (Rules, []*Block) {
	v, _ := benchOnce.LoadOrStore(p.Rules, &benchChain{})
	bc := v.(*benchChain)
	bc.once.Do(func() {
		bc.r = mustRules(b, p)
		bc.blocks = buildChain(b, bc.r, benchChainLen, someTxs)
	})
	return bc.r, bc.blocks
}

// BenchmarkValidateChain validates a 100 000-block chain: blocks/s with one
// worker and with every core.
func BenchmarkValidateChain(b *testing.B) {
	for _, p := range []Params{powlabParams(1), tutorialParams("0")} {
		for _, w := range []int{1, runtime.NumCPU()} {
			b.Run(fmt.Sprintf("rules=%s/workers=%d", p.Rules, w), func(b *testing.B) {
				r, blocks := benchBlocks(b, p)
				now := testEpoch.Add(time.Hour + benchChainLen*time.Second)
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					if _, err := ValidateChain(context.Background(), r, blocks, ValidateOptions{Workers: w, Now: now}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(blocks)*b.N)/time.Since(start).Seconds(), "blocks/s")
			})
		}
	}
}

// BenchmarkCanonicalJSON encodes one block with five transactions.
func BenchmarkCanonicalJSON(b *testing.B) {
	blk := &Block{Index: 7, Timestamp: Float(1700000000.123456), Proof: 35293, Transactions: append(someTxs(3), someTxs(4)...)}
	b.ReportAllocs()
	for range b.N {
		blk.CanonicalJSON()
	}
}
