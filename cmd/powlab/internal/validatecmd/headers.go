package validatecmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
)

// HeadersVerdict is what --headers --json prints.
type HeadersVerdict struct {
	Valid         bool       `json:"valid"`
	Source        string     `json:"source"`
	Params        string     `json:"params"`
	Headers       int        `json:"headers"`
	FirstHeight   uint64     `json:"first_height"`
	LastHeight    uint64     `json:"last_height,omitempty"`
	Tip           string     `json:"tip,omitempty"`
	Work          string     `json:"work,omitempty"` // exact, decimal
	WorkFloat     float64    `json:"work_float,omitempty"`
	Retargets     int        `json:"retargets_checked"`
	Unchecked     int        `json:"retargets_unchecked"`
	Seconds       float64    `json:"seconds"`
	HeadersPerSec float64    `json:"headers_per_sec"`
	Error         *HeaderErr `json:"error,omitempty"`
}

// HeaderErr is a failing header in --json output.
type HeaderErr struct {
	Line    int    `json:"line,omitempty"`
	Height  uint64 `json:"height"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// headerParams are the chain parameters --headers checks under: Bitcoin
// mainnet's, or a lab chain's when --bits/--threshold, --retarget or
// --block-time is given.
func (o *ValidateOptions) headerParams() (chain.BtcParams, string, error) {
	p := chain.BtcMainnet
	f := &o.Chain
	lab := false
	if f.TargetSet() {
		t, err := f.Target.Parse(miner.Target{})
		if err != nil {
			return p, "", err
		}
		if p.PowLimit, err = chain.BtcBitsFromTarget(t); err != nil {
			return p, "", cmdutil.FlagErrorWrap(err)
		}
		lab = true
	}
	if f.Changed("retarget") {
		p.Interval = f.RetargetInterval
		lab = true
	}
	if f.Changed("block-time") {
		p.BlockTime = f.BlockTime
		lab = true
	}
	if f.Rules != "" && f.Rules != "bitcoin" {
		return p, "", cmdutil.FlagErrorf("--headers are Bitcoin headers: --rules %s does not apply", f.Rules)
	}
	if f.Reward != "" {
		return p, "", cmdutil.FlagErrorf("--reward does not apply to --headers (headers carry no transactions)")
	}
	if err := p.Validate(); err != nil {
		return p, "", cmdutil.FlagErrorWrap(err)
	}
	name := "bitcoin mainnet"
	if lab {
		name = "lab chain"
	}
	return p, fmt.Sprintf("%s parameters: limit %08x, retarget every %d blocks of %s", name, p.PowLimit, p.Interval, p.BlockTime), nil
}

func runHeaders(ctx context.Context, opts *ValidateOptions) error {
	if opts.File != "" || opts.URL != "" || opts.Data != "" {
		return cmdutil.FlagErrorf("--headers reads its own file: give it without --file, --url or --data")
	}
	if opts.MaxBytes <= 0 {
		return cmdutil.FlagErrorf("--max-bytes %d: must be above 0", opts.MaxBytes)
	}
	workers, err := cmdutil.ResolveWorkers(opts.Workers)
	if err != nil {
		return err
	}
	p, desc, err := opts.headerParams()
	if err != nil {
		return err
	}
	var prev *chain.Hash
	if opts.Prev != "" {
		h, err := chain.ParseHash(opts.Prev)
		if err != nil {
			return cmdutil.FlagErrorf("--prev: %v", err)
		}
		prev = &h
	}
	data, err := readFile(opts.IO.In, opts.Headers, opts.MaxBytes)
	if err != nil {
		return err
	}
	hs, lines, err := chain.ReadHeaderLines(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Headers, err)
	}
	if len(hs) == 0 {
		return fmt.Errorf("%s: no headers", opts.Headers)
	}
	first := opts.Height
	if !opts.heightSet && !hs[0].PrevBlock.IsZero() {
		first = 1
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	start := time.Now()
	res, verr := chain.ValidateHeaders(hs, chain.HeaderOptions{Params: p, Prev: prev, FirstHeight: first, Lines: lines, Now: time.Now(), Workers: workers})
	secs := time.Since(start).Seconds()
	v := HeadersVerdict{Valid: verr == nil, Source: opts.Headers, Params: desc, Headers: len(hs), FirstHeight: first, Seconds: secs}
	if secs > 0 {
		v.HeadersPerSec = float64(len(hs)) / secs
	}
	if res != nil {
		v.LastHeight = first + uint64(len(hs)) - 1
		v.Tip, v.Work, v.WorkFloat = res.Tip.String(), res.Work.String(), res.Work.Float64()
		v.Retargets, v.Unchecked = res.Retargets, res.Unchecked
	}
	var he *chain.HeaderError
	if verr != nil {
		if !errors.As(verr, &he) {
			return verr
		}
		v.Error = &HeaderErr{Line: he.Line, Height: he.Height, Code: he.Code.String(), Message: he.Msg}
	}
	if opts.JSON {
		if err := cmdutil.PrintJSON(opts.IO.Out, v); err != nil {
			return err
		}
	} else {
		printHeadersVerdict(opts.IO, v)
	}
	if verr != nil {
		return fmt.Errorf("%s: invalid headers: %w", opts.Headers, verr)
	}
	return nil
}

func printHeadersVerdict(io cmdutil.IO, v HeadersVerdict) {
	out := io.Out
	if !v.Valid {
		fmt.Fprintf(out, "invalid: %d headers from %s under %s\n", v.Headers, v.Source, v.Params)
		e := v.Error
		fmt.Fprintf(out, "first failure: line %d, height %d: %s: %s\n", e.Line, e.Height, e.Code, e.Message)
		return
	}
	fmt.Fprintf(out, "valid: %d headers from %s, heights %d..%d, tip %s\n", v.Headers, v.Source, v.FirstHeight, v.LastHeight, v.Tip)
	fmt.Fprintf(out, "%s; chain work %s (%s hashes); retargets checked %d", v.Params, v.Work, cmdutil.HumanCount(v.WorkFloat), v.Retargets)
	if v.Unchecked > 0 {
		fmt.Fprintf(out, ", %d not (window starts before the file)", v.Unchecked)
	}
	fmt.Fprintf(out, "; checked in %s (%s headers/s)\n", cmdutil.HumanSeconds(v.Seconds), cmdutil.HumanCount(v.HeadersPerSec))
}
