package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/miner"
)

func bitcoinOptions(bits int, interval uint64, blockTime time.Duration) Options {
	return Options{Rules: RulesBitcoin, Target: bitsOpt(bits), RetargetInterval: &interval, BlockTime: blockTime}
}

// TestBitcoinChain mines a bitcoin-rules chain whose blocks come faster
// than the 8 s aim, so the retargets (every 5 blocks) make the target
// harder, and checks it block by block: validation, the retargets, JSON
// round trips, and the exported headers against ValidateHeaders.
func TestBitcoinChain(t *testing.T) {
	dir := t.TempDir()
	var tick int64
	o := bitcoinOptions(12, 5, 8*time.Second)
	o.Now = func() time.Time { tick++; return testEpoch.Add(time.Duration(tick) * 2 * time.Second) }
	c := openTest(t, dir, o)
	c.AddTx(Tx{Sender: "alice", Recipient: "bob", Amount: Int(3)})
	c.AddTx(Tx{Sender: "alice", Recipient: "bob", Amount: Int(3)}) // a repeat: waits for the next block
	mined := mineN(t, c, 21, "")
	cb := mined[0].Block.Coinbase
	if want := BtcCoinbasePrefix(mined[0].Block.Transactions[1]); !bytes.HasPrefix(cb, want) || len(cb) != len(want)+8 {
		t.Fatalf("coinbase %x: want the reward's JSON, a 0 byte and 8 bytes of extra nonce", cb)
	}
	if got := len(mined[0].Block.Transactions); got != 2 {
		t.Fatalf("first block holds %d transactions, want the transfer and the reward", got)
	}
	if got := len(mined[1].Block.Transactions); got != 2 {
		t.Fatalf("second block holds %d transactions, want the repeated transfer and the reward", got)
	}
	if _, err := c.Validate(context.Background(), ValidateOptions{Now: testEpoch.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	blocks := c.Blocks()
	r := c.Rules().(*bitcoinRules)
	limit, _ := BitsForZeroBits(12)
	if blocks[0].Bits != limit || r.BtcParams().PowLimit != limit {
		t.Fatalf("genesis bits %08x, limit %08x", blocks[0].Bits, limit)
	}
	changed := 0
	for i := 1; i < len(blocks); i++ {
		b, p := blocks[i], blocks[i-1]
		if !b.Timestamp.IsInt() || b.Proof > 1<<32-1 {
			t.Fatalf("block %d: time %s proof %d", b.Index, b.Timestamp, b.Proof)
		}
		height := b.Index - 1
		want := p.Bits
		if height%5 == 0 {
			first := blocks[height-5]
			var err error
			want, err = BtcRetarget(r.BtcParams(), p.Bits, int64(first.Timestamp.Float64()), int64(p.Timestamp.Float64()))
			if err != nil {
				t.Fatal(err)
			}
		}
		if b.Bits != want {
			t.Fatalf("block %d: bits %08x, want %08x", b.Index, b.Bits, want)
		}
		if b.Bits != p.Bits {
			changed++
		}
		if b.PrevHash != r.Hash(p) {
			t.Fatalf("block %d: prev_hash is not the parent's hash", b.Index)
		}
	}
	if changed == 0 {
		t.Fatal("no retarget changed the bits")
	}
	// JSON: canonical form round-trips and carries bits, not target.
	doc := c.ChainJSON()
	back, err := DecodeChainJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(EncodeChainJSON(back), doc) || !strings.Contains(string(doc), `"bits": "`) || strings.Contains(string(doc), `"target"`) {
		t.Fatalf("chain JSON does not round-trip or has the wrong fields: %.300s", doc)
	}
	if _, err := ValidateChain(context.Background(), r, back, ValidateOptions{Now: testEpoch.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Headers, as `powlab chain --headers` writes them, pass the header
	// validator under the same parameters, and their hashes are the chain's.
	hs := make([]BtcHeader, len(blocks))
	for i, b := range blocks {
		hs[i] = BlockHeader(b)
		if hs[i].Hash().Reversed() != r.Hash(b) {
			t.Fatalf("block %d: header hash differs from the chain's", b.Index)
		}
	}
	res, err := ValidateHeaders(hs, HeaderOptions{Params: r.BtcParams()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Retargets != 4 || res.Work != c.Tip().Work {
		t.Fatalf("headers: %+v; chain work %s", res, c.Tip().Work)
	}
	// Reopened, the chain is the same.
	c.Close()
	c2 := openTest(t, dir, Options{})
	if c2.Params().Rules != RulesBitcoin || c2.Tip().Hash != r.Hash(blocks[len(blocks)-1]) {
		t.Fatalf("reopened: %s %s", c2.Params(), c2.Tip().Hash)
	}
}

// TestBitcoinRollsTime: with the nonces of one header capped far below
// the expected attempts, the miner must roll the time and still find a
// valid block. The header is fixed (a clock that stands still, a fixed
// recipient), so the search is the same on every run: with a random
// header (the node's random address in the coinbase, the wall clock's
// time), the first 64 nonces met the 12-bit target about once in 64 runs
// (1-(1-2^-12)^64 ≈ 1.6%) and no roll happened.
func TestBitcoinRollsTime(t *testing.T) {
	o := bitcoinOptions(12, 2016, 10*time.Minute)
	o.Now = func() time.Time { return testEpoch }
	c := openTest(t, t.TempDir(), o)
	const perHeader = 64
	cand, _, _ := c.Candidate("miner")
	m, err := c.Mine(context.Background(), MineOptions{Workers: 1, Recipient: "miner", noncesPerHeader: perHeader})
	if err != nil {
		t.Fatal(err)
	}
	if m.Block.Proof >= perHeader {
		t.Fatalf("proof %d: the cap of %d nonces per header was not kept", m.Block.Proof, perHeader)
	}
	rolls := m.Block.Timestamp.Float64() - cand.Timestamp.Float64()
	if rolls < 1 || m.Search.Attempts <= perHeader {
		t.Fatalf("time %s (candidate %s), %d attempts: no roll happened", m.Block.Timestamp, cand.Timestamp, m.Search.Attempts)
	}
	// Every rolled header's nonces were all tried: one worker in
	// smallest-nonce mode counts them exactly.
	if want := uint64(rolls)*perHeader + m.Block.Proof + 1; m.Search.Attempts != want {
		t.Fatalf("%d attempts, want %v rolls × %d + proof %d + 1 = %d", m.Search.Attempts, rolls, perHeader, m.Block.Proof, want)
	}
	if _, err := c.Validate(context.Background(), ValidateOptions{Now: testEpoch.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

// TestBitcoinBlockRules: tampering with a mined block breaks the rule it
// should, with the numbers in the message.
func TestBitcoinBlockRules(t *testing.T) {
	c := openTest(t, t.TempDir(), bitcoinOptions(10, 2016, 10*time.Minute))
	c.AddTx(Tx{Sender: "alice", Recipient: "bob", Amount: Int(3)})
	mineN(t, c, 2, "")
	r := c.Rules()
	good := c.Blocks()
	now := testEpoch.Add(time.Hour)
	tests := []struct {
		name   string
		mutate func(b *Block)
		code   ErrorCode
	}{
		{"transaction changed", func(b *Block) { b.Transactions[0].Amount = Int(4) }, CodeBadMerkleRoot},
		{"transaction repeated", func(b *Block) {
			b.Transactions = append([]Tx{b.Transactions[0]}, b.Transactions...)
		}, CodeBadTransaction},
		{"bits easier", func(b *Block) { b.Bits = 0x2100ffff }, CodeBadDifficulty},
		{"bits harder", func(b *Block) { b.Bits-- }, CodeBadDifficulty},
		{"float time", func(b *Block) { b.Timestamp = Float(b.Timestamp.Float64()) }, CodeMalformed},
		{"time at the median", func(b *Block) { b.Timestamp = good[0].Timestamp }, CodeBadTimestamp},
		{"time too far ahead", func(b *Block) { b.Timestamp = Int(now.Add(3 * time.Hour).Unix()) }, CodeBadTimestamp},
		{"proof over 32 bits", func(b *Block) { b.Proof += 1 << 32 }, CodeMalformed},
		{"proof off by one", func(b *Block) { b.Proof++ }, CodeBadProof},
		{"a powlab target too", func(b *Block) { b.Target = 5 }, CodeMalformed},
		{"extra nonce changed", func(b *Block) { b.Coinbase[len(b.Coinbase)-1]++ }, CodeBadMerkleRoot},
		{"no coinbase", func(b *Block) { b.Coinbase = nil }, CodeBadReward},
		{"coinbase for another reward", func(b *Block) { b.Coinbase[2] ^= 1 }, CodeBadReward},
		{"extra nonce over 100 bytes", func(b *Block) { b.Coinbase = append(b.Coinbase, make([]byte, 100)...) }, CodeMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			blocks := cloneChain(good)
			tc.mutate(blocks[1])
			_, err := ValidateChain(context.Background(), r, blocks, ValidateOptions{Now: now})
			re, ok := IsRuleError(err)
			if tc.code == CodeBadProof && ok && re.Code == CodeBadProof {
				return
			}
			if !ok || re.Code != tc.code || re.Index != 2 {
				t.Fatalf("err = %v, want %s at block 2", err, tc.code)
			}
		})
	}
}

func TestBitcoinBlockJSON(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"coinbase without bits", `{"coinbase": "00", "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "target": "` + strings.Repeat("f", 64) + `", "timestamp": 5, "transactions": [], "version": 1}`, "bitcoin blocks"},
		{"coinbase odd hex", `{"bits": "1d00ffff", "coinbase": "abc", "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "timestamp": 5, "transactions": [], "version": 1}`, "lower-case hex"},
		{"coinbase too long", `{"bits": "1d00ffff", "coinbase": "` + strings.Repeat("00", 2000) + `", "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "timestamp": 5, "transactions": [], "version": 1}`, "lower-case hex"},
		{"bits and target", `{"bits": "1d00ffff", "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "target": "` + strings.Repeat("f", 64) + `", "timestamp": 5, "transactions": [], "version": 1}`, "not both"},
		{"bits not hex", `{"bits": "1D00FFFF", "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "timestamp": 5, "transactions": [], "version": 1}`, "8 lower-case hex"},
		{"bits zero", `{"bits": "00000000", "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "timestamp": 5, "transactions": [], "version": 1}`, "not a target"},
		{"bits without merkle root", `{"bits": "1d00ffff", "index": 2, "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "timestamp": 5, "transactions": [], "version": 1}`, "needs all of"},
		{"bits a number", `{"bits": 486604799, "index": 2, "merkle_root": "` + strings.Repeat("0", 64) + `", "prev_hash": "` + strings.Repeat("0", 64) + `", "proof": 1, "timestamp": 5, "transactions": [], "version": 1}`, "want a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBlock([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestBitcoinGenesisHeader: a bitcoin-rules block laid out with the
// mainnet genesis block's fields hashes to Bitcoin's genesis hash (the
// header is real; only the transactions behind its Merkle root differ).
func TestBitcoinGenesisHeader(t *testing.T) {
	mr, _ := hex.DecodeString("3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a")
	var root Hash
	copy(root[:], mr)
	b := &Block{Index: 1, Timestamp: Int(1231006505), Version: 1, MerkleRoot: root.Reversed(), Bits: 0x1d00ffff, Proof: 2083236893}
	r, err := NewRules(Params{Rules: RulesBitcoin, Target: mustThreshold(t, 0x1d00ffff), Reward: DefaultReward, RetargetInterval: 2016, BlockTime: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Hash(b).String(); got != genesisDisplay {
		t.Fatalf("hash %s", got)
	}
	if w := r.Work(b); w.String() != "4295032833" {
		t.Fatalf("work %s", w)
	}
}

// mustThreshold is the threshold target of compact bits.
func mustThreshold(t *testing.T, bits uint32) miner.Target {
	t.Helper()
	tg, err := miner.CompactTarget(bits)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestBitcoinParams(t *testing.T) {
	suffix00, _ := miner.ParseSuffix("00")
	for _, tc := range []struct {
		name string
		p    Params
		want string
	}{
		{"suffix target", Params{Rules: RulesBitcoin, Target: suffix00, Reward: DefaultReward, RetargetInterval: 10, BlockTime: time.Second}, "compact"},
		{"no interval", Params{Rules: RulesBitcoin, Target: bitsOpt(16), Reward: DefaultReward, BlockTime: time.Second}, "interval"},
		{"sub-second block time", Params{Rules: RulesBitcoin, Target: bitsOpt(16), Reward: DefaultReward, RetargetInterval: 10, BlockTime: time.Millisecond}, "whole seconds"},
		{"all 256 bits", Params{Rules: RulesBitcoin, Target: bitsOpt(256), Reward: DefaultReward, RetargetInterval: 10, BlockTime: time.Second}, "1 to 255"},
	} {
		if _, err := NewRules(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	p := DefaultParams(RulesBitcoin)
	if p.RetargetInterval != 2016 || p.BlockTime != 10*time.Minute || p.Target.String() != "bits 16" {
		t.Fatalf("defaults %+v", p)
	}
	if _, err := NewRules(p); err != nil {
		t.Fatal(err)
	}
	// Stored and read back.
	var back Params
	b, _ := p.MarshalJSON()
	if err := back.UnmarshalJSON(b); err != nil || !back.Equal(p) {
		t.Fatalf("params JSON %s -> %+v %v", b, back, err)
	}
}
