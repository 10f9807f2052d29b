package cmdutil

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// DefaultDataDir is where chains are kept when --data is not given:
// $POWLAB_DATA, or ~/.powlab.
func DefaultDataDir() (string, error) { return chain.DefaultDataDir() }

// AddDataFlag binds --data, showing the default in the help text.
func AddDataFlag(fs *pflag.FlagSet, dir *string) {
	def, err := DefaultDataDir()
	if err != nil {
		def = "$" + chain.EnvDataDir + " or ~/.powlab"
	}
	fs.StringVar(dir, "data", "", fmt.Sprintf("data directory holding the chain (default $%s or ~/.powlab, here %s)", chain.EnvDataDir, def))
}

// ResolveDataDir returns --data, or the default.
func ResolveDataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return DefaultDataDir()
}

// ChainFlags are the consensus flags shared by the verbs that open or check
// a chain. Unset flags leave a stored chain's parameters alone; set flags
// must agree with them.
type ChainFlags struct {
	Rules            string
	Target           TargetFlags
	Reward           string
	RetargetInterval uint64
	BlockTime        time.Duration
	fs               *pflag.FlagSet
}

// AddChainFlags binds --rules, the target flags, --reward, --retarget and
// --block-time.
func AddChainFlags(fs *pflag.FlagSet, f *ChainFlags) {
	f.fs = fs
	fs.StringVar(&f.Rules, "rules", "", "consensus rules of a new chain: powlab (default; the proof commits to the block), tutorial (the tutorial's valid_proof) or bitcoin (80-byte headers, sha256d, compact bits)")
	AddTargetFlags(fs, &f.Target, " (default: tutorial rules 0000, powlab and bitcoin rules --bits 16)")
	fs.StringVar(&f.Reward, "reward", "", "mining reward of a new chain (default 12.5)")
	fs.Uint64Var(&f.RetargetInterval, "retarget", 0, "retarget the difficulty every N blocks (powlab: 0 = fixed difficulty, the default; bitcoin: default 2016)")
	fs.DurationVar(&f.BlockTime, "block-time", 10*time.Second, "the block time retargeting aims at (bitcoin rules: default 10m)")
}

func (f *ChainFlags) changed(name string) bool { return f.fs != nil && f.fs.Changed(name) }

// Changed reports whether the flag called name (one of the chain flags)
// was given on the command line.
func (f *ChainFlags) Changed(name string) bool { return f.changed(name) }

// Options turns the flags that were set into chain.Options.
func (f *ChainFlags) Options() (chain.Options, error) {
	var o chain.Options
	switch f.Rules {
	case "", chain.RulesTutorial, chain.RulesPowlab, chain.RulesBitcoin:
		o.Rules = f.Rules
	default:
		return o, FlagErrorf("--rules %q: want %s, %s or %s", f.Rules, chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin)
	}
	t, err := f.Target.Parse(miner.Target{})
	if err != nil {
		return o, err
	}
	o.Target = t
	if f.Reward != "" {
		n, err := chain.ParseNumber(f.Reward)
		if err == nil {
			err = chain.CheckTx(chain.Tx{Sender: "0", Recipient: "x", Amount: n})
		}
		if err != nil {
			return o, FlagErrorf("--reward %q: %v", f.Reward, err)
		}
		o.Reward = &n
	}
	if f.changed("retarget") {
		v := f.RetargetInterval
		o.RetargetInterval = &v
	}
	if f.changed("block-time") {
		if f.BlockTime <= 0 {
			return o, FlagErrorf("--block-time %s: must be above 0", f.BlockTime)
		}
		o.BlockTime = f.BlockTime
	}
	if o.Rules == chain.RulesBitcoin && o.Target.Valid() {
		if _, err := chain.BtcBitsFromTarget(o.Target); err != nil {
			return o, FlagErrorWrap(err)
		}
	}
	if o.Rules == chain.RulesPowlab || o.Rules == "" {
		if o.Target.Valid() {
			if _, err := chain.CompactFromTarget(o.Target); err != nil && o.Rules == chain.RulesPowlab {
				return o, FlagErrorWrap(err)
			}
		}
	}
	return o, nil
}

// Params are the parameters the flags describe for a chain that is not in
// a store (a file or a peer's chain): defaults filled in for rules.
func (f *ChainFlags) Params(rules string) (chain.Params, error) {
	o, err := f.Options()
	if err != nil {
		return chain.Params{}, err
	}
	if o.Rules != "" {
		rules = o.Rules
	}
	p := o.Apply(chain.DefaultParams(rules))
	if err := p.Validate(); err != nil {
		return p, FlagErrorWrap(err)
	}
	return p, nil
}

// TargetSet reports whether a target flag was given.
func (f *ChainFlags) TargetSet() bool { return f.Target.Set() }
