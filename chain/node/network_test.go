package node

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
)

// connect registers every node with every other.
func connect(t *testing.T, nodes ...*Node) {
	t.Helper()
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				if _, err := a.AddPeers(b.Addr()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func sameTip(nodes ...*Node) bool {
	h := tipOf(nodes[0])
	for _, n := range nodes[1:] {
		if tipOf(n) != h {
			return false
		}
	}
	return true
}

func TestMineRoute(t *testing.T) {
	n := startNode(t, Config{})
	code, body := call(t, "GET", n.Addr()+"/mine", "")
	if code != 200 {
		t.Fatalf("GET /mine: %d %s", code, body)
	}
	m := mustJSON(t, body)
	if m["index"].(interface{ String() string }).String() != "2" {
		t.Fatalf("index %v", m["index"])
	}
	if got := n.Height(); got != 2 {
		t.Fatalf("height %d after /mine", got)
	}
	if m["hash"] != tipOf(n).String() {
		t.Fatalf("hash %v, tip %s", m["hash"], tipOf(n))
	}
}

// Three mining nodes gossip their blocks and converge on one tip once they
// stop mining.
func TestThreeNodesConverge(t *testing.T) {
	var mined, accepted atomic.Int64
	ev := Events{
		Mined:    func(*chain.Block) { mined.Add(1) },
		Accepted: func(*chain.Block, string) { accepted.Add(1) },
	}
	var nodes []*Node
	for range 3 {
		nodes = append(nodes, startNode(t, Config{Chain: tutorialOpts("000"), Events: ev, Miner: MinerOptions{Workers: 1, MaxRate: 40000}}))
	}
	connect(t, nodes...)
	// The nodes start on different genesis blocks (as tutorial nodes do):
	// the first block that does not connect makes its receiver fetch the
	// sender's chain, and from then on they share history.
	for _, n := range nodes {
		n.StartMiner()
	}
	waitFor(t, "height 8 everywhere", func() bool {
		for _, n := range nodes {
			if n.Height() < 8 {
				return false
			}
		}
		return true
	})
	for _, n := range nodes {
		n.StopMiner()
	}
	// Equal-work branches can remain when the miners stop at once, as in
	// any proof-of-work network; the next block settles it.
	waitFor(t, "one tip", func() bool {
		if sameTip(nodes...) {
			return true
		}
		time.Sleep(200 * time.Millisecond) // let gossip land first
		if sameTip(nodes...) {
			return true
		}
		if _, err := nodes[0].MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
		return false
	})
	if mined.Load() == 0 || accepted.Load() == 0 {
		t.Fatalf("mined %d, accepted %d: want both above 0", mined.Load(), accepted.Load())
	}
	g := nodes[0].Blocks()[0]
	for _, n := range nodes[1:] {
		if n.Blocks()[0] != g && n.rules.Hash(n.Blocks()[0]) != n.rules.Hash(g) {
			t.Fatal("nodes disagree on genesis")
		}
	}
}

// A node that was offline catches up from its peers.
func TestOfflineNodeCatchesUp(t *testing.T) {
	a := startNode(t, Config{})
	for range 5 {
		if _, err := a.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// b starts with a as its peer: its first sync fetches a's chain.
	b := startNode(t, Config{Peers: []string{a.Addr()}})
	waitFor(t, "b's initial sync", func() bool { return tipOf(b) == tipOf(a) })
	if b.Height() != 6 {
		t.Fatalf("height %d after the initial sync, want 6", b.Height())
	}
	// Later blocks arrive by gossip and connect.
	if _, err := a.AddPeers(b.Addr()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MineOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "gossiped block", func() bool { return tipOf(b) == tipOf(a) })
}

// Two branches: the one with more work wins, and the loser's miner moves to
// the new tip.
func TestForkResolvesToMoreWork(t *testing.T) {
	var reorgs atomic.Int64
	var depth atomic.Int64
	a := startNode(t, Config{})
	b := startNode(t, Config{Events: Events{Reorg: func(d int, _, _ chain.Hash) { reorgs.Add(1); depth.Store(int64(d)) }}})
	// Shared history: b adopts a's chain.
	for range 2 {
		if _, err := a.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.SyncFrom(context.Background(), a.Addr()); err != nil {
		t.Fatal(err)
	}
	// Fork: a mines 3 more, b mines 2 of its own, apart.
	for range 3 {
		if _, err := a.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := b.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// b's miner runs (slowly) on its own branch, then hears of a's.
	b.SetMinerOptions(MinerOptions{Workers: 1, MaxRate: 1}) // far too slow to find a block at "00" during the test
	b.StartMiner()
	waitFor(t, "b mining", func() bool { return b.Status().Mining })
	connect(t, a, b)
	if _, err := a.MineOne(context.Background()); err != nil { // announced to b, does not connect there
		t.Fatal(err)
	}
	waitFor(t, "b on a's branch", func() bool { return tipOf(b) == tipOf(a) })
	// Events run just after the switch: the first reorg replaced b's
	// genesis (SyncFrom), the second drops b's two blocks.
	waitFor(t, "the reorg event", func() bool { return reorgs.Load() == 2 })
	if d := depth.Load(); d != 2 {
		t.Fatalf("reorg depth %d, want 2", d)
	}
	// The miner restarted on the new tip: its next candidate builds on it.
	waitFor(t, "b's miner on the new tip", func() bool {
		return b.Status().MiningOn == tipOf(a).String()
	})
	time.Sleep(10 * time.Millisecond)
}

// Under powlab rules (binary header, proof over the block's content) the
// same gossip and fork choice work: two mining nodes converge.
func TestPowlabRulesNetwork(t *testing.T) {
	opts := chain.Options{Rules: chain.RulesPowlab, Target: mustBits(t, 6)}
	a := startNode(t, Config{Chain: opts, Miner: MinerOptions{Workers: 1, MaxRate: 5000}})
	b := startNode(t, Config{Chain: opts, Miner: MinerOptions{Workers: 1, MaxRate: 5000}})
	connect(t, a, b)
	a.StartMiner()
	b.StartMiner()
	waitFor(t, "height 6 on both", func() bool { return a.Height() >= 6 && b.Height() >= 6 })
	a.StopMiner()
	b.StopMiner()
	waitFor(t, "one tip", func() bool {
		if sameTip(a, b) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
		if sameTip(a, b) {
			return true
		}
		if _, err := a.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
		return false
	})
	if _, err := b.Chain().Validate(context.Background(), chain.ValidateOptions{}); err != nil {
		t.Fatalf("b's chain: %v", err)
	}
}

// Concurrent GET /mine requests each get their own block, one after another.
func TestConcurrentMine(t *testing.T) {
	n := startNode(t, Config{})
	const k = 4
	idx := make(chan string, k)
	for range k {
		go func() { // no t.Fatal off the test goroutine
			var ans struct{ Index int }
			resp, err := testClient.Get(n.Addr() + "/mine")
			if err == nil {
				err = json.NewDecoder(resp.Body).Decode(&ans)
				resp.Body.Close()
			}
			if err != nil {
				t.Error(err)
			}
			idx <- fmt.Sprint(ans.Index)
		}()
	}
	seen := map[string]bool{}
	for range k {
		seen[<-idx] = true
	}
	for i := 2; i <= k+1; i++ {
		if !seen[fmt.Sprint(i)] {
			t.Fatalf("indexes %v: block %d missing", seen, i)
		}
	}
	if n.Height() != k+1 {
		t.Fatalf("height %d, want %d", n.Height(), k+1)
	}
}

// The cached /chain document always equals a fresh encoding of the chain.
func TestChainDocumentCache(t *testing.T) {
	a, b := startNode(t, Config{}), startNode(t, Config{})
	check := func(n *Node) {
		t.Helper()
		if got, want := string(n.chainDocument()), string(chain.EncodeChainJSON(n.Blocks())); got != want {
			t.Fatalf("cached /chain differs from the chain:\n%s\n%s", got, want)
		}
	}
	check(a)
	for range 3 {
		if _, err := a.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
		check(a)
	}
	check(b)
	if _, err := b.SyncFrom(context.Background(), a.Addr()); err != nil {
		t.Fatal(err)
	}
	check(b)
}
