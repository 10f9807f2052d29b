// Package searchcmd implements `powlab search`: solve one proof-of-work
// puzzle and print the answer.
package searchcmd

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
)

// SearchOptions are the flags of `powlab search`.
type SearchOptions struct {
	IO          cmdutil.IO
	LastProof   string
	Message     string
	messageSet  bool
	Header      string // 160 hex characters: a Bitcoin block header
	Algo        string // "" = sha256, or sha256d with --header
	Start, Step uint64
	Target      cmdutil.TargetFlags
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
the nonce alone is hashed, as in the tutorial's opening experiment.

--header HEX re-mines a Bitcoin block header (80 bytes, 160 hex characters
as block explorers' raw headers give them): sha256d of the header with its
nonce, a little-endian uint32 in the last 4 bytes, tried from --start upward
(the header's own nonce bytes are ignored). The target is the header's own
compact bits unless a target flag is given; targets read the block hash in
display order (byte-reversed, as Bitcoin compares it), so --bits 32 means a
hash that starts with 8 hex zeros as explorers print it.

--algo sha256d hashes any message twice (the default with --header).`,
		Example: `  powlab search --last-proof 100 --prefix 0000     # the tutorial's first block: 35293
  powlab search --step 11 --suffix 000              # the tutorial's opening experiment: 114213 = 11*10383
  powlab search --message hello --bits 20 --json
  powlab search --header 0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000
                                                    # Bitcoin's genesis block: nonce 2083236893`,
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
	f.StringVar(&opts.Header, "header", "", "a Bitcoin block header, 160 hex characters: search its 32-bit nonce (sha256d)")
	f.StringVar(&opts.Algo, "algo", "", "hash: sha256 or sha256d (default sha256, sha256d with --header)")
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
	Algo             string  `json:"algo"`
	Message          string  `json:"message,omitempty"`
	Header           string  `json:"header,omitempty"` // the solved header, hex
	Nonce            uint64  `json:"nonce"`
	Index            uint64  `json:"index"`
	Digest           string  `json:"digest"` // the hash function's output bytes, hex
	Hash             string  `json:"hash"`   // as the target reads it: the digest, byte-reversed for a header`
	Target           string  `json:"target"`
	Attempts         uint64  `json:"attempts"`
	ExpectedAttempts float64 `json:"expected_attempts"`
	Seconds          float64 `json:"seconds"`
	AttemptsPerSec   float64 `json:"attempts_per_sec"`
	Kernel           string  `json:"kernel"`
	Workers          int     `json:"workers"`
	Mode             string  `json:"mode"`
}

// puzzle turns the options into a puzzle, checking them. def is the
// target when no target flag is given (a header's own bits).
func (o *SearchOptions) puzzle() (p miner.Puzzle, def miner.Target, err error) {
	if o.Step == 0 {
		return p, def, cmdutil.FlagErrorf("--step 0: the step must be at least 1")
	}
	algo := sha256x.SHA256
	if o.Header != "" {
		algo = sha256x.SHA256d
	}
	if o.Algo != "" {
		if algo, err = cmdutil.ResolveAlgo(o.Algo); err != nil {
			return p, def, err
		}
	}
	def = miner.MustPrefix(DefaultPrefix)
	if o.Header != "" {
		if o.messageSet || o.LastProof != "" {
			return p, def, cmdutil.FlagErrorf("--header hashes the header: give it without --message or --last-proof")
		}
		h, err := ParseHeader(o.Header)
		if err != nil {
			return p, def, err
		}
		if o.Start > math.MaxUint32 {
			return p, def, cmdutil.FlagErrorf("--start %d: a header's nonce is 32 bits (at most %d)", o.Start, uint32(math.MaxUint32))
		}
		if p, err = miner.HeaderPuzzle(h, uint32(o.Start)); err != nil {
			return p, def, cmdutil.FlagErrorWrap(err)
		}
		p.Algo, p.Step = algo, o.Step
		bits := binary.LittleEndian.Uint32(h[72:76])
		if def, err = miner.CompactTarget(bits); err != nil {
			return p, def, cmdutil.FlagErrorf("--header: its bits field: %v (give --bits or --threshold)", err)
		}
		return p, def, nil
	}
	if o.messageSet && o.LastProof != "" {
		return p, def, cmdutil.FlagErrorf("give --last-proof or --message, not both")
	}
	msg := o.Message
	if o.LastProof != "" {
		n, err := strconv.ParseUint(o.LastProof, 10, 64)
		if err != nil {
			return p, def, cmdutil.FlagErrorf("--last-proof %q: not a whole number from 0 to %d", o.LastProof, uint64(math.MaxUint64))
		}
		msg = strconv.FormatUint(n, 10)
	}
	p = miner.MessagePuzzle(msg, o.Start, o.Step)
	p.Algo = algo
	return p, def, nil
}

// ParseHeader decodes --header: exactly 160 hex characters (surrounding
// white space ignored). Errors are usage errors naming the problem.
func ParseHeader(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2*sha256x.HeaderLen {
		return nil, cmdutil.FlagErrorf("--header: %d hex characters, a block header has %d (%d bytes)", len(s), 2*sha256x.HeaderLen, sha256x.HeaderLen)
	}
	for i, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return nil, cmdutil.FlagErrorf("--header: %q at position %d is not a hex digit", r, i+1)
		}
	}
	h, err := hex.DecodeString(s)
	if err != nil { // cannot happen after the checks above
		return nil, cmdutil.FlagErrorf("--header: %v", err)
	}
	return h, nil
}

