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

	"github.com/powlab/powlab/chain/daa"
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
	// powlab genesis target (zero bits, a zero prefix or a threshold), or
	// the bitcoin rules' limit and genesis target.
	Target miner.Target
	// Reward is the amount of the miner's reward transaction.
	Reward Number
	// DAA is the difficulty algorithm, a name in package daa's registry
	// (daa.Names). "" means the rules' default (DefaultDAA): fixed under
	// tutorial rules, powlab under powlab rules, bitcoin under bitcoin
	// rules; stores written before chains had a choice hold "". Tutorial
	// rules take only fixed.
	DAA string
	// RetargetInterval is the difficulty algorithm's window or interval
	// in blocks: the retarget interval of powlab (0 keeps the difficulty
	// fixed) and bitcoin, the averaging window of lwma and dgw, the time
	// constant of ema. asert and fixed take none (0). A new chain stores
	// the algorithm's default when none is given (Resolved).
	RetargetInterval uint64
	// BlockTime is the block time the difficulty algorithm aims at.
	BlockTime time.Duration
	// HalfLife (asert only) is the schedule error that doubles or halves
	// the target; a new chain stores the default, 288 block times, when
	// none is given.
	HalfLife time.Duration
}

// DefaultParams are the parameters of a new chain under rules: tutorial
// with --prefix 0000, powlab with 16 zero bits (the same work per block),
// both rewarding 12.5, with no retargeting; bitcoin with a limit of 16 zero
// bits and Bitcoin's 2016-block retarget toward 10 minutes. DAA is left
// empty: the rules' default algorithm.
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

// DefaultDAA is the difficulty algorithm of rules when Params.DAA is
// empty: fixed (tutorial), powlab (powlab) or bitcoin (bitcoin).
func DefaultDAA(rules string) string {
	switch rules {
	case RulesPowlab:
		return "powlab"
	case RulesBitcoin:
		return "bitcoin"
	}
	return "fixed"
}

// DAAName is the chain's difficulty algorithm: DAA, or the rules' default.
func (p Params) DAAName() string {
	if p.DAA == "" {
		return DefaultDAA(p.Rules)
	}
	return p.DAA
}

// Resolved is p with its difficulty algorithm stated in full: DAA named,
// and a window or half-life the algorithm needs but p leaves at zero set
// to the algorithm's default (daa's Defaults: lwma 60 blocks, dgw 24, ema
// 416, bitcoin 2016; asert's half-life 288 block times). New chains store
// resolved parameters, so a later change of a default never changes the
// meaning of a stored chain. The powlab algorithm's window 0 (no
// retargeting) stays 0.
func (p Params) Resolved() Params {
	if p.Rules == RulesTutorial && p.DAA == "" {
		return p
	}
	p.DAA = p.DAAName()
	info, ok := daa.Lookup(p.DAA)
	if !ok || info.Defaults == nil || p.DAA == "powlab" {
		return p
	}
	// The defaults scale with the block time; counting in nanoseconds
	// keeps the half-life exact.
	dp := daa.Params{BlockTime: int64(p.BlockTime)}
	info.Defaults(&dp)
	switch p.DAA {
	case "asert":
		if p.HalfLife == 0 {
			p.HalfLife = time.Duration(dp.HalfLife)
		}
	default:
		if p.RetargetInterval == 0 {
			p.RetargetInterval = dp.Window
		}
	}
	return p
}

// Retargets reports whether the chain's difficulty ever moves: false
// for the fixed algorithm and for powlab's without a window.
func (p Params) Retargets() bool {
	switch p.DAAName() {
	case "fixed":
		return false
	case "powlab":
		return p.RetargetInterval > 0
	}
	return true
}

// Validate checks the parameters' consistency.
func (p Params) Validate() error {
	_, err := NewRules(p)
	return err
}

// String describes the parameters for messages: "powlab rules, bits 16,
// reward 12.5, retarget every 10 blocks toward 10s (daa powlab)" or
// "powlab rules, bits 12, reward 12.5, daa asert: half-life 1h0m0s
// toward 10s".
func (p Params) String() string {
	s := fmt.Sprintf("%s rules, %s, reward %s", p.Rules, p.Target, p.Reward)
	if p.Rules == RulesTutorial && p.DAAName() == "fixed" {
		return s
	}
	return s + ", " + p.DAAString()
}

// DAAString describes the difficulty algorithm: "retarget every 10 blocks
// toward 10s (daa powlab)", "daa lwma: window 60 blocks toward 10s".
func (p Params) DAAString() string {
	r := p.Resolved()
	name := r.DAAName()
	switch {
	case name == "fixed":
		return "daa fixed"
	case name == "powlab" && r.RetargetInterval == 0:
		return "no retargeting (daa powlab)"
	case name == "powlab" || name == "bitcoin":
		return fmt.Sprintf("retarget every %d blocks toward %s (daa %s)", r.RetargetInterval, r.BlockTime, name)
	case name == "asert":
		return fmt.Sprintf("daa asert: half-life %s toward %s", r.HalfLife, r.BlockTime)
	case name == "ema":
		return fmt.Sprintf("daa ema: time constant %d blocks toward %s", r.RetargetInterval, r.BlockTime)
	}
	return fmt.Sprintf("daa %s: window %d blocks toward %s", name, r.RetargetInterval, r.BlockTime)
}

type paramsJSON struct {
	Rules            string `json:"rules"`
	Target           string `json:"target"`
	Reward           Number `json:"reward"`
	DAA              string `json:"daa,omitempty"`
	RetargetInterval uint64 `json:"retarget_interval,omitempty"`
	BlockTimeSeconds string `json:"block_time,omitempty"`
	HalfLife         string `json:"half_life,omitempty"`
}

