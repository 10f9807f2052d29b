package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
)

// Rule set names.
const (
	RulesTutorial = "tutorial"
	RulesPowlab   = "powlab"
)

// PowlabVersion is the block version powlab rules write and accept.
const PowlabVersion = 1

// TutorialGenesisProof is the proof of the tutorial's genesis block
// (new_block(proof=100, prev_hash=1)).
const TutorialGenesisProof = 100

// DefaultReward is the tutorial's mining reward.
var DefaultReward = Float(12.5)

// Params are a chain's consensus parameters, fixed when it is created and
// kept in its store.
type Params struct {
	// Rules is RulesTutorial, RulesPowlab or RulesBitcoin.
	Rules string
	// Target is the tutorial rules' fixed target (any miner target), or the
	// powlab genesis target (zero bits, a zero prefix or a threshold).
	Target miner.Target
	// Reward is the amount of the miner's reward transaction.
	Reward Number
	// RetargetInterval (powlab) is the number of blocks between retargets;
	// 0 keeps the difficulty fixed.
	RetargetInterval uint64
	// BlockTime (powlab) is the block time retargeting aims at.
	BlockTime time.Duration
}

// DefaultParams are the parameters of a new chain under rules: tutorial
// with --prefix 0000, powlab with 16 zero bits (the same work per block),
// both rewarding 12.5, with no retargeting; bitcoin with a limit of 16 zero
// bits and Bitcoin's 2016-block retarget toward 10 minutes.
func DefaultParams(rules string) Params {
	p := Params{Rules: rules, Reward: DefaultReward, BlockTime: 10 * time.Second}
	switch rules {
	case RulesTutorial:
		p.Target = miner.MustPrefix("0000")
	case RulesBitcoin:
		p.Target, _ = miner.ZeroBitsTarget(BtcDefaultZeroBits)
		p.RetargetInterval, p.BlockTime = BtcDefaultInterval, BtcDefaultBlockTime
	default:
		p.Target, _ = miner.ZeroBitsTarget(16)
	}
	return p
}

// Validate checks the parameters' consistency.
func (p Params) Validate() error {
	_, err := NewRules(p)
	return err
}

// String describes the parameters for messages: "powlab rules, bits 16,
// reward 12.5, retarget every 10 blocks toward 10s".
func (p Params) String() string {
	s := fmt.Sprintf("%s rules, %s, reward %s", p.Rules, p.Target, p.Reward)
	if (p.Rules == RulesPowlab && p.RetargetInterval > 0) || p.Rules == RulesBitcoin {
		s += fmt.Sprintf(", retarget every %d blocks toward %s", p.RetargetInterval, p.BlockTime)
	}
	return s
}

type paramsJSON struct {
	Rules            string `json:"rules"`
	Target           string `json:"target"`
	Reward           Number `json:"reward"`
	RetargetInterval uint64 `json:"retarget_interval,omitempty"`
	BlockTimeSeconds string `json:"block_time,omitempty"`
}

// MarshalJSON writes the parameters as stored: the target as its flag form.
func (p Params) MarshalJSON() ([]byte, error) {
	return json.Marshal(paramsJSON{Rules: p.Rules, Target: p.Target.String(), Reward: p.Reward,
		RetargetInterval: p.RetargetInterval, BlockTimeSeconds: p.BlockTime.String()})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Params) UnmarshalJSON(b []byte) error {
	var j paramsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, err := ParseTargetText(j.Target)
	if err != nil {
		return err
	}
	var bt time.Duration
	if j.BlockTimeSeconds != "" {
		if bt, err = time.ParseDuration(j.BlockTimeSeconds); err != nil {
			return fmt.Errorf("block_time: %w", err)
		}
	}
	*p = Params{Rules: j.Rules, Target: t, Reward: j.Reward, RetargetInterval: j.RetargetInterval, BlockTime: bt}
	return nil
}

// ParseTargetText parses miner.Target's String form ("prefix 0000",
// "bits 16", "suffix 01010", "threshold 00ff…").
func ParseTargetText(s string) (miner.Target, error) {
	kind, val, _ := strings.Cut(strings.TrimSpace(s), " ")
	switch kind {
	case "prefix":
		return miner.ParsePrefix(val)
	case "suffix":
		return miner.ParseSuffix(val)
	case "bits":
		return miner.ParseBits(val)
	case "threshold":
		return miner.ParseThreshold(val)
	}
	return miner.Target{}, fmt.Errorf("%w: %q", miner.ErrBadTarget, s)
}

// Equal reports whether p and q are the same parameters.
func (p Params) Equal(q Params) bool {
	return p.Rules == q.Rules && p.Target.String() == q.Target.String() && p.Reward.Equal(q.Reward) &&
		p.RetargetInterval == q.RetargetInterval && (p.RetargetInterval == 0 || p.BlockTime == q.BlockTime)
}

