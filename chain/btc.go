package chain

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
)

// BtcHeaderLen is the length of a Bitcoin block header.
const BtcHeaderLen = sha256x.HeaderLen

// BtcHeader is a Bitcoin block header: version, the previous block's hash
// and the Merkle root (both in internal byte order, as the 80 bytes hold
// them), time, compact bits and nonce (little-endian on the wire).
type BtcHeader struct {
	Version    uint32
	PrevBlock  Hash // internal byte order (the display form reversed)
	MerkleRoot Hash // internal byte order
	Time       uint32
	Bits       uint32
	Nonce      uint32
}

// ParseBtcHeader decodes an 80-byte header.
func ParseBtcHeader(b []byte) (BtcHeader, error) {
	var h BtcHeader
	if len(b) != BtcHeaderLen {
		return h, fmt.Errorf("a block header has %d bytes, got %d", BtcHeaderLen, len(b))
	}
	h.Version = binary.LittleEndian.Uint32(b[0:])
	copy(h.PrevBlock[:], b[4:36])
	copy(h.MerkleRoot[:], b[36:68])
	h.Time = binary.LittleEndian.Uint32(b[68:])
	h.Bits = binary.LittleEndian.Uint32(b[72:])
	h.Nonce = binary.LittleEndian.Uint32(b[76:])
	return h, nil
}

// Bytes is the 80-byte serialisation.
func (h *BtcHeader) Bytes() [BtcHeaderLen]byte {
	var b [BtcHeaderLen]byte
	binary.LittleEndian.PutUint32(b[0:], h.Version)
	copy(b[4:36], h.PrevBlock[:])
	copy(b[36:68], h.MerkleRoot[:])
	binary.LittleEndian.PutUint32(b[68:], h.Time)
	binary.LittleEndian.PutUint32(b[72:], h.Bits)
	binary.LittleEndian.PutUint32(b[76:], h.Nonce)
	return b
}

// Hash is sha256d of the header in internal byte order: what the next
// header's PrevBlock holds.
func (h *BtcHeader) Hash() Hash {
	b := h.Bytes()
	return sha256x.Sum256d(b[:])
}

// Reversed is h byte-reversed: between internal byte order and the display
// order block explorers print (and the order Bitcoin compares with the
// target, as a big-endian number).
func (h Hash) Reversed() Hash {
	slices.Reverse(h[:])
	return h
}

// Sha256d is SHA-256 applied twice.
func Sha256d(b []byte) Hash { return sha256x.Sum256d(b) }

// BtcTxID is a transaction's id under bitcoin rules: sha256d of its
// canonical JSON (the tutorial's transactions stay JSON), in internal
// byte order.
func BtcTxID(tx Tx) Hash { return Sha256d(tx.CanonicalJSON()) }

// BtcMerkleRoot is Bitcoin's Merkle root of the transactions' ids (internal
// byte order): each level pairs neighbours, hashing left || right with
// sha256d, and an odd last node is paired with itself. One transaction is
// its own root. (Bitcoin's duplicate-last rule lets two lists share a root
// — CVE-2012-2459 — which is why blocks must also not repeat a
// transaction; ours never do: a block's transactions are the mempool's,
// and CheckBlock refuses duplicates.)
func BtcMerkleRoot(txs []Tx) Hash {
	leaves := make([]Hash, len(txs))
	for i, tx := range txs {
		leaves[i] = BtcTxID(tx)
	}
	return btcMerkle(leaves)
}

// btcMerkle folds leaves (internal byte order) into Bitcoin's Merkle root;
// no leaves give the zero hash. The slice is used as scratch.
func btcMerkle(level []Hash) Hash {
	if len(level) == 0 {
		return Hash{}
	}
	var pair [64]byte
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := level[:0]
		for i := 0; i < len(level); i += 2 {
			copy(pair[:32], level[i][:])
			copy(pair[32:], level[i+1][:])
			next = append(next, Sha256d(pair[:]))
		}
		level = next
	}
	return level[0]
}

