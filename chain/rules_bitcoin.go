package chain

import (
	"bytes"
	"math"
	"time"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/miner"
)

// RulesBitcoin names Bitcoin's rules: real 80-byte headers, sha256d proof
// of work, compact bits and Bitcoin Core's retarget.
const RulesBitcoin = "bitcoin"

// BtcVersion is the header version bitcoin-rules blocks are mined with.
const BtcVersion = 1

// Defaults of a new bitcoin-rules chain: Bitcoin's 2016-block window of 10
// minutes, and a lab-sized limit of 16 zero bits (compact 0x1f00ffff).
const (
	BtcDefaultInterval  = 2016
	BtcDefaultBlockTime = 10 * time.Minute
	BtcDefaultZeroBits  = 16
)

// bitcoinRules are Bitcoin's consensus rules over the tutorial's blocks:
// the block's identity is the sha256d of its 80-byte header (version,
// previous hash, Merkle root of the coinbase and the transactions' ids,
// time, bits, nonce = the block's proof), shown and linked in display order (byte-reversed, as
// explorers print it, so prev_hash and the chain's hashes read like
// Bitcoin's); the target comes from compact bits, retargeted every
// Interval blocks as Bitcoin Core does; times are whole seconds above the
// median of the last 11 blocks and at most 2 hours ahead of the clock.
//
// Heights: a block's Index is its Bitcoin height + 1 (the genesis block is
// Index 1, height 0).
type bitcoinRules struct {
	p  Params
	bp BtcParams
	d  *difficulty
}

func newBitcoinRules(p Params) (*bitcoinRules, error) {
	limit, err := BtcBitsFromTarget(p.Target)
	if err != nil {
		return nil, err
	}
	bp := BtcParams{PowLimit: limit, Interval: p.RetargetInterval, BlockTime: p.BlockTime}
	if p.DAAName() != "bitcoin" {
		bp.Interval = 1 // Validate's check of the interval is the bitcoin algorithm's
	}
	if err := bp.Validate(); err != nil {
		return nil, err
	}
	bp.Interval = p.RetargetInterval
	t, err := daa.BitsToTarget(limit)
	if err != nil {
		return nil, err
	}
	d, err := newDifficulty(p, true, t, t)
	if err != nil {
		return nil, err
	}
	return &bitcoinRules{p: p, bp: bp, d: d}, nil
}

func (r *bitcoinRules) Name() string   { return RulesBitcoin }
func (r *bitcoinRules) Params() Params { return r.p }

// BtcParams are the proof-of-work parameters the rules were built with.
func (r *bitcoinRules) BtcParams() BtcParams { return r.bp }

// BlockHeader is b's 80-byte Bitcoin header (its proof as the nonce).
func BlockHeader(b *Block) BtcHeader {
	var ts uint32
	if u, ok := b.Timestamp.Uint64(); ok && u <= math.MaxUint32 {
		ts = uint32(u)
	}
	return BtcHeader{
		Version: b.Version, PrevBlock: b.PrevHash.Reversed(), MerkleRoot: b.MerkleRoot.Reversed(),
		Time: ts, Bits: b.Bits, Nonce: uint32(b.Proof),
	}
}

func (r *bitcoinRules) Hash(b *Block) Hash {
	h := BlockHeader(b)
	return h.Hash().Reversed()
}

func (r *bitcoinRules) ProofHash(_, b *Block) (Hash, bool) { return r.Hash(b), true }

func (r *bitcoinRules) proofIsHash() bool { return true }

func (r *bitcoinRules) Puzzle(_, b *Block) miner.Puzzle {
	h := BlockHeader(b)
	raw := h.Bytes()
	p, _ := miner.HeaderPuzzle(raw[:], 0) // 80 bytes: cannot fail
	return p
}

// nextBits is the bits the child of tip needs (tip nil: the genesis
// block's, the limit).
func (r *bitcoinRules) nextBits(tip HeaderCtx) uint32 {
	return uint32(r.d.next(tip, Compact(r.bp.PowLimit)))
}

// nextHeader is the child's bits as HeaderCtx.Bits holds them.
func (r *bitcoinRules) nextHeader(tip HeaderCtx) Compact { return Compact(r.nextBits(tip)) }

func (r *bitcoinRules) NextTarget(tip HeaderCtx) miner.Target {
	t, err := miner.CompactTarget(r.nextBits(tip))
	if err != nil { // bits from nextBits always expand; keep the zero target out anyway
		t, _ = miner.CompactTarget(r.bp.PowLimit)
	}
	return t
}

func (r *bitcoinRules) statedTarget(b *Block) (miner.Target, bool) {
	t, err := miner.CompactTarget(b.Bits)
	return t, err == nil
}

func (r *bitcoinRules) Work(b *Block) Work {
	w, err := BtcWork(b.Bits)
	if err != nil {
		return Work{}
	}
	return w
}

func (r *bitcoinRules) Genesis(ts Number) *Block {
	b := &Block{Index: 1, Timestamp: ts, Transactions: []Tx{}}
	r.Prepare(b, nil)
	return b
}

// btcExtraNonceLen is the extra nonce a locally mined coinbase carries:
// 8 zero bytes, the room a Stratum pool splits into extranonce1 and
// extranonce2.
const btcExtraNonceLen = 8