// Rules are a consensus rule set: how a block is hashed, what proof it
// needs and what difficulty the next block needs. Rules carry no state
// and are safe for concurrent use.
type Rules interface {
	// Name is RulesTutorial, RulesPowlab or RulesBitcoin.
	Name() string
	// Params are the parameters the rules were built from.
	Params() Params
	// Hash is b's identity, the value its child's prev_hash holds.
	Hash(b *Block) Hash
	// ProofHash is the digest b's proof must bring under the target, with
	// parent the previous block (nil for genesis). ok is false for a block
	// whose proof is fixed rather than searched (the tutorial's genesis).
	ProofHash(parent, b *Block) (h Hash, ok bool)
	// Puzzle is the search that finds b's proof on top of parent: the nonce
	// found becomes b.Proof.
	Puzzle(parent, b *Block) miner.Puzzle
	// NextTarget is the target the child of tip must meet (tip nil: genesis).
	NextTarget(tip HeaderCtx) miner.Target
	// Work is the exact work b's proof stands for (2^256 / the number of
	// hashes that meet its target): what fork choice sums.
	Work(b *Block) Work
	// Genesis builds the genesis block at time ts, its proof still to be
	// found when ProofHash says so.
	Genesis(ts Number) *Block
	// Prepare fills a candidate block's rule-specific header fields (the
	// block's parent is tip).
	Prepare(b *Block, tip HeaderCtx)
	// CheckBlock checks what b's rules require of b alone: its form, version
	// and Merkle root.
	CheckBlock(b *Block) error
	// CheckContext checks b against its parent (nil for genesis): the target
	// b states, its timestamp bounds (now is the validator's clock) and the
	// genesis block's fixed fields.
	CheckContext(b *Block, parent HeaderCtx, now time.Time) error
}

// NewRules builds the rule set p names.
func NewRules(p Params) (Rules, error) {
	if !p.Target.Valid() {
		return nil, fmt.Errorf("%w: no target", miner.ErrBadTarget)
	}
	if err := CheckTx(Tx{Sender: RewardSender, Recipient: "x", Amount: p.Reward}); err != nil {
		return nil, fmt.Errorf("reward %s: %w", p.Reward, err)
	}
	switch p.Rules {
	case RulesTutorial:
		return &tutorialRules{p: p, work: TargetWork(p.Target)}, nil
	case RulesPowlab:
		c, err := CompactFromTarget(p.Target)
		if err != nil {
			return nil, err
		}
		if p.RetargetInterval > 0 && p.BlockTime <= 0 {
			return nil, fmt.Errorf("retargeting every %d blocks needs a block time above 0", p.RetargetInterval)
		}
		return &powlabRules{p: p, rt: RetargetParams{Initial: c, Interval: p.RetargetInterval, BlockTime: p.BlockTime}}, nil
	case RulesBitcoin:
		return newBitcoinRules(p)
	}
	return nil, fmt.Errorf("unknown rules %q (want %s, %s or %s)", p.Rules, RulesPowlab, RulesTutorial, RulesBitcoin)
}

// ---- tutorial ----

type tutorialRules struct {
	p    Params
	work Work // of every block: the target is fixed
}

func (r *tutorialRules) Name() string   { return RulesTutorial }
func (r *tutorialRules) Params() Params { return r.p }

// Hash is SHA-256 of json.dumps(block, sort_keys=True).
func (r *tutorialRules) Hash(b *Block) Hash { return sha256.Sum256(b.CanonicalJSON()) }

// ProofHash is valid_proof's sha256(f"{last_proof}{proof}").
func (r *tutorialRules) ProofHash(parent, b *Block) (Hash, bool) {
	if parent == nil {
		return Hash{}, false
	}
	msg := strconv.AppendUint(nil, parent.Proof, 10)
	msg = strconv.AppendUint(msg, b.Proof, 10)
	return sha256.Sum256(msg), true
}

func (r *tutorialRules) Puzzle(parent, b *Block) miner.Puzzle {
	return miner.TutorialPuzzle(parent.Proof)
}

func (r *tutorialRules) NextTarget(HeaderCtx) miner.Target { return r.p.Target }
func (r *tutorialRules) Work(*Block) Work                  { return r.work }

func (r *tutorialRules) Genesis(ts Number) *Block {
	return &Block{Index: 1, Timestamp: ts, Transactions: []Tx{}, Proof: TutorialGenesisProof}
}

func (r *tutorialRules) Prepare(*Block, HeaderCtx) {}

func (r *tutorialRules) CheckBlock(b *Block) error {
	if b.Version != 0 {
		return ruleErr(CodeBadVersion, b.Index, "a tutorial-rules block has no version, merkle_root or target (found version %d)", b.Version)
	}
	return nil
}

func (r *tutorialRules) CheckContext(b *Block, parent HeaderCtx, now time.Time) error {
	if parent == nil && b.Proof != TutorialGenesisProof {
		return ruleErr(CodeBadGenesis, b.Index, "genesis proof %d, want %d", b.Proof, TutorialGenesisProof)
	}
	return nil
}