// BtcMaxExtraNonce bounds the extra nonce after a coinbase's prefix: 100
// bytes, the size Bitcoin allows a coinbase's scriptSig.
const BtcMaxExtraNonce = 100

// maxCoinbaseJSON bounds a coinbase in JSON (bytes): a reward's canonical
// JSON, the 0 byte and the largest extra nonce.
const maxCoinbaseJSON = MaxTxJSON + 1 + BtcMaxExtraNonce

// BtcCoinbasePrefix is what a bitcoin-rules coinbase starts with: the
// reward transaction's canonical JSON and a 0 byte. The bytes after it are
// an extra nonce (0 to BtcMaxExtraNonce bytes), which miners and Stratum
// pools change freely (coinb1 · extranonce1 · extranonce2 · coinb2) to get
// a fresh Merkle root when a header's 2^32 nonces run out.
func BtcCoinbasePrefix(reward Tx) []byte {
	return append(reward.CanonicalJSON(), 0)
}

// BtcBlockMerkleRoot is a bitcoin-rules block's Merkle root (internal byte
// order): the leaves are sha256d(coinbase), when there is one, then the
// ids of the transactions before the reward (the last transaction, which
// the coinbase carries).
func BtcBlockMerkleRoot(coinbase []byte, txs []Tx) Hash {
	if len(txs) > 0 && txs[len(txs)-1].IsReward() {
		txs = txs[:len(txs)-1]
	}
	var leaves []Hash
	if len(coinbase) > 0 {
		leaves = append(leaves, Sha256d(coinbase))
	}
	for _, tx := range txs {
		leaves = append(leaves, BtcTxID(tx))
	}
	return btcMerkle(leaves)
}

// ---- compact targets ----

// BitsTarget is the threshold a hash (display order, a big-endian number)
// must not exceed under compact bits; errors for negative, overflowing or
// zero encodings (miner.CompactTarget, Bitcoin Core's SetCompact).
func BitsTarget(bits uint32) (*big.Int, error) {
	t, err := miner.CompactTarget(bits)
	if err != nil {
		return nil, err
	}
	m := t.Max()
	return new(big.Int).SetBytes(m[:]), nil
}

// TargetBits encodes a target (0 <= t < 2^256) as compact bits, rounding
// down to the 3 significant bytes the form keeps, as Bitcoin Core's
// GetCompact does: the mantissa never has its sign bit set.
func TargetBits(t *big.Int) uint32 {
	size := uint32((t.BitLen() + 7) / 8)
	var mant uint32
	if size <= 3 {
		mant = uint32(t.Uint64() << (8 * (3 - size)))
	} else {
		mant = uint32(new(big.Int).Rsh(t, uint(8*(size-3))).Uint64())
	}
	if mant&0x00800000 != 0 {
		mant >>= 8
		size++
	}
	return mant | size<<24
}

// BitsForZeroBits is the compact form of the easiest target whose hashes
// start with n zero bits: 2^(256-n)-1 rounded down to compact precision.
func BitsForZeroBits(n int) (uint32, error) {
	if n < 1 || n > 255 {
		return 0, fmt.Errorf("%w: %d zero bits: bitcoin rules take 1 to 255", miner.ErrBadTarget, n)
	}
	t := new(big.Int).Lsh(big.NewInt(1), uint(256-n))
	return TargetBits(t.Sub(t, big.NewInt(1))), nil
}

// BtcBitsFromTarget turns a target flag into compact bits for bitcoin
// rules: n zero bits (or a prefix of n/4 zero hex digits) is
// BitsForZeroBits(n), a threshold is rounded down to compact precision.
// Other targets have no compact form.
func BtcBitsFromTarget(t miner.Target) (uint32, error) {
	switch t.Kind() {
	case miner.ZeroBits:
		return BitsForZeroBits(t.Bits())
	case miner.HexPrefix:
		if strings.Trim(t.Pattern(), "0") == "" {
			return BitsForZeroBits(4 * len(t.Pattern()))
		}
	case miner.Threshold:
		m := t.Max()
		bits := TargetBits(new(big.Int).SetBytes(m[:]))
		if _, err := BitsTarget(bits); err != nil {
			return 0, fmt.Errorf("%w: threshold %x has no compact form: %v", miner.ErrBadTarget, m, err)
		}
		return bits, nil
	}
	return 0, fmt.Errorf("%w: %s: bitcoin rules need --bits N or --threshold HEX (a compact target)", miner.ErrBadTarget, t)
}