// Prepare sets the header fields: version, the coinbase (the reward and an
// extra nonce), Merkle root, bits, and the time as whole seconds above the
// median time of the last 11 blocks. A
// transaction repeated in the candidate is left for a later block (its
// pending copy stays in the mempool): Bitcoin's Merkle tree cannot tell a
// repeat from its own padding, so CheckBlock refuses repeats.
func (r *bitcoinRules) Prepare(b *Block, tip HeaderCtx) {
	seen := make(map[Hash]bool, len(b.Transactions))
	txs := b.Transactions[:0]
	for _, tx := range b.Transactions {
		if id := BtcTxID(tx); !seen[id] {
			seen[id] = true
			txs = append(txs, tx)
		}
	}
	b.Transactions = txs
	b.Coinbase = nil
	if n := len(txs); n > 0 && txs[n-1].IsReward() {
		b.Coinbase = append(BtcCoinbasePrefix(txs[n-1]), make([]byte, btcExtraNonceLen)...)
	}
	b.Version = BtcVersion
	b.Target = 0
	b.MerkleRoot = BtcBlockMerkleRoot(b.Coinbase, b.Transactions).Reversed()
	b.Bits = r.nextBits(tip)
	secs := int64(math.Floor(b.Timestamp.Float64()))
	if tip != nil {
		if mt := int64(MedianTime(tip)); secs <= mt {
			secs = mt + 1
		}
	}
	b.Timestamp = Int(min(max(secs, 0), math.MaxUint32))
}

// Roll moves the header's time on by one second once all 2^32 nonces of
// the header failed (what Bitcoin miners do before touching the coinbase's
// extra nonce); false once the time would leave 32 bits.
func (r *bitcoinRules) Roll(b *Block) bool {
	u, ok := b.Timestamp.Uint64()
	if !ok || u >= math.MaxUint32 {
		return false
	}
	b.Timestamp = Int(int64(u + 1))
	return true
}

func (r *bitcoinRules) CheckBlock(b *Block) error {
	if b.Version == 0 || b.Bits == 0 {
		return ruleErr(CodeMalformed, b.Index, "a bitcoin-rules block needs version, merkle_root and bits")
	}
	if b.Target != 0 {
		return ruleErr(CodeMalformed, b.Index, "a bitcoin-rules block carries bits, not a powlab target")
	}
	if !b.Timestamp.IsInt() {
		return ruleErr(CodeMalformed, b.Index, "timestamp %.40s is a float; bitcoin rules count whole seconds", b.Timestamp)
	}
	if u, ok := b.Timestamp.Uint64(); !ok || u > math.MaxUint32 {
		return ruleErr(CodeBadTimestamp, b.Index, "timestamp %.40s does not fit the header's 32-bit time", b.Timestamp)
	}
	if b.Proof > math.MaxUint32 {
		return ruleErr(CodeMalformed, b.Index, "proof %d does not fit the header's 32-bit nonce", b.Proof)
	}
	if _, err := BitsTarget(b.Bits); err != nil {
		return ruleErr(CodeBadDifficulty, b.Index, "bits %08x: %v", b.Bits, err)
	}
	// The coinbase carries the reward (the last transaction; the genesis
	// block has neither).
	n := len(b.Transactions)
	if n == 0 || !b.Transactions[n-1].IsReward() {
		if len(b.Coinbase) > 0 {
			return ruleErr(CodeBadReward, b.Index, "a coinbase but no reward transaction")
		}
	} else {
		prefix := BtcCoinbasePrefix(b.Transactions[n-1])
		if !bytes.HasPrefix(b.Coinbase, prefix) {
			return ruleErr(CodeBadReward, b.Index, "the coinbase (%d bytes) does not start with the reward's JSON and a 0 byte", len(b.Coinbase))
		}
		if extra := len(b.Coinbase) - len(prefix); extra > BtcMaxExtraNonce {
			return ruleErr(CodeMalformed, b.Index, "the coinbase's extra nonce is %d bytes, the limit is %d", extra, BtcMaxExtraNonce)
		}
	}
	// Bitcoin's Merkle tree pairs an odd last id with itself, so a list
	// that repeats a transaction can share its root with a shorter one
	// (CVE-2012-2459): refuse repeated ids.
	seen := make(map[Hash]bool, n)
	for i, tx := range b.Transactions {
		id := BtcTxID(tx)
		if seen[id] {
			return ruleErr(CodeBadTransaction, b.Index, "transaction %d repeats an earlier one (txid %s)", i, id.Reversed())
		}
		seen[id] = true
	}
	if m := BtcBlockMerkleRoot(b.Coinbase, b.Transactions).Reversed(); m != b.MerkleRoot {
		return ruleErr(CodeBadMerkleRoot, b.Index, "merkle_root %s, but the coinbase and %d transactions hash to %s", b.MerkleRoot, len(b.Transactions), m)
	}
	return nil
}

func (r *bitcoinRules) CheckContext(b *Block, parent HeaderCtx, now time.Time) error {
	if want := r.nextBits(parent); b.Bits != want {
		return ruleErr(CodeBadDifficulty, b.Index, "bits %08x, height %d needs %08x", b.Bits, b.Index-1, want)
	}
	ts := b.Timestamp.Float64()
	if parent != nil {
		if mt := MedianTime(parent); !(ts > mt) {
			return ruleErr(CodeBadTimestamp, b.Index, "time %s is not after the median time %.0f of the last %d blocks", b.Timestamp, mt, MedianTimeSpan)
		}
	}
	if limit := now.Add(MaxFutureDrift).Unix(); ts > float64(limit) {
		return ruleErr(CodeBadTimestamp, b.Index, "time %s is more than %s ahead of the clock (%d)", b.Timestamp, MaxFutureDrift, now.Unix())
	}
	return nil
}
