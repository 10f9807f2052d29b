// Package searchcmd implements `powlab search`: solve one proof-of-work
// puzzle and print the answer.
package searchcmd

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
)

// SearchOptions are the flags of `powlab search`.
type SearchOptions struct {
	IO          cmdutil.IO
	LastProof   string
	Message     string
	messageSet  bool
	Start, Step uint64
	Target      miner.TargetFlags
	Workers     int
	Kernel      string
	Any         bool
	MaxAttempts uint64
	JSON        bool
}

// DefaultPrefix is the difficulty `powlab search` uses when no target flag is
// given: the tutorial's four hex zeros.
const DefaultPrefix = "0000"

// NewCmdSearch builds the command; runF replaces the run function in tests.
func NewCmdSearch(io cmdutil.IO, runF func(context.Context, *SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Solve one proof-of-work puzzle and print the smallest solving nonce",
		Long: `Solve one puzzle: find the smallest nonce such that
sha256(MESSAGE + decimal(nonce)) meets the target, trying nonces
start, start+step, start+2*step, ... on every core.

MESSAGE is --message, or the decimal --last-proof as in the tutorial's
valid_proof (sha256(f"{last_proof}{proof}")); with neither, it is empty and
the nonce alone is hashed, as in the tutorial's opening experiment.`,
		Example: `  powlab search --last-proof 100 --prefix 0000     # the tutorial's first block: 35293
  powlab search --step 11 --suffix 000              # the tutorial's opening experiment: 114213 = 11*10383
  powlab search --message hello --bits 20 --json`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.messageSet = c.Flags().Changed("message")
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runSearch(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.LastProof, "last-proof", "", "previous proof, written in decimal before the nonce (the tutorial's genesis proof is 100)")
	f.StringVar(&opts.Message, "message", "", "bytes hashed before the nonce (instead of --last-proof)")
	f.Uint64Var(&opts.Start, "start", 0, "first nonce tried")
	f.Uint64Var(&opts.Step, "step", 1, "distance between nonces tried")
	cmdutil.AddTargetFlags(f, &opts.Target, " (default "+DefaultPrefix+")")
	f.IntVarP(&opts.Workers, "workers", "w", 0, "worker goroutines (0: one per CPU)")
	f.StringVar(&opts.Kernel, "kernel", "auto", cmdutil.KernelHelp(false))
	f.BoolVar(&opts.Any, "any", false, "return the first solution any worker finds, not the smallest")
	f.Uint64Var(&opts.MaxAttempts, "max-attempts", 0, "give up after this many nonces (0: no limit)")
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object")
	return cmd
}

// Answer is what --json prints.
type Answer struct {
	Message          string  `json:"message"`
	Nonce            uint64  `json:"nonce"`
	Index            uint64  `json:"index"`
	Digest           string  `json:"digest"`
	Target           string  `json:"target"`
	Attempts         uint64  `json:"attempts"`
	ExpectedAttempts float64 `json:"expected_attempts"`
	Seconds          float64 `json:"seconds"`
	AttemptsPerSec   float64 `json:"attempts_per_sec"`
	Kernel           string  `json:"kernel"`
	Workers          int     `json:"workers"`
	Mode             string  `json:"mode"`
}

// puzzle turns the options into a puzzle, checking them.
func (o *SearchOptions) puzzle() (miner.Puzzle, error) {
	if o.messageSet && o.LastProof != "" {
		return miner.Puzzle{}, cmdutil.FlagErrorf("give --last-proof or --message, not both")
	}
	if o.Step == 0 {
		return miner.Puzzle{}, cmdutil.FlagErrorf("--step 0: the step must be at least 1")
	}
	msg := o.Message
	if o.LastProof != "" {
		n, err := strconv.ParseUint(o.LastProof, 10, 64)
		if err != nil {
			return miner.Puzzle{}, cmdutil.FlagErrorf("--last-proof %q: not a whole number from 0 to %d", o.LastProof, uint64(math.MaxUint64))
		}
		msg = strconv.FormatUint(n, 10)
	}
	return miner.MessagePuzzle(msg, o.Start, o.Step), nil
}

func runSearch(ctx context.Context, opts *SearchOptions) error {
	p, err := opts.puzzle()
	if err != nil {
		return err
	}
	target, err := cmdutil.ParseTarget(opts.Target, miner.MustPrefix(DefaultPrefix))
	if err != nil {
		return err
	}
	k, workers, err := cmdutil.ResolveMiner(opts.Kernel, opts.Workers)
	if err != nil {
		return err
	}
	mode, modeName := miner.Smallest, "smallest"
	if opts.Any {
		mode, modeName = miner.Any, "any"
	}
	st := cmdutil.NewStatus(opts.IO.ErrOut)
	exp := target.ExpectedAttempts()
	r, err := miner.Search(ctx, p, target, miner.Options{
		Workers: workers, Kernel: k, Mode: mode, MaxAttempts: opts.MaxAttempts,
		Progress: func(pr miner.Progress) {
			st.Set("searching: %s attempts (%.1f%% of expected), %s", cmdutil.HumanCount(float64(pr.Attempts)),
				100*float64(pr.Attempts)/exp, cmdutil.HumanRate(pr.Rate))
		},
	})
	st.Clear()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(opts.IO.ErrOut, "stopped after %d attempts in %s\n", r.Attempts, cmdutil.HumanSeconds(r.Elapsed.Seconds()))
		} else if r.Attempts > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "no solution after %d attempts\n", r.Attempts)
		}
		return err
	}
	ans := Answer{
		Message: string(p.Prefix), Nonce: r.Nonce, Index: r.Index, Digest: hex.EncodeToString(r.Digest[:]),
		Target: target.String(), Attempts: r.Attempts, ExpectedAttempts: exp,
		Seconds: r.Elapsed.Seconds(), AttemptsPerSec: r.Rate(), Kernel: r.Kernel, Workers: r.Workers, Mode: modeName,
	}
	if opts.JSON {
		return cmdutil.PrintJSON(opts.IO.Out, ans)
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "nonce      %d\n", ans.Nonce)
	fmt.Fprintf(out, "message    %q\n", p.Message(r.Index))
	fmt.Fprintf(out, "digest     %s\n", ans.Digest)
	fmt.Fprintf(out, "target     %s (expected %s attempts)\n", ans.Target, cmdutil.HumanCount(exp))
	fmt.Fprintf(out, "attempts   %d hashed; the sequential loop needs %d\n", ans.Attempts, r.Index+1)
	fmt.Fprintf(out, "time       %s, %s\n", cmdutil.HumanSeconds(ans.Seconds), cmdutil.HumanRate(ans.AttemptsPerSec))
	fmt.Fprintf(out, "kernel     %s, %d workers, %s solution\n", ans.Kernel, ans.Workers, modeName)
	return nil
}
