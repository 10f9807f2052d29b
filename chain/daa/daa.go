// Package daa holds powlab's difficulty-adjustment algorithms: pure
// integer functions from a block's ancestors to the target of the block
// after it. Nothing that decides a target uses floating point.
//
// An Algorithm reads the chain through the small Chain interface, so the
// same code runs inside the chain engine (over stored headers), in the
// difficulty simulator (over a ring of simulated blocks) and against the
// published test vectors (`powlab daa verify`).
//
// Targets are 256-bit unsigned integers (a block's hash, read as a
// big-endian number, must be at most its target, as in Bitcoin). Times are
// signed integers in one unit per chain, called ticks: seconds for
// Bitcoin-style headers, milliseconds for powlab chains whose timestamps
// have fractions. Every algorithm is written so that scaling all times and
// the block time by the same factor gives the same targets, up to the
// documented one-tick guards.
//
// The flow: New(name, Params) fills the zero fields with the algorithm's
// defaults, validates them and returns an Algorithm; Next(chain) gives
// the next target, always in [1, Params.Limit] (a hostile chain gets a
// clamped answer, never a panic). NewStepper walks one chain forward
// block by block, faster where the algorithm is Incremental. Ring is a
// Chain over the last blocks for the simulator and tests.
//
// Files: bitcoin.go, asert.go, lwma.go, dgw.go, ema.go, powlab.go (one
// algorithm each, naming its source), compact.go (Bitcoin's compact
// bits), ring.go, stepper.go, arith.go (the wide-integer helpers) and
// verify.go (the published vectors).
//
// Errors callers see: New reports bad parameters (unknown name, T ≤ 0,
// zero limit, initial above the limit, out-of-range windows); BitsToTarget
// wraps ErrBadBits; the verification functions return *InputError for
// unreadable or malformed vector files and *MismatchError (file, line,
// height, both bits) for the first wrong row.
package daa

import (
	"fmt"
	"sort"

	"github.com/holiman/uint256"
)

// Block is what an algorithm sees of one block.
type Block struct {
	// Height is the block's height in its chain's numbering.
	Height uint64
	// Time is the block's timestamp in ticks.
	Time int64
	// Target is the target the block met (decoded from its compact form).
	Target uint256.Int
}

// Chain is the chain as an algorithm sees it: a tip and its ancestors.
// Implementations must answer Ancestor for every height from the first
// block they hold up to the tip; algorithms ask only for heights within
// their window, plus Params.Anchor's height where they use an anchor.
type Chain interface {
	// Tip is the last block: the algorithm computes the target of the
	// block after it.
	Tip() Block
	// Ancestor is the block at height (at most the tip's height); ok is
	// false when the chain does not hold it (below its first block).
	Ancestor(height uint64) (b Block, ok bool)
}

// Anchor is the reference block of an anchored algorithm (ASERT).
type Anchor struct {
	// Height is the anchor block's height.
	Height uint64
	// ParentTime is the timestamp of the anchor block's parent, in ticks.
	ParentTime int64
	// Target is the anchor block's target.
	Target uint256.Int
}

// Params are an algorithm's parameters. Each algorithm uses the fields its
// documentation names and ignores the others; zero values take the
// registry's defaults (see Resolve).
type Params struct {
	// BlockTime is the target spacing T in ticks (> 0).
	BlockTime int64
	// Limit is the easiest target allowed (the proof-of-work limit). No
	// algorithm returns a target above it, nor zero.
	Limit uint256.Int
	// Initial is the target of the first block, and of blocks before an
	// averaging window has filled.
	Initial uint256.Int
	// Window is the averaging window or retarget interval in blocks
	// (bitcoin, powlab: interval; lwma, dgw: N; ema: the time constant N).
	Window uint64
	// HalfLife (asert) is the half-life in ticks: a chain one half-life
	// behind its ideal schedule gets twice the anchor's target, one
	// half-life ahead half of it.
	HalfLife int64
	// Anchor (asert) is the anchor block; nil means the chain's first
	// block, read through Chain.Ancestor(FirstHeight) with the parent time
	// taken as that block's time minus BlockTime.
	Anchor *Anchor
	// FirstHeight is the height of the chain's first (genesis) block.
	FirstHeight uint64
	// MaxFactor (powlab) bounds one retarget's change to
	// [1/MaxFactor, MaxFactor]; zero means 4, Bitcoin's clamp.
	MaxFactor uint64
}

// Algorithm is one difficulty-adjustment algorithm with its parameters.
type Algorithm interface {
	// Name is the registry name ("asert").
	Name() string
	// Params are the resolved parameters.
	Params() Params
	// Next is the target of the block after c's tip. It never returns a
	// target above Params.Limit nor zero, whatever the timestamps.
	Next(c Chain) uint256.Int
}

// Incremental is implemented by algorithms with a faster form for walking
// one chain forward block by block (the simulator).
type Incremental interface {
	Algorithm
	NewStepper() Stepper
}

// Stepper keeps running state over consecutive blocks of one chain.
type Stepper interface {
	// Add appends the next block (the first call adds the chain's first block).
	Add(b Block)
	// Next is the target of the block after the last one added: exactly
	// what Algorithm.Next gives over the same chain.
	Next() uint256.Int
}

// Info describes one registered algorithm.
type Info struct {
	// Name is the registry name.
	Name string
	// Doc is a one-line description.
	Doc string
	// Source names the specification or reference code followed.
	Source string
	// New builds the algorithm from parameters (already resolved).
	New func(p Params) (Algorithm, error)
	// Defaults fills p's zero fields with the algorithm's defaults.
	Defaults func(p *Params)
}

var registry = map[string]Info{}

// Register adds an algorithm; it panics on a repeated name (a programming
// error at init time).
func Register(i Info) {
	if _, dup := registry[i.Name]; dup {
		panic("daa: algorithm registered twice: " + i.Name)
	}
	registry[i.Name] = i
}

// Names lists the registered algorithms, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup finds a registered algorithm.
func Lookup(name string) (Info, bool) {
	i, ok := registry[name]
	return i, ok
}

// New builds the algorithm name with p, its zero fields filled with the
// algorithm's defaults.
func New(name string, p Params) (Algorithm, error) {
	i, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown difficulty algorithm %q (want one of %v)", name, Names())
	}
	if p.BlockTime <= 0 {
		return nil, fmt.Errorf("%s: block time must be above 0 ticks (got %d)", name, p.BlockTime)
	}
	if p.Limit.IsZero() {
		return nil, fmt.Errorf("%s: the target limit must be above 0", name)
	}
	if p.Initial.IsZero() {
		p.Initial = p.Limit
	}
	if p.Initial.Gt(&p.Limit) {
		return nil, fmt.Errorf("%s: the initial target %#x is above the limit %#x", name, &p.Initial, &p.Limit)
	}
	if i.Defaults != nil {
		i.Defaults(&p)
	}
	return i.New(p)
}

// ---- fixed ----

// fixed keeps the initial target for ever.
type fixed struct{ p Params }

func (a *fixed) Name() string           { return "fixed" }
func (a *fixed) Params() Params         { return a.p }
func (a *fixed) Next(Chain) uint256.Int { return a.p.Initial }

func init() {
	Register(Info{Name: "fixed", Doc: "no adjustment: every block keeps the initial target",
		New: func(p Params) (Algorithm, error) { return &fixed{p}, nil }})
}
