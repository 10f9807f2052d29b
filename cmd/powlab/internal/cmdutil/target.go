package cmdutil

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/powlab/powlab/miner"
)

// TargetFlags are the --prefix, --suffix, --bits and --threshold flags of
// the verbs that take a target: at most one may be set.
type TargetFlags struct {
	Prefix, Suffix, Bits, Threshold string
}

// AddTargetFlags binds --prefix, --suffix, --bits and --threshold to f.
// defHelp ends --prefix's help, saying what the default is.
func AddTargetFlags(fs *pflag.FlagSet, f *TargetFlags, defHelp string) {
	fs.StringVar(&f.Prefix, "prefix", "", "hex pattern the digest must start with, e.g. 000000 or 00001111"+defHelp)
	fs.StringVar(&f.Suffix, "suffix", "", "hex pattern the digest must end with, e.g. 01010")
	fs.StringVar(&f.Bits, "bits", "", "number of leading zero bits the digest needs (1-256)")
	fs.StringVar(&f.Threshold, "threshold", "", "256-bit bound in hex: the digest must be <= it")
}

// Set reports whether a target flag was given.
func (f TargetFlags) Set() bool {
	return f.Prefix != "" || f.Suffix != "" || f.Bits != "" || f.Threshold != ""
}

// Parse returns the one target the flags name, or def when none is set.
// Errors are usage errors wrapping miner.ErrBadTarget.
func (f TargetFlags) Parse(def miner.Target) (miner.Target, error) {
	set := 0
	var t miner.Target
	var err error
	if f.Prefix != "" {
		set++
		t, err = miner.ParsePrefix(f.Prefix)
	}
	if f.Suffix != "" {
		set++
		t, err = miner.ParseSuffix(f.Suffix)
	}
	if f.Bits != "" {
		set++
		t, err = miner.ParseBits(f.Bits)
	}
	if f.Threshold != "" {
		set++
		t, err = miner.ParseThreshold(f.Threshold)
	}
	switch {
	case set > 1:
		return miner.Target{}, FlagErrorWrap(fmt.Errorf("%w: give only one of --prefix, --suffix, --bits, --threshold", miner.ErrBadTarget))
	case set == 0:
		return def, nil
	}
	return t, FlagErrorWrap(err)
}
