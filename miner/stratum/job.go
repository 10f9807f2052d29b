package stratum

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
)

// Job is a validated mining.notify: the pieces of a block header and of its
// coinbase transaction, with the byte orders already resolved.
type Job struct {
	ID string
	// PrevHash is the previous block's hash in internal byte order (as the
	// header holds it), recovered from the notify's word-swapped form.
	PrevHash [32]byte
	Coinb1   []byte
	Coinb2   []byte
	// Branch holds the Merkle branch hashes in internal byte order.
	Branch [][32]byte
	// Version, NBits and NTime are the numbers the notify's big-endian
	// hex gives; the header holds them little-endian.
	Version uint32
	NBits   uint32
	NTime   uint32
	Clean   bool
}

// Coinbase is coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2.
func (j *Job) Coinbase(en1, en2 []byte) []byte {
	b := make([]byte, 0, len(j.Coinb1)+len(en1)+len(en2)+len(j.Coinb2))
	b = append(b, j.Coinb1...)
	b = append(b, en1...)
	b = append(b, en2...)
	return append(b, j.Coinb2...)
}

// MerkleRoot is the root (internal byte order) of the block whose coinbase
// is j.Coinbase(en1, en2): the coinbase's sha256d folded over the branch.
func (j *Job) MerkleRoot(en1, en2 []byte) [32]byte {
	return foldBranch(sha256x.Sum256d(j.Coinbase(en1, en2)), j.Branch)
}

// foldBranch walks a Merkle branch from the coinbase's leaf to the root:
// root = sha256d(root ‖ branch[i]) for each i. The coinbase is always the
// leftmost leaf, so it is always the left operand.
func foldBranch(leaf [32]byte, branch [][32]byte) [32]byte {
	var pair [64]byte
	root := leaf
	for _, b := range branch {
		copy(pair[:32], root[:])
		copy(pair[32:], b[:])
		root = sha256x.Sum256d(pair[:])
	}
	return root
}

// Header is the 80-byte block header for extranonces en1 and en2 and
// nonce: version, previous hash, Merkle root, time, bits and nonce, the
// numbers little-endian.
func (j *Job) Header(en1, en2 []byte, nonce uint32) [sha256x.HeaderLen]byte {
	return j.header(j.MerkleRoot(en1, en2), nonce)
}

func (j *Job) header(root [32]byte, nonce uint32) [sha256x.HeaderLen]byte {
	var h [sha256x.HeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], j.Version)
	copy(h[4:36], j.PrevHash[:])
	copy(h[36:68], root[:])
	binary.LittleEndian.PutUint32(h[68:], j.NTime)
	binary.LittleEndian.PutUint32(h[72:], j.NBits)
	binary.LittleEndian.PutUint32(h[76:], nonce)
	return h
}

// swapWords reverses the bytes within each 4-byte word: the notify's
// prevhash is the internal-order hash written as eight byte-swapped words
// (the convention every pool and cpuminer share), and the swap is its own
// inverse.
func swapWords(b [32]byte) [32]byte {
	for i := 0; i < 32; i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	return b
}

// hex32 is a 32-bit number in the 8-digit big-endian hex the protocol
// uses for version, nbits, ntime and the submitted nonce.
func hex32(v uint32) string { return fmt.Sprintf("%08x", v) }

func parseHex32(field, s string) (uint32, error) {
	if len(s) != 8 {
		return 0, fmt.Errorf("%s %q: want 8 hex digits", field, s)
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%s %q: not hex", field, s)
	}
	return uint32(v), nil
}

func parseHash(field, s string) ([32]byte, error) {
	var h [32]byte
	if len(s) != 64 {
		return h, fmt.Errorf("%s: want 64 hex digits, got %d", field, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("%s: %v", field, err)
	}
	return h, nil
}

// diff1 is the difficulty-1 share target, 0x00000000FFFF0000…0 (Bitcoin's
// compact 0x1d00ffff): a share of difficulty D must hash to at most
// diff1 / D.
var diff1 = new(big.Int).Lsh(big.NewInt(0xFFFF), 208)

var maxTarget = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// Difficulty is a pool's share difficulty: the exact value the pool sent
// and the share target it gives.
type Difficulty struct {
	Value  float64  // for display
	text   string   // as sent
	Target [32]byte // floor(diff1 / D), big-endian, at most 2^256-1
}

// ParseDifficulty reads a set_difficulty value (a JSON number, possibly
// fractional or with an exponent) exactly and computes its share target
// with integer arithmetic: floor(diff1 / D), capped at 2^256-1.
func ParseDifficulty(s string) (Difficulty, error) {
	if len(s) == 0 || len(s) > 64 {
		return Difficulty{}, fmt.Errorf("difficulty %.64q: want a number of at most 64 characters", s)
	}
	// The float only screens the range (so no exponent can make the exact
	// value huge) and is kept for display; the target comes from the Rat.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) {
		return Difficulty{}, fmt.Errorf("difficulty %q: want a positive finite number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return Difficulty{}, fmt.Errorf("difficulty %q: want a positive finite number", s)
	}
	t := new(big.Int).Mul(diff1, r.Denom())
	t.Quo(t, r.Num())
	if t.Cmp(maxTarget) > 0 {
		t.Set(maxTarget)
	}
	d := Difficulty{Value: f, text: s}
	t.FillBytes(d.Target[:])
	return d, nil
}

// DefaultDifficulty is difficulty 1, which applies until the pool sends
// mining.set_difficulty.
func DefaultDifficulty() Difficulty {
	d, _ := ParseDifficulty("1")
	return d
}

// MinerTarget is the share target as a miner.Target (Threshold), which a
// HeaderPuzzle compares with the hash in display order.
func (d Difficulty) MinerTarget() miner.Target { return miner.ThresholdTarget(d.Target) }

// String is the difficulty as the pool wrote it.
func (d Difficulty) String() string { return d.text }
