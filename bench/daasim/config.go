package daasim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/powlab/powlab/chain/daa"
)

// Scenario names how the hashrate moves during a run.
type Scenario string

// The scenarios.
const (
	// Steady: constant hashrate.
	Steady Scenario = "steady"
	// Step: the hashrate jumps by StepFactor at StepAt and back at StepBack.
	Step Scenario = "step"
	// OnOff: an attacker mines only while the difficulty is below its
	// recent average, as profit-switching pools do.
	OnOff Scenario = "onoff"
	// Ramp: the hashrate grows exponentially by RampFactor over the run.
	Ramp Scenario = "ramp"
)

// Scenarios lists the scenarios in the order --help gives them.
func Scenarios() []Scenario { return []Scenario{Steady, Step, OnOff, Ramp} }

// ParseScenario checks a scenario name.
func ParseScenario(s string) (Scenario, error) {
	for _, sc := range Scenarios() {
		if string(sc) == s {
			return sc, nil
		}
	}
	names := make([]string, 0, 4)
	for _, sc := range Scenarios() {
		names = append(names, string(sc))
	}
	return "", fmt.Errorf("%w: --scenario %q: want one of %s", ErrConfig, s, strings.Join(names, ", "))
}

// ErrConfig is wrapped by the errors about a configuration; their messages
// name the CLI flag that sets the field.
var ErrConfig = errors.New("invalid simulation")

// Defaults.
const (
	DefaultBlocks     = 100000
	DefaultBlockTime  = 10 * time.Minute
	DefaultStepFactor = 10
	// DefaultAttackHashrate: the attacker has twice the honest miners'
	// hashrate, so the network runs at 3× while it mines.
	DefaultAttackHashrate = 2
	// DefaultAttackWindow is a day of 10-minute blocks: the span a
	// profit-switching pool's "recent average difficulty" looks back on.
	DefaultAttackWindow = 144
	DefaultRampFactor   = 10
	// DefaultBaseHashrate (2^40 hashes/s) keeps the targets of every
	// block time from 100 ms to a year near 2^200, far inside 256 bits and
	// far below the limit.
	DefaultBaseHashrate = 1 << 40
	// DefaultMaxPoints bounds each series in the record: a point per
	// pixel of a chart 1000 pixels wide.
	DefaultMaxPoints = 1000
	// DetailPoints bounds each close-up series; OnOffDetail is the
	// stretch of an onoff run shown block by block, and StepDetail the
	// most blocks a step's close-up covers after the step (an eighth of
	// that before it): long enough for Bitcoin's 2016-block interval to
	// retarget twice.
	DetailPoints = 1000
	OnOffDetail  = 1000
	StepDetail   = 6000
	// DelayFactor: a block slower than 6 T counts as a delay (at a
	// perfectly tracked hashrate e^-6 ≈ 0.25% of blocks are).
	DelayFactor = 6
	// SettleBand and SettleHold define when the difficulty has settled
	// after a step: within ±10% of hashrate × T for 10 blocks in a row.
	SettleBand = 0.10
	SettleHold = 10
	// HistBinWidth and HistBins: solve times ÷ T are counted in bins of a
	// tenth of T up to 20 T (e^-20 of a tracked law lies beyond).
	histBinsPerT = 10
	HistBinWidth = 1.0 / histBinsPerT
	HistBins     = 20 * histBinsPerT
)

// DefaultWindows are the windows the CLI sets by default (its --window
// flag): powlab's periodic rule never retargets with its own default
// (window 0, a fixed-difficulty chain), so it is simulated retargeting
// every 144 blocks.
var DefaultWindows = map[string]uint64{"powlab": 144}

// Bounds of the configuration.
const (
	MinBlockTime = 100 * time.Millisecond // 100 ticks: the rounding of solve times to 1 ms stays below 1%
	MaxBlockTime = 365 * 24 * time.Hour
	MaxBlocks    = 1_000_000_000
	// factors (step, ramp, attacker) stay within 10^±4 so the difficulty
	// never meets the limit.
	minFactor = 1e-4
	maxFactor = 1e4
)

// limitBits is the easiest target allowed, 2^240 in compact form
// (0x010000 × 256^28): its difficulty, 2^16 hashes, is a block in 2^-24 s
// at the default base hashrate, so no algorithm meets it in a run.
const limitBits = 0x1f010000