// BtcWork is a block's work under bits: 2^256 / (target+1), Bitcoin's
// GetBlockProof.
func BtcWork(bits uint32) (Work, error) {
	t, err := miner.CompactTarget(bits)
	if err != nil {
		return Work{}, err
	}
	return TargetWork(t), nil
}

// ---- retargeting ----

// BtcParams are the proof-of-work parameters of a Bitcoin-style chain.
type BtcParams struct {
	// PowLimit is the easiest target allowed, as compact bits.
	PowLimit uint32
	// Interval is the number of blocks between retargets (2016).
	Interval uint64
	// BlockTime is the spacing retargeting aims at (10 minutes).
	BlockTime time.Duration
}

// BtcMainnet are Bitcoin mainnet's parameters: limit 0x1d00ffff, 2016
// blocks of 10 minutes (a 14-day timespan).
var BtcMainnet = BtcParams{PowLimit: 0x1d00ffff, Interval: 2016, BlockTime: 10 * time.Minute}

// Timespan is the time a whole window should take: Interval · BlockTime,
// in seconds.
func (p BtcParams) Timespan() int64 { return int64(p.Interval) * int64(p.BlockTime/time.Second) }

// Validate checks the parameters.
func (p BtcParams) Validate() error {
	if _, err := BitsTarget(p.PowLimit); err != nil {
		return fmt.Errorf("proof-of-work limit: %w", err)
	}
	if p.Interval == 0 {
		return errors.New("retarget interval must be at least 1 block")
	}
	if p.BlockTime < time.Second || p.BlockTime%time.Second != 0 {
		return fmt.Errorf("block time %s: bitcoin rules count whole seconds (at least 1s)", p.BlockTime)
	}
	return nil
}

// IsRetargetHeight reports whether the block at height (genesis = 0) gets
// new bits: every Interval blocks.
func (p BtcParams) IsRetargetHeight(height uint64) bool {
	return height > 0 && height%p.Interval == 0
}

// algorithm is daa's bitcoin algorithm under p, in seconds, heights
// counted from 0.
func (p BtcParams) algorithm() (daa.Algorithm, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	limit, err := daa.BitsToTarget(p.PowLimit)
	if err != nil {
		return nil, err
	}
	return daa.New("bitcoin", daa.Params{BlockTime: int64(p.BlockTime / time.Second), Window: p.Interval, Limit: limit})
}

// BtcRetarget is Bitcoin Core's CalculateNextWorkRequired, computed by
// package daa's bitcoin algorithm: the bits of the block after last, at a
// retarget height, from the bits of the window's last block and the time
// from the window's first block to its last. The window is the Interval
// blocks before the new one, so it measures Interval-1 block spacings
// against a timespan of Interval (Bitcoin's off-by-one, kept for
// compatibility). The timespan is clamped to a quarter and four times the
// target, the new target is old · actual / target (exact: no 256-bit
// truncation), capped at the limit and encoded as Core's GetCompact does.
func BtcRetarget(p BtcParams, lastBits uint32, firstTime, lastTime int64) (uint32, error) {
	alg, err := p.algorithm()
	if err != nil {
		return 0, err
	}
	return btcRetarget(alg, lastBits, firstTime, lastTime)
}

func btcRetarget(alg daa.Algorithm, lastBits uint32, firstTime, lastTime int64) (uint32, error) {
	last, err := daa.BitsToTarget(lastBits)
	if err != nil {
		return 0, err
	}
	w := alg.Params().Window
	next := alg.Next(&windowEnds{first: daa.Block{Height: 0, Time: firstTime}, tip: daa.Block{Height: w - 1, Time: lastTime, Target: last}})
	return daa.TargetToBits(&next), nil
}

