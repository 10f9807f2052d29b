package chain

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/powlab/powlab/miner"
)

func openTest(t *testing.T, dir string, o Options) *Chain {
	t.Helper()
	if o.Now == nil {
		o.Now = fakeClock(0)
	}
	if o.Mine.Workers == 0 {
		o.Mine.Workers = 1
	}
	c, err := Open(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mineN(t *testing.T, c *Chain, n int, recipient string) []*Mined {
	t.Helper()
	var out []*Mined
	for range n {
		m, err := c.Mine(context.Background(), MineOptions{Workers: 2, Recipient: recipient})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func bitsOpt(n int) miner.Target {
	t, _ := miner.ZeroBitsTarget(n)
	return t
}

func TestOpenCreatesAndReopens(t *testing.T) {
	dir := t.TempDir()
	c := openTest(t, dir, Options{Rules: RulesTutorial, Target: miner.MustPrefix("00")})
	addr := c.Address()
	if len(addr) != 32 {
		t.Fatalf("address %q", addr)
	}
	mineN(t, c, 3, "")
	tip := c.Tip()
	c.Close()
	if _, err := c.Mine(context.Background(), MineOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Mine after Close: %v", err)
	}

	c2 := openTest(t, dir, Options{})
	if c2.Address() != addr || c2.Tip().Hash != tip.Hash || c2.Height() != 4 || c2.Params().Rules != RulesTutorial {
		t.Fatalf("reopened: %s %v height %d", c2.Address(), c2.Tip().Hash, c2.Height())
	}
	if _, err := c2.Validate(context.Background(), ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	c2.Close()

	mismatches := []struct {
		name string
		o    Options
	}{
		{"rules", Options{Rules: RulesPowlab}},
		{"prefix", Options{Target: miner.MustPrefix("000")}},
		{"reward", Options{Reward: new(Number)}},
	}
	for _, m := range mismatches {
		t.Run(m.name, func(t *testing.T) {
			_, err := Open(context.Background(), dir, m.o)
			if !errors.Is(err, ErrParamsMismatch) {
				t.Fatalf("got %v, want ErrParamsMismatch", err)
			}
		})
	}
	// Matching flags are fine.
	openTest(t, dir, Options{Rules: RulesTutorial, Target: miner.MustPrefix("00")})
}

func TestOpenLockedDir(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir, Options{Target: bitsOpt(4)})
	if _, err := Open(context.Background(), dir, Options{}); err == nil {
		t.Fatal("a second Open of the same directory succeeded")
	}
}

// twoMiners opens two chains with the same genesis (same clock, same
// params) in different directories.
func twoMiners(t *testing.T, o Options) (*Chain, *Chain) {
	o.Now = fakeClock(0)
	a := openTest(t, t.TempDir(), o)
	o.Now = fakeClock(0)
	b := openTest(t, t.TempDir(), o)
	if a.Tip().Hash != b.Tip().Hash {
		t.Fatal("different genesis blocks")
	}
	return a, b
}

func TestReorgMovesTransactions(t *testing.T) {
	for _, rules := range []string{RulesTutorial, RulesPowlab} {
		t.Run(rules, func(t *testing.T) {
			o := Options{Rules: rules, Target: bitsOpt(6)}
			if rules == RulesTutorial {
				o.Target = miner.MustPrefix("0")
			}
			a, b := twoMiners(t, o)
			events, stop := a.Subscribe()
			defer stop()

			paid := Tx{Sender: "alice", Recipient: "bob", Amount: Float(2.5)}
			if _, err := a.AddTx(paid); err != nil {
				t.Fatal(err)
			}
			mineN(t, a, 2, "a")
			if a.PendingCount() != 0 {
				t.Fatal("a mined transaction stayed pending")
			}
			theirs := mineN(t, b, 3, "b")

			want := []AddResult{SideChain, SideChain, Reorged}
			if rules == RulesTutorial {
				// Same proofs, different hashes: still a fork.
				want = []AddResult{SideChain, SideChain, Reorged}
			}
			for i, m := range theirs {
				got, err := a.AddBlock(m.Block)
				if err != nil || got != want[i] {
					t.Fatalf("block %d: %v %v, want %v", m.Block.Index, got, err, want[i])
				}
			}
			if a.Tip().Hash != b.Tip().Hash {
				t.Fatal("a did not adopt b's branch")
			}
			if p := a.Pending(); len(p) != 1 || !p[0].Amount.Equal(paid.Amount) {
				t.Fatalf("the dropped block's transaction did not return: %v", p)
			}
			ev := <-events
			if !ev.Reorg || ev.Hash != b.Tip().Hash {
				t.Fatalf("event %+v", ev)
			}
			if r, _ := a.AddBlock(theirs[2].Block); r != Duplicate {
				t.Fatalf("re-adding: %v", r)
			}
		})
	}
}

func TestOrphansConnectWhenParentArrives(t *testing.T) {
	a, b := twoMiners(t, Options{Target: bitsOpt(6)})
	theirs := mineN(t, b, 3, "b")
	for _, i := range []int{2, 1} {
		r, err := a.AddBlock(theirs[i].Block)
		if err != nil || r != Orphan {
			t.Fatalf("block %d: %v %v", theirs[i].Block.Index, r, err)
		}
	}
	if a.OrphanCount() != 2 {
		t.Fatal("orphans not held")
	}
	r, err := a.AddBlock(theirs[0].Block)
	if err != nil || r != Extended {
		t.Fatalf("parent: %v %v", r, err)
	}
	if a.Height() != 4 || a.OrphanCount() != 0 || a.Tip().Hash != b.Tip().Hash {
		t.Fatalf("height %d orphans %d", a.Height(), a.OrphanCount())
	}
}

func TestOrphanPoolIsBounded(t *testing.T) {
	c := openTest(t, t.TempDir(), Options{Target: bitsOpt(4)})
	for i := 0; i < MaxOrphans+20; i++ {
		b := &Block{Index: 5, Timestamp: Float(1), PrevHash: Hash{byte(i), byte(i >> 8), 1}, Version: 1,
			Transactions: []Tx{{Sender: "0", Recipient: "x", Amount: DefaultReward}}}
		b.MerkleRoot = MerkleRoot(b.Transactions)
		b.Target, _ = ZeroBitsCompact(4)
		if r, err := c.AddBlock(b); err != nil || r != Orphan {
			t.Fatalf("%v %v", r, err)
		}
	}
	if n := c.OrphanCount(); n != MaxOrphans {
		t.Fatalf("%d orphans held", n)
	}
}

func TestOrphansExpire(t *testing.T) {
	var now atomic.Int64
	now.Store(testEpoch.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	c := openTest(t, t.TempDir(), Options{Target: bitsOpt(4), Now: clock})
	orphan := func(i byte) *Block {
		b := &Block{Index: 9, Timestamp: Float(1), PrevHash: Hash{i}, Version: 1,
			Transactions: []Tx{{Sender: "0", Recipient: "x", Amount: DefaultReward}}}
		b.MerkleRoot = MerkleRoot(b.Transactions)
		b.Target, _ = ZeroBitsCompact(4)
		return b
	}
	c.AddBlock(orphan(1))
	c.AddBlock(orphan(2))
	now.Add(int64(MaxOrphanAge + time.Second))
	c.AddBlock(orphan(3)) // adding sweeps the old ones
	if n := c.OrphanCount(); n != 1 {
		t.Fatalf("%d orphans held, want 1", n)
	}
}

func TestAddBlockRejects(t *testing.T) {
	a, b := twoMiners(t, Options{Target: bitsOpt(6)})
	m := mineN(t, b, 1, "b")[0]
	bad := m.Block.Clone()
	bad.Transactions[0].Amount = Int(50)
	bad.MerkleRoot = MerkleRoot(bad.Transactions)
	_, err := a.AddBlock(bad)
	re, ok := IsRuleError(err)
	if !ok || (re.Code != CodeBadReward) {
		t.Fatalf("got %v", err)
	}
	if a.Height() != 1 {
		t.Fatal("a rejected block joined the chain")
	}
}

func TestReplaceChain(t *testing.T) {
	o := Options{Rules: RulesTutorial, Target: miner.MustPrefix("0")}
	a := openTest(t, t.TempDir(), o)
	o.Now = fakeClock(time.Hour) // another genesis, as every tutorial node has
	b := openTest(t, t.TempDir(), o)
	mineN(t, a, 2, "a")
	mineN(t, b, 4, "b")

	ok, err := b.ReplaceChain(context.Background(), a.Blocks())
	if err != nil || ok {
		t.Fatalf("a shorter chain replaced b's: %v %v", ok, err)
	}
	ok, err = a.ReplaceChain(context.Background(), b.Blocks())
	if err != nil || !ok {
		t.Fatalf("a longer chain was refused: %v %v", ok, err)
	}
	if string(a.ChainJSON()) != string(b.ChainJSON()) {
		t.Fatal("chains differ after replacement")
	}
	// Survives a reopen.
	dir := a.Dir()
	a.Close()
	a2 := openTest(t, dir, Options{})
	if a2.Tip().Hash != b.Tip().Hash {
		t.Fatal("replacement lost on reopen")
	}
	// An invalid chain is refused with the rule it broke.
	forged, err := DecodeChainJSON(b.ChainJSON())
	if err != nil {
		t.Fatal(err)
	}
	forged = append(forged, forged[len(forged)-1].Clone())
	forged[len(forged)-1].Index++
	forged[len(forged)-1].Proof = 3
	if _, err := a2.ReplaceChain(context.Background(), forged); err == nil {
		t.Fatal("invalid chain adopted")
	} else if _, ok := IsRuleError(err); !ok {
		t.Fatalf("not a rule error: %v", err)
	}
}

func TestChainJSONRoundTrip(t *testing.T) {
	c := openTest(t, t.TempDir(), Options{Target: bitsOpt(6)})
	c.AddTx(Tx{Sender: "é😀\n", Recipient: "r", Amount: Float(1e-05)})
	mineN(t, c, 2, "")
	doc := c.ChainJSON()
	blocks, err := DecodeChainJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if string(EncodeChainJSON(blocks)) != string(doc) {
		t.Fatal("round trip changed the document")
	}
	py, err := CanonicalJSON(doc)
	if err != nil || string(py) != string(doc) {
		t.Fatalf("the document is not in Python's canonical form: %v", err)
	}
	for _, bad := range []string{`{"chain": [], "length": 0}`, `{"chain": [1], "length": 1}`, `{"length": 1}`, `{"chain": [], "length": 3}`} {
		if _, err := DecodeChainJSON([]byte(bad)); err == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
}

func TestMempool(t *testing.T) {
	c := openTest(t, t.TempDir(), Options{Target: bitsOpt(4)})
	tests := []struct {
		name string
		tx   Tx
		ok   bool
	}{
		{"ok", Tx{"a", "b", Int(5)}, true},
		{"float", Tx{"a", "b", Float(0.1)}, true},
		{"empty sender", Tx{"", "b", Int(5)}, false},
		{"empty recipient", Tx{"a", "", Int(5)}, false},
		{"zero", Tx{"a", "b", Int(0)}, false},
		{"negative", Tx{"a", "b", Float(-1)}, false},
		{"reward sender", Tx{"0", "b", Int(5)}, false},
		{"huge party", Tx{string(make([]byte, MaxPartyLen+1)), "b", Int(5)}, false},
		{"bad utf-8", Tx{"\xff", "b", Int(5)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, err := c.AddTx(tt.tx)
			if (err == nil) != tt.ok {
				t.Fatalf("AddTx: %v", err)
			}
			if err != nil && !errors.Is(err, ErrInvalidTx) {
				t.Fatalf("error does not wrap ErrInvalidTx: %v", err)
			}
			if err == nil && idx != 2 {
				t.Fatalf("next index %d", idx)
			}
		})
	}
	if c.PendingCount() != 2 {
		t.Fatal("pending count")
	}
	m := mineN(t, c, 1, "")[0]
	if len(m.Block.Transactions) != 3 || c.PendingCount() != 0 {
		t.Fatal("transactions not mined")
	}
}

func TestMineCancelAndStale(t *testing.T) {
	c := openTest(t, t.TempDir(), Options{Rules: RulesTutorial, Target: miner.MustPrefix("00000000000000")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Mine(ctx, MineOptions{Workers: 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}

	// A search that cannot finish is stopped by a tip change. No block can
	// be made at this difficulty, so the change is announced directly, as
	// connect does.
	done := make(chan error, 1)
	go func() {
		_, err := c.Mine(context.Background(), MineOptions{Workers: 1})
		done <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); ; {
		c.mu.Lock()
		n := len(c.subs)
		c.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	c.mu.Lock()
	tip := c.tipNode()
	c.notify(TipChange{Height: tip.block.Index, Hash: tip.hash})
	c.mu.Unlock()
	select {
	case err := <-done:
		if !errors.Is(err, ErrStale) {
			t.Fatalf("got %v, want ErrStale", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Mine did not stop on a tip change")
	}
}

func TestConcurrentUse(t *testing.T) {
	a, b := twoMiners(t, Options{Target: bitsOpt(4)})
	theirs := mineN(t, b, 5, "b")
	var wg sync.WaitGroup
	ctx := context.Background()
	wg.Add(4)
	go func() {
		defer wg.Done()
		for range 5 {
			a.Mine(ctx, MineOptions{Workers: 1})
		}
	}()
	go func() {
		defer wg.Done()
		for _, m := range theirs {
			a.AddBlock(m.Block)
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 50 {
			a.AddTx(Tx{"s", "r", Int(int64(i + 1))})
			a.Pending()
		}
	}()
	go func() {
		defer wg.Done()
		for range 20 {
			a.ChainJSON()
			a.Tip()
			a.PendingCount()
		}
	}()
	wg.Wait()
	if _, err := a.Validate(ctx, ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv(EnvDataDir, "/some/where")
	if d, err := DefaultDataDir(); err != nil || d != "/some/where" {
		t.Fatalf("%q %v", d, err)
	}
	t.Setenv(EnvDataDir, "")
	t.Setenv("HOME", "/home/x")
	if d, err := DefaultDataDir(); err != nil || d != "/home/x/.powlab" {
		t.Fatalf("%q %v", d, err)
	}
}

// TestOpenMustExistEmptyStore: a store whose creation failed (the file is
// there, no chain in it) is not turned into a new chain by a reader.
func TestOpenMustExistEmptyStore(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the genesis search fails at once
	if _, err := Open(ctx, dir, Options{Target: bitsOpt(30)}); err == nil {
		t.Fatal("Open with a cancelled genesis search succeeded")
	}
	if _, err := Open(context.Background(), dir, Options{MustExist: true}); !errors.Is(err, ErrNoChain) {
		t.Fatalf("MustExist on an empty store: err = %v, want ErrNoChain", err)
	}
	// A writer may still create it.
	c := openTest(t, dir, Options{Target: bitsOpt(8)})
	if c.Height() != 1 {
		t.Fatalf("height %d", c.Height())
	}
}