func runSearch(ctx context.Context, opts *SearchOptions) error {
	p, def, err := opts.puzzle()
	if err != nil {
		return err
	}
	target, err := opts.Target.Parse(def)
	if err != nil {
		return err
	}
	k, workers, err := cmdutil.ResolveMinerFor(p.Algo, opts.Kernel, opts.Workers)
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
	hash := p.Hash(r.Digest)
	ans := Answer{
		Algo: p.Algo.String(), Nonce: r.Nonce, Index: r.Index, Digest: hex.EncodeToString(r.Digest[:]), Hash: hex.EncodeToString(hash[:]),
		Target: target.String(), Attempts: r.Attempts, ExpectedAttempts: exp,
		Seconds: r.Elapsed.Seconds(), AttemptsPerSec: r.Rate(), Kernel: r.Kernel, Workers: r.Workers, Mode: modeName,
	}
	if opts.Header != "" {
		ans.Header = hex.EncodeToString(p.Message(r.Index))
	} else {
		ans.Message = string(p.Prefix)
	}
	if opts.JSON {
		return cmdutil.PrintJSON(opts.IO.Out, ans)
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "nonce      %d\n", ans.Nonce)
	if opts.Header != "" {
		fmt.Fprintf(out, "hash       %s (block hash, display order)\n", ans.Hash)
		fmt.Fprintf(out, "header     %s\n", ans.Header)
	} else {
		fmt.Fprintf(out, "message    %q\n", p.Message(r.Index))
		fmt.Fprintf(out, "digest     %s (%s)\n", ans.Digest, ans.Algo)
	}
	fmt.Fprintf(out, "target     %s (expected %s attempts)\n", ans.Target, cmdutil.HumanCount(exp))
	fmt.Fprintf(out, "attempts   %d hashed; the sequential loop needs %d\n", ans.Attempts, r.Index+1)
	fmt.Fprintf(out, "time       %s, %s\n", cmdutil.HumanSeconds(ans.Seconds), cmdutil.HumanRate(ans.AttemptsPerSec))
	fmt.Fprintf(out, "kernel     %s (%s), %d workers, %s solution\n", ans.Kernel, ans.Algo, ans.Workers, modeName)
	return nil
}
