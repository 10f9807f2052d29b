package node

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// buildTutorialChain makes an n-block chain under r in memory: each block
// holds the reward only, with the smallest proof on its parent's.
func buildTutorialChain(tb testing.TB, r chain.Rules, n int) []*chain.Block {
	tb.Helper()
	g := r.Genesis(chain.Float(1.7e9))
	blocks := []*chain.Block{g}
	target := r.NextTarget(nil)
	for i := 1; i < n; i++ {
		parent := blocks[i-1]
		b := &chain.Block{
			Index:        parent.Index + 1,
			Timestamp:    chain.Float(1.7e9 + float64(i)),
			Transactions: []chain.Tx{{Sender: chain.RewardSender, Recipient: "bench", Amount: r.Params().Reward}},
			PrevHash:     r.Hash(parent),
		}
		res, err := miner.Search(context.Background(), r.Puzzle(parent, b), target, miner.Options{Workers: 1, Chunk: 64})
		if err != nil {
			tb.Fatal(err)
		}
		b.Proof = res.Nonce
		blocks = append(blocks, b)
	}
	return blocks
}

// GET /chain on a 10 000-block chain, from parallel clients on loopback.
func BenchmarkGetChain10k(b *testing.B) {
	n := newBenchNode(b, "0")
	blocks := buildTutorialChain(b, n.Rules(), 10000)
	if ok, err := n.Chain().ReplaceChain(context.Background(), blocks); err != nil || !ok {
		b.Fatalf("adopt: %v %v", ok, err)
	}
	url := n.Addr() + "/chain"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var size atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			m, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			size.Store(m)
		}
	})
	el := time.Since(start)
	b.SetBytes(size.Load())
	b.ReportMetric(float64(b.N)/el.Seconds(), "req/s")
}

// POST /new_transcations from parallel clients on loopback. When the
// mempool fills (chain.MaxPending), a block is mined to empty it.
func BenchmarkNewTransaction(b *testing.B) {
	n := newBenchNode(b, "0")
	url := n.Addr() + "/new_transcations"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var seq atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"sender": "alice", "recipient": "bob", "amount": %d}`, seq.Add(1))
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusOK:
			case http.StatusServiceUnavailable: // mempool full
				if _, err := n.MineOne(context.Background()); err != nil {
					b.Error(err)
				}
			default:
				b.Errorf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// Three connected nodes split by a partition each mine their own block at
// the same height (a three-way fork); the partition heals and one node mines
// the next block. The metric is the time from that block to all three
// nodes on one tip.
func BenchmarkConvergeAfterFork(b *testing.B) {
	var part atomic.Bool
	delay := func(string) time.Duration {
		if part.Load() {
			return -1
		}
		return 0
	}
	var nodes []*Node
	for range 3 {
		n := newBenchNodeCfg(b, Config{Chain: tutorialOpts("00"), GossipDelay: delay})
		nodes = append(nodes, n)
	}
	for _, n := range nodes[1:] {
		if _, err := n.SyncFrom(context.Background(), nodes[0].Addr()); err != nil {
			b.Fatal(err)
		}
	}
	for _, a := range nodes {
		for _, c := range nodes {
			if a != c {
				a.AddPeers(c.Addr())
			}
		}
	}
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		part.Store(true)
		for _, n := range nodes {
			if _, err := n.MineOne(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		part.Store(false)
		start := time.Now()
		if _, err := nodes[i%3].MineOne(context.Background()); err != nil {
			b.Fatal(err)
		}
		deadline := start.Add(testTimeout)
		for !sameTip(nodes...) {
			if time.Now().After(deadline) {
				b.Fatal("no convergence")
			}
			time.Sleep(100 * time.Microsecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-converge/op")
}

func newBenchNode(b *testing.B, prefix string) *Node {
	return newBenchNodeCfg(b, Config{Chain: tutorialOpts(prefix)})
}

// newBenchNodeCfg serves a node on loopback for a benchmark; it is closed
// after the timed part.
func newBenchNodeCfg(b *testing.B, cfg Config) *Node {
	b.Helper()
	cfg.DataDir = b.TempDir()
	cfg.Miner.Workers = 1
	n, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := n.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	return n
}