// MarshalJSON writes the parameters as stored: the target as its flag
// form, durations as Go durations ("10s"). The fields added with the
// choice of difficulty algorithm (daa, half_life) are left out when
// empty, so a chain on its rules' default reads the same as before.
func (p Params) MarshalJSON() ([]byte, error) {
	j := paramsJSON{Rules: p.Rules, Target: p.Target.String(), Reward: p.Reward, DAA: p.DAA,
		RetargetInterval: p.RetargetInterval, BlockTimeSeconds: p.BlockTime.String()}
	if p.HalfLife != 0 {
		j.HalfLife = p.HalfLife.String()
	}
	return json.Marshal(j)
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
	var bt, hl time.Duration
	if j.BlockTimeSeconds != "" {
		if bt, err = time.ParseDuration(j.BlockTimeSeconds); err != nil {
			return fmt.Errorf("block_time: %w", err)
		}
	}
	if j.HalfLife != "" {
		if hl, err = time.ParseDuration(j.HalfLife); err != nil {
			return fmt.Errorf("half_life: %w", err)
		}
	}
	*p = Params{Rules: j.Rules, Target: t, Reward: j.Reward, DAA: j.DAA, RetargetInterval: j.RetargetInterval, BlockTime: bt, HalfLife: hl}
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

// Equal reports whether p and q are the same parameters: the same rules,
// target and reward, and the same difficulty algorithm once resolved (an
// empty DAA equals the rules' default named, a zero window or half-life
// the algorithm's default), with the block time compared only when the
// difficulty moves.
func (p Params) Equal(q Params) bool {
	p, q = p.Resolved(), q.Resolved()
	return p.Rules == q.Rules && p.Target.String() == q.Target.String() && p.Reward.Equal(q.Reward) &&
		p.DAAName() == q.DAAName() && p.RetargetInterval == q.RetargetInterval && p.HalfLife == q.HalfLife &&
		(!p.Retargets() || p.BlockTime == q.BlockTime)
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
		if name := p.DAAName(); name != "fixed" {
			return nil, fmt.Errorf("tutorial rules keep one target for ever (the tutorial's valid_proof has no difficulty field): difficulty algorithm %s needs powlab or bitcoin rules", name)
		}
		if p.HalfLife != 0 {
			return nil, fmt.Errorf("a half-life (%s) applies to the asert difficulty algorithm only; tutorial rules keep a fixed target", p.HalfLife)
		}
		return &tutorialRules{p: p, work: TargetWork(p.Target)}, nil
	case RulesPowlab:
		c, err := CompactFromTarget(p.Target)
		if err != nil {
			return nil, err
		}
		d, err := newDifficulty(p, false, CompactDAATarget(c), maxDAATarget)
		if err != nil {
			return nil, err
		}
		return &powlabRules{p: p, d: d, genesis: c}, nil
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
	p       Params
	d       *difficulty
	genesis Compact // the genesis block's target
}

// nextCompact is the target the child of tip must state (tip nil: genesis).
func (r *powlabRules) nextCompact(tip HeaderCtx) Compact { return r.d.next(tip, r.genesis) }

// nextHeader is the child's target as HeaderCtx.Bits holds it.
func (r *powlabRules) nextHeader(tip HeaderCtx) Compact { return r.nextCompact(tip) }

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

func (r *powlabRules) NextTarget(tip HeaderCtx) miner.Target { return r.nextCompact(tip).Target() }

func (r *powlabRules) statedTarget(b *Block) (miner.Target, bool) {
	if !b.Target.Valid() {
		return miner.Target{}, false
	}
	return b.Target.Target(), true
}

func (r *powlabRules) Work(b *Block) Work { return b.Target.Work() }

func (r *powlabRules) Genesis(ts Number) *Block {
	b := &Block{Index: 1, Timestamp: ts, Transactions: []Tx{}, Version: PowlabVersion}
	r.Prepare(b, nil)
	return b
}

func (r *powlabRules) Prepare(b *Block, tip HeaderCtx) {
	b.Version = PowlabVersion
	b.MerkleRoot = MerkleRoot(b.Transactions)
	b.Target = r.nextCompact(tip)
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

// secondsText writes a time in seconds as a timestamp is written, or as
// Go writes a float when it is not finite (a hostile HeaderCtx).
func secondsText(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return fmt.Sprint(s)
	}
	return Float(s).String()
}

func (r *powlabRules) CheckContext(b *Block, parent HeaderCtx, now time.Time) error {
	if want := r.nextCompact(parent); b.Target != want {
		return ruleErr(CodeBadDifficulty, b.Index, "target %s (%s), height %d needs %s (%s)", b.Target.Hex(), b.Target, b.Index, want.Hex(), want)
	}
	ts := b.Timestamp.Float64()
	if parent != nil {
		if mt := MedianTime(parent); !(ts > mt) {
			return ruleErr(CodeBadTimestamp, b.Index, "timestamp %s is not after the median time %s of the last %d blocks", b.Timestamp, secondsText(mt), MedianTimeSpan)
		}
	}
	if limit := float64(now.Add(MaxFutureDrift).UnixNano()) / 1e9; ts > limit {
		return ruleErr(CodeBadTimestamp, b.Index, "timestamp %s is more than %s ahead of the clock (%s)", b.Timestamp, MaxFutureDrift, Float(float64(now.UnixNano())/1e9))
	}
	return nil
}