// Config describes a simulation. Zero fields take the defaults above.
type Config struct {
	// Algos are registry names (package chain/daa); empty means every
	// registered algorithm. The record keeps this order.
	Algos    []string
	Scenario Scenario
	Blocks   int
	// BlockTime is the target spacing T; simulated time runs in ticks of
	// one millisecond.
	BlockTime time.Duration
	Seed      uint64
	// BaseHashrate is the honest miners' hashrate (hashes/s) at the start.
	BaseHashrate float64
	// Step: the honest hashrate is StepFactor × base for heights StepAt
	// to StepBack−1 (defaults: Blocks/3, 2·Blocks/3, 10).
	StepAt, StepBack int
	StepFactor       float64
	// OnOff: the attacker's hashrate in multiples of the base and the
	// window of its average difficulty (defaults 2 and 144 blocks).
	AttackHashrate float64
	AttackWindow   int
	// Ramp: the hashrate at the last block ÷ the first (default 10).
	RampFactor float64
	// Windows override the window (Params.Window) of the algorithms
	// named; names not run are ignored. The rest keep their defaults.
	Windows map[string]uint64
	// HalfLife is asert's half-life (0: its default, 288 block times).
	HalfLife time.Duration
	// InitialRatio is the first block's difficulty ÷ (base hashrate × T):
	// 1 (the default, for 0) starts on schedule, 2 twice too hard.
	InitialRatio float64
	// MaxPoints bounds each chart series (default 1000).
	MaxPoints int
	// Command is recorded in the header.
	Command []string
	// Progress, if set, is called about five times a second from its own
	// goroutine, and once at the end.
	Progress func(Progress)
	// OnBlock, if set, sees every simulated block. It is called from the
	// algorithm's goroutine (several at once for several algorithms) and
	// slows the simulation; it is for tests and inspection.
	OnBlock func(algo string, b BlockStat)
}

// Progress reports a running simulation.
type Progress struct {
	// Blocks simulated so far over all algorithms, of Total.
	Blocks, Total int64
	// Done counts the algorithms finished, of Algos.
	Done, Algos int
	Elapsed     time.Duration
}

