package chain

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestTamperingDetected changes every field of every block of a powlab
// chain, one at a time, and expects validation to fail each time.
func TestTamperingDetected(t *testing.T) {
	// Mine a chain into a store (fixed clock and recipient: deterministic),
	// then read it back from disk.
	dir := t.TempDir()
	c := openTest(t, dir, Options{Target: bitsOpt(12)})
	for i := 2; i <= 4; i++ {
		for _, tx := range someTxs(i) {
			if _, err := c.AddTx(tx); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.Mine(context.Background(), MineOptions{Workers: 1, Recipient: "miner"}); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	c = openTest(t, dir, Options{})
	r := c.Rules()
	chain := c.Blocks()
	if len(chain) != 4 {
		t.Fatalf("%d blocks stored", len(chain))
	}
	if err := validateAt(r, chain); err != nil {
		t.Fatalf("untouched chain: %v", err)
	}
	b13, _ := ZeroBitsCompact(13)
	type mutation struct {
		name string
		f    func(b *Block)
	}
	for i := range chain {
		muts := []mutation{
			{"index", func(b *Block) { b.Index++ }},
			{"timestamp", func(b *Block) { b.Timestamp = Float(b.Timestamp.Float64() + 0.5) }},
			{"timestamp as int", func(b *Block) { b.Timestamp = Int(int64(b.Timestamp.Float64())) }},
			{"proof", func(b *Block) { b.Proof++ }},
			{"version", func(b *Block) { b.Version++ }},
			{"merkle_root", func(b *Block) { b.MerkleRoot[31] ^= 1 }},
			{"target", func(b *Block) { b.Target = b13 }},
			{"add a transaction", func(b *Block) {
				b.Transactions = append([]Tx{{Sender: "x", Recipient: "y", Amount: Int(1)}}, b.Transactions...)
			}},
		}
		if i > 0 {
			muts = append(muts, mutation{"prev_hash", func(b *Block) { b.PrevHash[0] ^= 0x80 }})
		}
		for j := range chain[i].Transactions {
			muts = append(muts,
				mutation{fmt.Sprintf("tx %d sender", j), func(b *Block) { b.Transactions[j].Sender += "x" }},
				mutation{fmt.Sprintf("tx %d recipient", j), func(b *Block) { b.Transactions[j].Recipient += "x" }},
				mutation{fmt.Sprintf("tx %d amount", j), func(b *Block) { b.Transactions[j].Amount = Float(b.Transactions[j].Amount.Float64() + 1) }},
				mutation{fmt.Sprintf("tx %d amount kind", j), func(b *Block) {
					a := b.Transactions[j].Amount
					if a.IsFloat() {
						b.Transactions[j].Amount = Int(int64(a.Float64()))
					} else {
						b.Transactions[j].Amount = Float(a.Float64())
					}
				}},
				mutation{fmt.Sprintf("drop tx %d", j), func(b *Block) {
					b.Transactions = append(b.Transactions[:j:j], b.Transactions[j+1:]...)
				}},
			)
		}
		if len(chain[i].Transactions) > 1 {
			muts = append(muts, mutation{"swap txs", func(b *Block) {
				b.Transactions[0], b.Transactions[1] = b.Transactions[1], b.Transactions[0]
			}})
		}
		for _, m := range muts {
			t.Run(fmt.Sprintf("block %d/%s", i+1, m.name), func(t *testing.T) {
				c := cloneChain(chain)
				m.f(c[i])
				err := validateAt(r, c)
				if err == nil {
					t.Fatal("tampered chain validated")
				}
				if _, ok := IsRuleError(err); !ok {
					t.Fatalf("error %v is not a *RuleError", err)
				}
			})
		}
	}
}

// TestTutorialRulesAreWeak edits an old block's transactions and relinks
// the chain with the same proofs: tutorial rules accept the forgery, powlab
// rules do not.
func TestTutorialRulesAreWeak(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		valid  bool
	}{
		{"tutorial", tutorialParams("00"), true},
		{"powlab", powlabParams(8), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRules(t, tt.params)
			honest := buildChain(t, r, 6, someTxs)
			if err := validateAt(r, honest); err != nil {
				t.Fatal(err)
			}
			forged := cloneChain(honest)
			forged[1].Transactions[0].Recipient = "mallory"
			forged[1].Transactions[0].Amount = Int(1000000)
			if err := validateAt(r, forged); err == nil {
				t.Fatal("an edit without relinking validated")
			}
			forged = Relink(r, forged)
			for i := range forged {
				if forged[i].Proof != honest[i].Proof {
					t.Fatal("Relink changed a proof")
				}
			}
			err := validateAt(r, forged)
			if tt.valid && err != nil {
				t.Fatalf("tutorial rules refused the forgery: %v", err)
			}
			if !tt.valid {
				var re *RuleError
				if !errors.As(err, &re) || re.Code != CodeBadProof || re.Index != 2 {
					t.Fatalf("powlab rules: got %v, want a bad proof at block 2", err)
				}
			}
		})
	}
}