// ---- powlab ----

// HeaderLen is the length of a powlab block header: version (4), index (8),
// prev_hash (32), merkle_root (32), timestamp as IEEE-754 bits (8), target
// (4), nonce (8), all big-endian. The nonce comes last so the first 64
// bytes are fixed for a search (their midstate is computed once), and the
// header ends before byte 120, so each attempt costs one compression.
const HeaderLen = 96

type powlabRules struct {
	p  Params
	rt RetargetParams
}

func (r *powlabRules) Name() string   { return RulesPowlab }
func (r *powlabRules) Params() Params { return r.p }

// powlabHeaderPrefix is b's header without the nonce (HeaderLen-8 bytes).
func powlabHeaderPrefix(b *Block) []byte {
	h := make([]byte, 0, HeaderLen)
	h = binary.BigEndian.AppendUint32(h, b.Version)
	h = binary.BigEndian.AppendUint64(h, b.Index)
	h = append(h, b.PrevHash[:]...)
	h = append(h, b.MerkleRoot[:]...)
	h = binary.BigEndian.AppendUint64(h, math.Float64bits(b.Timestamp.Float64()))
	h = binary.BigEndian.AppendUint32(h, uint32(b.Target))
	return h
}

// PowlabHeader is b's full binary header as powlab rules hash it.
func PowlabHeader(b *Block) []byte {
	return binary.BigEndian.AppendUint64(powlabHeaderPrefix(b), b.Proof)
}

func (r *powlabRules) Hash(b *Block) Hash { return sha256.Sum256(PowlabHeader(b)) }

func (r *powlabRules) ProofHash(_, b *Block) (Hash, bool) { return r.Hash(b), true }

// proofIsHash tells ValidateChain that ProofHash is Hash, so it hashes each
// header once.
func (r *powlabRules) proofIsHash() bool { return true }

func (r *powlabRules) Puzzle(_, b *Block) miner.Puzzle {
	return miner.Puzzle{Prefix: powlabHeaderPrefix(b), Encoding: sha256x.Binary, Step: 1}
}

func (r *powlabRules) NextTarget(tip HeaderCtx) miner.Target { return NextBits(r.rt, tip).Target() }

func (r *powlabRules) Work(b *Block) Work { return b.Target.Work() }

func (r *powlabRules) Genesis(ts Number) *Block {
	b := &Block{Index: 1, Timestamp: ts, Transactions: []Tx{}, Version: PowlabVersion}
	r.Prepare(b, nil)
	return b
}

func (r *powlabRules) Prepare(b *Block, tip HeaderCtx) {
	b.Version = PowlabVersion
	b.MerkleRoot = MerkleRoot(b.Transactions)
	b.Target = NextBits(r.rt, tip)
}

func (r *powlabRules) CheckBlock(b *Block) error {
	if b.Version == 0 {
		return ruleErr(CodeMalformed, b.Index, "a powlab-rules block needs version, merkle_root and target")
	}
	if b.Version != PowlabVersion {
		return ruleErr(CodeBadVersion, b.Index, "version %d, want %d", b.Version, PowlabVersion)
	}
	if !b.Target.Valid() {
		return ruleErr(CodeMalformed, b.Index, "target %#08x is not a canonical powlab target", uint32(b.Target))
	}
	if !b.Timestamp.IsFloat() {
		return ruleErr(CodeMalformed, b.Index, "timestamp %.40s is an int; powlab rules want a float (the header holds its IEEE-754 bits)", b.Timestamp)
	}
	if b.Timestamp.Sign() < 0 {
		return ruleErr(CodeBadTimestamp, b.Index, "timestamp %s is before 1970", b.Timestamp)
	}
	if m := MerkleRoot(b.Transactions); m != b.MerkleRoot {
		return ruleErr(CodeBadMerkleRoot, b.Index, "merkle_root %s, but the %d transactions hash to %s", b.MerkleRoot, len(b.Transactions), m)
	}
	return nil
}

func (r *powlabRules) CheckContext(b *Block, parent HeaderCtx, now time.Time) error {
	if want := NextBits(r.rt, parent); b.Target != want {
		return ruleErr(CodeBadDifficulty, b.Index, "target %s (%s), height %d needs %s (%s)", b.Target.Hex(), b.Target, b.Index, want.Hex(), want)
	}
	ts := b.Timestamp.Float64()
	if parent != nil {
		if mt := MedianTime(parent); !(ts > mt) {
			return ruleErr(CodeBadTimestamp, b.Index, "timestamp %s is not after the median time %s of the last %d blocks", b.Timestamp, Float(mt), MedianTimeSpan)
		}
	}
	if limit := float64(now.Add(MaxFutureDrift).UnixNano()) / 1e9; ts > limit {
		return ruleErr(CodeBadTimestamp, b.Index, "timestamp %s is more than %s ahead of the clock (%s)", b.Timestamp, MaxFutureDrift, Float(float64(now.UnixNano())/1e9))
	}
	return nil
}
