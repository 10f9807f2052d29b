package pool

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/powlab/powlab/chain"
)

// Extranonce sizes: the pool's extranonce1 per connection and the miner's
// extranonce2; with the 4-byte job number after them (coinb2) they make the
// coinbase's extra nonce (12 bytes, within the 100 bitcoin rules allow).
const (
	Extranonce1Size = 4
	Extranonce2Size = 4
)

// job is one unit of work handed to miners: a candidate block whose
// coinbase extra nonce, time and nonce the miners choose.
type job struct {
	id       string
	block    *chain.Block // the candidate; Coinbase holds the prefix only
	prefix   []byte       // coinbase prefix: the reward's JSON and a 0 byte
	tail     []byte       // coinb2: the job's sequence number, so no two jobs share a header
	branch   []chain.Hash // Merkle branch of leaf 0 (internal byte order)
	height   uint64       // the candidate's index
	minTime  uint32       // the candidate's time: submissions may not go below it
	blockMax *big.Int     // block target (display-order hash must not exceed it)
	clean    bool
}

// newJob turns a candidate block (bitcoin rules, with a coinbase) into a
// job.
func newJob(seq uint64, b *chain.Block, clean bool) (*job, error) {
	if b.Bits == 0 || len(b.Coinbase) == 0 {
		return nil, fmt.Errorf("pool: block %d is not a bitcoin-rules block with a coinbase", b.Index)
	}
	n := len(b.Transactions)
	prefix := chain.BtcCoinbasePrefix(b.Transactions[n-1])
	leaves := []chain.Hash{{}} // leaf 0, the coinbase, is the miners'
	for _, tx := range b.Transactions[:n-1] {
		leaves = append(leaves, chain.BtcTxID(tx))
	}
	max, err := chain.BitsTarget(b.Bits)
	if err != nil {
		return nil, err
	}
	ts, _ := b.Timestamp.Uint64()
	tail := binary.BigEndian.AppendUint32(nil, uint32(seq))
	return &job{id: strconv.FormatUint(seq, 16), block: b, prefix: prefix, tail: tail, branch: merkleBranch(leaves), height: b.Index,
		minTime: uint32(ts), blockMax: max, clean: clean}, nil
}

// variant is j again under job number seq: the same block, another coinb2,
// so its headers differ from j's. A connection whose difficulty changes
// gets one at once, with the new difficulty.
func (j *job) variant(seq uint64) *job {
	v := *j
	v.id = strconv.FormatUint(seq, 16)
	v.tail = binary.BigEndian.AppendUint32(nil, uint32(seq))
	v.clean = false
	return &v
}

// merkleBranch is the path of leaf 0 to Bitcoin's Merkle root: the sibling
// at each level (the node itself where an odd last node is paired with
// itself). Folding h = sha256d(h ‖ sibling) over it from the leaf gives the
// root, as every Stratum miner does.
func merkleBranch(leaves []chain.Hash) []chain.Hash {
	var branch []chain.Hash
	level := slices.Clone(leaves)
	var pair [64]byte
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		branch = append(branch, level[1])
		next := []chain.Hash{{}} // the path's node: not needed
		for i := 2; i < len(level); i += 2 {
			copy(pair[:32], level[i][:])
			copy(pair[32:], level[i+1][:])
			next = append(next, chain.Sha256d(pair[:]))
		}
		level = next
	}
	return branch
}

// rootFromBranch folds the branch over the coinbase hash.
func rootFromBranch(coinbase []byte, branch []chain.Hash) chain.Hash {
	h := chain.Sha256d(coinbase)
	var pair [64]byte
	for _, s := range branch {
		copy(pair[:32], h[:])
		copy(pair[32:], s[:])
		h = chain.Sha256d(pair[:])
	}
	return h
}

// notifyParams are the job's mining.notify parameters: job id, previous
// hash (internal byte order with each 4-byte word reversed, as Stratum
// writes it), coinb1, coinb2, the Merkle branch, version, nbits, ntime (all
// three as big-endian hex) and clean_jobs.
func (j *job) notifyParams() []any {
	branch := make([]string, len(j.branch))
	for i, h := range j.branch {
		branch[i] = hex.EncodeToString(h[:])
	}
	prev := j.block.PrevHash.Reversed() // internal byte order
	return []any{
		j.id, hex.EncodeToString(stratumWords(prev)), hex.EncodeToString(j.prefix), hex.EncodeToString(j.tail), branch,
		fmt.Sprintf("%08x", j.block.Version), fmt.Sprintf("%08x", j.block.Bits), fmt.Sprintf("%08x", j.minTime), j.clean,
	}
}

// stratumWords reverses the bytes of each 4-byte word of h: Stratum's form
// of a previous-block hash.
func stratumWords(h chain.Hash) []byte {
	out := make([]byte, 32)
	for w := 0; w < 8; w++ {
		for k := 0; k < 4; k++ {
			out[4*w+k] = h[4*w+3-k]
		}
	}
	return out
}

// share is a submission rebuilt into a block.
type share struct {
	block *chain.Block
	hash  chain.Hash // display order
}

// build rebuilds the block a submission describes: the coinbase with the
// extranonces, the Merkle root, the time and the nonce.
func (j *job) build(en1, en2 []byte, ntime, nonce uint32) share {
	b := j.block.Clone()
	b.Coinbase = append(append(append(append([]byte(nil), j.prefix...), en1...), en2...), j.tail...)
	b.MerkleRoot = rootFromBranch(b.Coinbase, j.branch).Reversed()
	b.Timestamp = chain.Int(int64(ntime))
	b.Proof = uint64(nonce)
	h := chain.BlockHeader(b)
	return share{block: b, hash: h.Hash().Reversed()}
}

// parseHex32 reads a big-endian 8-hex-digit word (ntime, nonce).
func parseHex32(s string) (uint32, bool) {
	if len(s) != 8 {
		return 0, false
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}