func TestValidateChainErrors(t *testing.T) {
	r := mustRules(t, tutorialParams("0"))
	good := buildChain(t, r, 5, someTxs)
	tests := []struct {
		name  string
		edit  func(c []*Block) []*Block
		code  ErrorCode
		index uint64
	}{
		{"wrong prev hash", func(c []*Block) []*Block { c[2].PrevHash[3]++; return c }, CodeBadPrevHash, 3},
		{"bad proof", func(c []*Block) []*Block { c[3].Proof = 1 << 40; return Relink(r, c) }, CodeBadProof, 4},
		{"gap in indexes", func(c []*Block) []*Block { return Relink(r, append(c[:2:2], c[3:]...)) }, CodeBadIndex, 4},
		{"reward missing", func(c []*Block) []*Block { c[1].Transactions = c[1].Transactions[:2]; return Relink(r, c) }, CodeBadReward, 2},
		{"reward amount", func(c []*Block) []*Block { c[1].Transactions[2].Amount = Int(100); return Relink(r, c) }, CodeBadReward, 2},
		{"reward not last", func(c []*Block) []*Block {
			tx := c[1].Transactions
			tx[0], tx[2] = tx[2], tx[0]
			return Relink(r, c)
		}, CodeBadReward, 2},
		{"negative amount", func(c []*Block) []*Block { c[4].Transactions[0].Amount = Int(-3); return c }, CodeBadTransaction, 5},
		{"empty sender", func(c []*Block) []*Block { c[4].Transactions[0].Sender = ""; return c }, CodeBadTransaction, 5},
		{"genesis proof", func(c []*Block) []*Block { c[0].Proof = 7; return Relink(r, c) }, CodeBadGenesis, 1},
		{"genesis transactions", func(c []*Block) []*Block { c[0].Transactions = c[1].Transactions; return Relink(r, c) }, CodeBadGenesis, 1},
		{"powlab block under tutorial rules", func(c []*Block) []*Block { c[2].Version = 1; return c }, CodeBadVersion, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateAt(r, tt.edit(cloneChain(good)))
			re, ok := IsRuleError(err)
			if !ok || re.Code != tt.code || re.Index != tt.index {
				t.Fatalf("got %v, want %s at block %d", err, tt.code, tt.index)
			}
			if re.Error() == "" || re.Code.String() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestPowlabValidateErrors(t *testing.T) {
	p := powlabParams(6)
	p.RetargetInterval = 4
	r := mustRules(t, p)
	good := buildChain(t, r, 9, nil)
	b7, _ := ZeroBitsCompact(7)
	tests := []struct {
		name  string
		edit  func(c []*Block)
		code  ErrorCode
		index uint64
	}{
		{"stated target is not the retarget's", func(c []*Block) { c[5].Target = b7 }, CodeBadDifficulty, 6},
		{"merkle root", func(c []*Block) { c[2].Transactions[0].Recipient = "thief" }, CodeBadMerkleRoot, 3},
		{"timestamp not after the median", func(c []*Block) { c[6].Timestamp = Float(float64(testEpoch.Unix()) - 100) }, CodeBadTimestamp, 7},
		{"timestamp in the far future", func(c []*Block) { c[8].Timestamp = Float(float64(testEpoch.Unix()) + 1e7) }, CodeBadTimestamp, 9},
		{"int timestamp", func(c []*Block) { c[4].Timestamp = Int(testEpoch.Unix() + 5) }, CodeMalformed, 5},
		{"unknown version", func(c []*Block) { c[1].Version = 9 }, CodeBadVersion, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cloneChain(good)
			tt.edit(c)
			err := validateAt(r, c)
			re, ok := IsRuleError(err)
			if !ok || re.Code != tt.code || re.Index != tt.index {
				t.Fatalf("got %v, want %s at block %d", err, tt.code, tt.index)
			}
		})
	}
}
