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

// benchChains holds one *benchChain per rules name, built on first use.
var benchChains sync.Map

type benchChain struct {
	once   sync.Once
	r      Rules
	blocks []*Block
}

// benchBlocks builds (once per rules) a 100 000-block chain at a trivial
// difficulty, each block with two transactions and the reward.
func benchBlocks(b *testing.B, p Params) (Rules, []*Block) {
	v, _ := benchChains.LoadOrStore(p.Rules, &benchChain{})
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

// BenchmarkMineBlock mines blocks onto a stored chain at 16 bits / prefix
// 0000 (65 536 expected attempts) with every core and the best kernel:
// search, validation and the fsync'd store write together.
func BenchmarkMineBlock(b *testing.B) {
	for _, o := range []Options{{Rules: RulesPowlab}, {Rules: RulesTutorial}} {
		b.Run("rules="+o.Rules, func(b *testing.B) {
			c, err := Open(context.Background(), b.TempDir(), o)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			var attempts uint64
			start := time.Now()
			b.ResetTimer()
			for range b.N {
				m, err := c.Mine(context.Background(), MineOptions{})
				if err != nil {
					b.Fatal(err)
				}
				attempts += m.Search.Attempts
			}
			sec := time.Since(start).Seconds()
			b.ReportMetric(float64(attempts)/float64(b.N), "attempts/op")
			// Per block: the search plus validation and an fsync'd write, so
			// this rate is below the kernel's hashrate at this difficulty.
			b.ReportMetric(float64(attempts)/sec, "attempts/s")
			b.ReportMetric(float64(b.N)/sec, "blocks/s")
		})
	}
}

// benchHeaders builds (once) a 100,000-header chain under regtest-like
// parameters (limit 0x207fffff: about one hash in two meets it), one header
// every 600 s, bits retargeted by the rule.
var benchHeaders struct {
	once sync.Once
	hs   []BtcHeader
}

var benchHeaderParams = BtcParams{PowLimit: 0x207fffff, Interval: 2016, BlockTime: 10 * time.Minute}

// BenchmarkValidateHeaders checks a 100,000-header Bitcoin-style chain
// (every retarget inside it recomputed): headers/s with one worker and with
// every core hashing.
func BenchmarkValidateHeaders(b *testing.B) {
	benchHeaders.once.Do(func() {
		gaps := make([]uint32, benchChainLen)
		for i := range gaps {
			gaps[i] = 600
		}
		benchHeaders.hs = mineHeaders(b, benchHeaderParams, benchChainLen, gaps)
	})
	hs, p := benchHeaders.hs, benchHeaderParams
	for _, w := range []int{1, runtime.NumCPU()} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for range b.N {
				res, err := ValidateHeaders(hs, HeaderOptions{Params: p, Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				if res.Retargets != len(hs)/2016 {
					b.Fatalf("%d retargets checked", res.Retargets)
				}
			}
			b.ReportMetric(float64(len(hs)*b.N)/time.Since(start).Seconds(), "headers/s")
		})
	}
}

// BenchmarkNextTarget is the cost of one block's target under each
// difficulty algorithm (powlab rules, window 60 where one is taken, a
// retarget every block for powlab and bitcoin so every call computes),
// read through the adapter over a 5000-block chain of BlockNodes: what
// validation and mining pay per block.
func BenchmarkNextTarget(b *testing.B) {
	for _, name := range []string{"fixed", "powlab", "bitcoin", "asert", "ema", "lwma", "dgw"} {
		b.Run("daa="+name, func(b *testing.B) {
			p := powlabParams(1)
			p.DAA = name
			switch name {
			case "powlab", "bitcoin":
				p.RetargetInterval = 1
			case "lwma", "dgw", "ema":
				p.RetargetInterval = 60
			}
			r := mustRules(b, p.Resolved()).(*powlabRules)
			var tip *BlockNode
			for i := 1; i <= 5000; i++ {
				blk := &Block{Index: uint64(i), Timestamp: Float(1e9 + float64(i)*9.5), Target: r.nextCompact(nodeCtx(tip))}
				tip = NewBlockNode(blk, Hash{byte(i), byte(i >> 8)}, Work{}, tip)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				_ = r.nextCompact(tip)
			}
		})
	}
}

// nodeCtx is n as a HeaderCtx (a nil *BlockNode as the nil interface).
func nodeCtx(n *BlockNode) HeaderCtx {
	if n == nil {
		return nil
	}
	return n
}
