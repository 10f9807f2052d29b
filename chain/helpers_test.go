package chain

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/powlab/powlab/miner"
)

// testEpoch is the fake clocks' start: 2023-11-14 22:13:20 UTC.
var testEpoch = time.Unix(1700000000, 0)

// fakeClock returns a clock that starts at testEpoch+offset and advances
// one second per reading, so chains built with it are deterministic.
func fakeClock(offset time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return testEpoch.Add(offset + time.Duration(n.Add(1))*time.Second) }
}

func mustRules(t testing.TB, p Params) Rules {
	t.Helper()
	r, err := NewRules(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func powlabParams(bits int) Params {
	p := DefaultParams(RulesPowlab)
	p.Target, _ = miner.ZeroBitsTarget(bits)
	return p
}

func tutorialParams(prefix string) Params {
	p := DefaultParams(RulesTutorial)
	p.Target = miner.MustPrefix(prefix)
	return p
}

// buildChain makes an n-block chain in memory under r (no store): block i
// holds txs(i) then the reward to "miner". Timestamps are testEpoch+i
// seconds. workers = 1 keeps it light; the search is the smallest nonce,
// so the chain is deterministic.
func buildChain(t testing.TB, r Rules, n int, txs func(i int) []Tx) []*Block {
	t.Helper()
	ctx := context.Background()
	opt := miner.Options{Workers: 1, Chunk: 64}
	blocks := make([]*Block, 0, n)
	g := r.Genesis(Float(float64(testEpoch.Unix())))
	if _, ok := r.ProofHash(nil, g); ok {
		res, err := miner.Search(ctx, r.Puzzle(nil, g), r.NextTarget(nil), opt)
		if err != nil {
			t.Fatal(err)
		}
		g.Proof = res.Nonce
	}
	blocks = append(blocks, g)
	tip := NewBlockNode(g, r.Hash(g), r.Work(g), nil)
	for i := 2; i <= n; i++ {
		parent := blocks[len(blocks)-1]
		var list []Tx
		if txs != nil {
			list = append(list, txs(i)...)
		}
		list = append(list, Tx{Sender: RewardSender, Recipient: "miner", Amount: r.Params().Reward})
		b := &Block{Index: uint64(i), Timestamp: Float(float64(testEpoch.Unix() + int64(i))), Transactions: list, PrevHash: tip.Hash()}
		r.Prepare(b, tip)
		target := r.NextTarget(tip)
		if target.ExpectedAttempts() <= 64 {
			// Trivial difficulty (benchmark chains): a plain loop beats
			// starting a worker pool per block.
			for b.Proof = 0; ; b.Proof++ {
				if h, _ := r.ProofHash(parent, b); target.Meets(h) {
					break
				}
			}
		} else {
			res, err := miner.Search(ctx, r.Puzzle(parent, b), target, opt)
			if err != nil {
				t.Fatal(err)
			}
			b.Proof = res.Nonce
		}
		blocks = append(blocks, b)
		tip = NewBlockNode(b, r.Hash(b), r.Work(b), tip)
	}
	return blocks
}

func someTxs(i int) []Tx {
	return []Tx{
		{Sender: fmt.Sprintf("alice%d", i), Recipient: "bob", Amount: Int(int64(i))},
		{Sender: "carol", Recipient: "dave é", Amount: Float(0.5 + float64(i))},
	}
}

func cloneChain(blocks []*Block) []*Block {
	out := make([]*Block, len(blocks))
	for i, b := range blocks {
		out[i] = b.Clone()
	}
	return out
}

func validateAt(r Rules, blocks []*Block) error {
	_, err := ValidateChain(context.Background(), r, blocks, ValidateOptions{Workers: 2, Now: testEpoch.Add(time.Hour)})
	return err
}

func mustNumber(t testing.TB, s string) Number {
	t.Helper()
	n, err := ParseNumber(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