// windowEnds is a daa.Chain holding a retarget window's first block and
// its last (the tip): all the bitcoin algorithm reads.
type windowEnds struct {
	first, tip daa.Block
}

func (e *windowEnds) Tip() daa.Block { return e.tip }

func (e *windowEnds) Ancestor(h uint64) (daa.Block, bool) {
	switch h {
	case e.first.Height:
		return e.first, true
	case e.tip.Height:
		return e.tip, true
	}
	return daa.Block{}, false
}

// ---- header chains ----

// HeaderCheck is the outcome of ValidateHeaders.
type HeaderCheck struct {
	Headers     int
	FirstHeight uint64
	Tip         Hash // display order
	Work        Work
	// Retargets counts the retarget heights whose window lay inside the
	// input and whose bits were checked; Unchecked those whose window did
	// not.
	Retargets, Unchecked int
}

// HeaderError is a header that broke a rule: Line is its 1-based line in
// the input (0 when not read from lines), Height its height.
type HeaderError struct {
	Line   int
	Height uint64
	Code   ErrorCode
	Msg    string
}

func (e *HeaderError) Error() string {
	s := fmt.Sprintf("height %d: %s: %s", e.Height, e.Code, e.Msg)
	if e.Line > 0 {
		s = fmt.Sprintf("line %d, %s", e.Line, s)
	}
	return s
}

// HeaderOptions tune ValidateHeaders.
type HeaderOptions struct {
	Params BtcParams
	// Prev, when set, is the hash (display order) the first header's
	// previous-block field must hold; otherwise it is taken as given.
	Prev *Hash
	// FirstHeight is the height of the first header.
	FirstHeight uint64
	// Lines are the input line numbers of the headers, for errors (optional).
	Lines []int
	// Now is the validator's clock for the 2-hour future limit (zero: none).
	Now time.Time
	// Workers hash the headers in parallel (0: one per CPU); the checks
	// that link them run in order.
	Workers int
}