// resolve fills the defaults and checks every field.
func (c Config) resolve() (Config, error) {
	if len(c.Algos) == 0 {
		c.Algos = daa.Names()
	}
	seen := map[string]bool{}
	for _, a := range c.Algos {
		if _, ok := daa.Lookup(a); !ok {
			return c, fmt.Errorf("%w: --algo %q: unknown algorithm (want %s or all)", ErrConfig, a, strings.Join(daa.Names(), ", "))
		}
		if seen[a] {
			return c, fmt.Errorf("%w: --algo %s is listed twice", ErrConfig, a)
		}
		seen[a] = true
	}
	c.Algos = slices.Clone(c.Algos)
	for name, w := range c.Windows {
		if _, ok := daa.Lookup(name); !ok {
			return c, fmt.Errorf("%w: --window %s=%d: unknown algorithm (want %s)", ErrConfig, name, w, strings.Join(daa.Names(), ", "))
		}
		if w < 1 || w > 1_000_000 {
			return c, fmt.Errorf("%w: --window %s=%d: want 1 to 1000000 blocks", ErrConfig, name, w)
		}
	}
	if c.Scenario == "" {
		c.Scenario = Steady
	}
	if _, err := ParseScenario(string(c.Scenario)); err != nil {
		return c, err
	}
	if c.Blocks == 0 {
		c.Blocks = DefaultBlocks
	}
	if c.Blocks < 10 || c.Blocks > MaxBlocks {
		return c, fmt.Errorf("%w: --blocks %d: want 10 to %d", ErrConfig, c.Blocks, MaxBlocks)
	}
	if c.BlockTime == 0 {
		c.BlockTime = DefaultBlockTime
	}
	if c.BlockTime < MinBlockTime || c.BlockTime > MaxBlockTime {
		return c, fmt.Errorf("%w: --block-time %s: want %s to %s", ErrConfig, c.BlockTime, MinBlockTime, MaxBlockTime)
	}
	if c.BlockTime%time.Millisecond != 0 {
		return c, fmt.Errorf("%w: --block-time %s: simulated time runs in whole milliseconds", ErrConfig, c.BlockTime)
	}
	if c.BaseHashrate == 0 {
		c.BaseHashrate = DefaultBaseHashrate
	}
	if c.InitialRatio == 0 {
		c.InitialRatio = 1
	}
	if !(c.InitialRatio >= minFactor && c.InitialRatio <= maxFactor) {
		return c, fmt.Errorf("%w: initial difficulty ratio %g: want %g to %g", ErrConfig, c.InitialRatio, minFactor, maxFactor)
	}
	if c.HalfLife < 0 || (c.HalfLife > 0 && c.HalfLife < time.Millisecond) {
		return c, fmt.Errorf("%w: --half-life %s: want 1ms or more", ErrConfig, c.HalfLife)
	}
	if !(c.BaseHashrate >= 1 && c.BaseHashrate <= 1<<60) {
		return c, fmt.Errorf("%w: base hashrate %g: want 1 to 2^60 hashes/s", ErrConfig, c.BaseHashrate)
	}
	factor := func(flag string, v *float64, def float64) error {
		if *v == 0 {
			*v = def
		}
		if !(*v >= minFactor && *v <= maxFactor) {
			return fmt.Errorf("%w: --%s %g: want %g to %g", ErrConfig, flag, *v, minFactor, maxFactor)
		}
		return nil
	}
	switch c.Scenario {
	case Step:
		if c.StepAt == 0 {
			c.StepAt = c.Blocks / 3
		}
		if c.StepBack == 0 {
			c.StepBack = 2 * c.Blocks / 3
		}
		if c.StepAt < 1 || c.StepAt >= c.Blocks {
			return c, fmt.Errorf("%w: --step-at %d: want a height from 1 to %d (--blocks − 1)", ErrConfig, c.StepAt, c.Blocks-1)
		}
		if c.StepBack <= c.StepAt || c.StepBack > c.Blocks {
			return c, fmt.Errorf("%w: --step-back %d: want a height after --step-at %d, at most --blocks %d", ErrConfig, c.StepBack, c.StepAt, c.Blocks)
		}
		if err := factor("step-factor", &c.StepFactor, DefaultStepFactor); err != nil {
			return c, err
		}
	case OnOff:
		if err := factor("attack-hashrate", &c.AttackHashrate, DefaultAttackHashrate); err != nil {
			return c, err
		}
		if c.AttackWindow == 0 {
			c.AttackWindow = DefaultAttackWindow
		}
		if c.AttackWindow < 1 || c.AttackWindow > 1_000_000 {
			return c, fmt.Errorf("%w: --attack-window %d: want 1 to 1000000 blocks", ErrConfig, c.AttackWindow)
		}
	case Ramp:
		if err := factor("ramp-factor", &c.RampFactor, DefaultRampFactor); err != nil {
			return c, err
		}
	}
	if c.MaxPoints == 0 {
		c.MaxPoints = DefaultMaxPoints
	}
	if c.MaxPoints < 1 {
		return c, fmt.Errorf("%w: max points %d: want at least 1", ErrConfig, c.MaxPoints)
	}
	return c, nil
}

// blockTimeTicks is T in ticks (ms).
func (c *Config) blockTimeTicks() int64 { return c.BlockTime.Milliseconds() }

// details are the close-ups the series keep: around each step, or the
// middle OnOffDetail blocks of an onoff run.
func (c *Config) details() [][2]uint64 {
	n := uint64(c.Blocks)
	switch c.Scenario {
	case Step:
		var out [][2]uint64
		for _, s := range c.steps() {
			after := min(uint64(StepDetail), s.End-s.At)
			before := after / 8
			from := uint64(1)
			if s.At > before {
				from = s.At - before
			}
			out = append(out, [2]uint64{from, s.At + after - 1})
		}
		return out
	case OnOff:
		w := min(uint64(OnOffDetail), n)
		from := (n-w)/2 + 1
		return [][2]uint64{{from, from + w - 1}}
	}
	return nil
}

// honestHashrate is the honest miners' hashrate while block h is mined.
func (c *Config) honestHashrate(h uint64) float64 {
	switch c.Scenario {
	case Step:
		if h >= uint64(c.StepAt) && h < uint64(c.StepBack) {
			return c.BaseHashrate * c.StepFactor
		}
	case Ramp:
		// Block h is mined at base × factor^(h/blocks): the last block at
		// base × factor.
		return c.BaseHashrate * math.Pow(c.RampFactor, float64(h)/float64(c.Blocks))
	}
	return c.BaseHashrate
}