// ValidateHeaders checks a run of consecutive Bitcoin headers: each one's
// proof of work against its own bits, the bits valid and within the
// limit, each previous-hash equal to the hash of the header before, each
// time above the median of the (up to) 11 headers before it that the input
// holds and at most 2 hours past Now, and the bits against the retarget
// rule: equal to the parent's between retargets, and Bitcoin's retarget
// wherever the whole window lies in the input.
func ValidateHeaders(hs []BtcHeader, o HeaderOptions) (*HeaderCheck, error) {
	p := o.Params
	alg, err := p.algorithm()
	if err != nil {
		return nil, err
	}
	limit, _ := BitsTarget(p.PowLimit)
	res := &HeaderCheck{Headers: len(hs), FirstHeight: o.FirstHeight}
	hashes := hashHeaders(hs, o.Workers)
	times := make([]int64, 0, len(hs))
	var prev Hash
	// Bits rarely change: keep the last one's target and work.
	var lastBits uint32
	var target *big.Int
	var work Work
	hashNum := new(big.Int)
	for i := range hs {
		h := &hs[i]
		height := o.FirstHeight + uint64(i)
		fail := func(code ErrorCode, format string, a ...any) error {
			line := 0
			if i < len(o.Lines) {
				line = o.Lines[i]
			}
			return &HeaderError{Line: line, Height: height, Code: code, Msg: fmt.Sprintf(format, a...)}
		}
		if target == nil || h.Bits != lastBits {
			t, err := BitsTarget(h.Bits)
			if err != nil {
				return nil, fail(CodeBadDifficulty, "bits %08x: %v", h.Bits, err)
			}
			if t.Cmp(limit) > 0 {
				return nil, fail(CodeBadDifficulty, "bits %08x: target %064x is easier than the limit %064x (bits %08x)", h.Bits, t, limit, p.PowLimit)
			}
			target, lastBits, work = t, h.Bits, WorkFromBig(new(big.Int).Quo(two256, new(big.Int).Add(t, big.NewInt(1))))
		}
		hash := hashes[i]
		shown := hash.Reversed()
		if hashNum.SetBytes(shown[:]).Cmp(target) > 0 {
			return nil, fail(CodeBadProof, "hash %s above the target %064x of bits %08x", shown, target, h.Bits)
		}
		switch {
		case i > 0 && h.PrevBlock != prev:
			return nil, fail(CodeBadPrevHash, "previous hash %s, but the header before hashes to %s", h.PrevBlock.Reversed(), prev.Reversed())
		case i == 0 && o.Prev != nil && h.PrevBlock.Reversed() != *o.Prev:
			return nil, fail(CodeBadPrevHash, "previous hash %s, want %s (--prev)", h.PrevBlock.Reversed(), *o.Prev)
		}
		if i > 0 {
			if mtp := medianTime(times[max(0, i-MedianTimeSpan):]); int64(h.Time) <= mtp {
				return nil, fail(CodeBadTimestamp, "time %d is not after the median time %d of the %d headers before it", h.Time, mtp, min(i, MedianTimeSpan))
			}
		}
		if !o.Now.IsZero() && int64(h.Time) > o.Now.Add(MaxFutureDrift).Unix() {
			return nil, fail(CodeBadTimestamp, "time %d is more than %s past the clock (%d)", h.Time, MaxFutureDrift, o.Now.Unix())
		}
		if i > 0 {
			want := hs[i-1].Bits
			checked := true
			if p.IsRetargetHeight(height) {
				first := height - p.Interval // the window's first block
				if first >= o.FirstHeight {
					var err error
					want, err = btcRetarget(alg, hs[i-1].Bits, int64(hs[first-o.FirstHeight].Time), int64(hs[i-1].Time))
					if err != nil {
						return nil, fail(CodeBadDifficulty, "retarget: %v", err)
					}
					res.Retargets++
				} else {
					checked = false
					res.Unchecked++
				}
			}
			if checked && h.Bits != want {
				what := "the parent's bits"
				if p.IsRetargetHeight(height) {
					what = fmt.Sprintf("the retarget over heights %d..%d", height-p.Interval, height-1)
				}
				return nil, fail(CodeBadDifficulty, "bits %08x, but %s gives %08x", h.Bits, what, want)
			}
		}
		res.Work = res.Work.Add(work)
		times = append(times, int64(h.Time))
		prev = hash
		res.Tip = shown
	}
	return res, nil
}

// hashHeaders hashes every header, split across workers.
func hashHeaders(hs []BtcHeader, workers int) []Hash {
	out := make([]Hash, len(hs))
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	const span = 4096 // headers per work item: a few ms, so the split costs nothing
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(span)) - span
				if lo >= len(hs) {
					return
				}
				for i := lo; i < min(lo+span, len(hs)); i++ {
					out[i] = hs[i].Hash()
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// medianTime is the median of ts, at most MedianTimeSpan of them
// (Bitcoin's GetMedianTimePast over them).
func medianTime(ts []int64) int64 {
	var buf [MedianTimeSpan]int64
	s := buf[:copy(buf[:], ts)]
	slices.Sort(s)
	return s[len(s)/2]
}

// ReadHeaderLines reads raw headers, 160 hex characters per line; blank
// lines and lines starting with # are skipped, and so is text after a #.
// It returns the headers and their line numbers; a bad line is an error
// naming it.
func ReadHeaderLines(r io.Reader) ([]BtcHeader, []int, error) {
	var hs []BtcHeader
	var lines []int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(line) != 2*BtcHeaderLen {
			return nil, nil, fmt.Errorf("line %d: %d characters, a header is %d hex characters", n, len(line), 2*BtcHeaderLen)
		}
		b, err := hex.DecodeString(line)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: not hex: %v", n, err)
		}
		h, _ := ParseBtcHeader(b)
		hs = append(hs, h)
		lines = append(lines, n)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return hs, lines, nil
}
