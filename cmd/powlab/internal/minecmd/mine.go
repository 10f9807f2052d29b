// Package minecmd implements `powlab mine`: mine blocks onto the chain kept
// in a data directory, or mine for a Stratum v1 pool (--stratum).
package minecmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
)

// MineOptions are the flags of `powlab mine`.
type MineOptions struct {
	IO      cmdutil.IO
	Data    string
	Blocks  int
	Chain   cmdutil.ChainFlags
	Workers int
	Kernel  string
	Any     bool
	JSON    bool

	// Stratum mining (stratum.go).
	Stratum  string
	User     string
	Password string
	MaxRate  float64

	// changed lists the flags given on the command line.
	changed []string
	// rateInterval overrides the stratum rate report's period (tests).
	rateInterval time.Duration
}

// NewCmdMine builds the command; runF replaces the run function in tests.
func NewCmdMine(io cmdutil.IO, runF func(context.Context, *MineOptions) error) *cobra.Command {
	opts := &MineOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "mine",
		Short: "Mine blocks onto the chain kept in a data directory, or for a Stratum pool",
		Long: `Mine blocks onto the chain stored in --data, creating it (genesis block and
node address) on first use. Each block holds the pending transactions and the
reward to the node's address; its proof is searched on every core.

The rules and difficulty are fixed when the chain is created: --rules and the
target flags choose them then, and must agree with them later.
Ctrl-C stops the search; every block already mined is kept.

With --stratum the command mines for a Stratum v1 pool instead (Bitcoin's
sha256d on 80-byte headers): the pool sets the jobs and the share
difficulty, so --data, --blocks, --any and the chain flags do not apply.
Each share prints one line with the pool's verdict, a rate line follows
every 10 s, and a lost connection is redialled with backoff (1 s to 30 s).
Ctrl-C prints the totals (accepted, rejected, hashrate) and exits 130.`,
		Example: `  powlab mine --blocks 3 --rules tutorial --prefix 0000 --data /tmp/tut   # proofs 35293, 35089, 119678
  powlab mine --blocks 10 --bits 20
  powlab mine --blocks 0 --json       # until Ctrl-C, one JSON object per block
  powlab mine --stratum stratum+tcp://127.0.0.1:3333 --user me --workers 2`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			c.Flags().Visit(func(f *pflag.Flag) { opts.changed = append(opts.changed, f.Name) })
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runMine(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	cmdutil.AddDataFlag(f, &opts.Data)
	f.IntVarP(&opts.Blocks, "blocks", "n", 1, "blocks to mine (0: until Ctrl-C)")
	cmdutil.AddChainFlags(f, &opts.Chain)
	f.IntVarP(&opts.Workers, "workers", "w", 0, "worker goroutines (0: one per CPU)")
	f.StringVar(&opts.Kernel, "kernel", "auto", cmdutil.KernelHelp(false))
	f.BoolVar(&opts.Any, "any", false, "take the first proof any worker finds, not the smallest")
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per block (with --stratum: per event)")
	f.StringVar(&opts.Stratum, "stratum", "", "mine for the Stratum v1 pool at stratum+tcp://HOST:PORT")
	f.StringVar(&opts.User, "user", "", "with --stratum: the pool user (worker) name")
	f.StringVar(&opts.Password, "password", "x", "with --stratum: the pool password")
	f.Float64Var(&opts.MaxRate, "max-rate", 0, "with --stratum: cap hashing at this many hashes/s (0: no cap), for a miner of known rate; the cap is declared to the pool as the password option rate=N")
	return cmd
}

// BlockLine is what --json prints for each block.
type BlockLine struct {
	Height           uint64  `json:"height"`
	Hash             string  `json:"hash"`
	PrevHash         string  `json:"prev_hash"`
	Proof            uint64  `json:"proof"`
	Transactions     int     `json:"transactions"`
	Attempts         uint64  `json:"attempts"`
	ExpectedAttempts float64 `json:"expected_attempts"`
	Seconds          float64 `json:"seconds"`
	AttemptsPerSec   float64 `json:"attempts_per_sec"`
	Target           string  `json:"target"`
	Rules            string  `json:"rules"`
	Kernel           string  `json:"kernel"`
	Workers          int     `json:"workers"`
}

func runMine(ctx context.Context, opts *MineOptions) error {
	if opts.Stratum != "" {
		return runStratum(ctx, opts)
	}
	if opts.User != "" || opts.isSet("user") || opts.isSet("password") || opts.isSet("max-rate") {
		return cmdutil.FlagErrorf("--user, --password and --max-rate apply only with --stratum")
	}
	if opts.Blocks < 0 {
		return cmdutil.FlagErrorf("--blocks %d: must be 0 (until Ctrl-C) or more", opts.Blocks)
	}
	copts, err := opts.Chain.Options()
	if err != nil {
		return err
	}
	k, workers, err := cmdutil.ResolveMiner(opts.Kernel, opts.Workers)
	if err != nil {
		return err
	}
	dir, err := cmdutil.ResolveDataDir(opts.Data)
	if err != nil {
		return err
	}
	mode := miner.Smallest
	if opts.Any {
		mode = miner.Any
	}
	mo := chain.MineOptions{Workers: workers, Kernel: k, Mode: mode}
	copts.Mine = mo
	c, err := chain.Open(ctx, dir, copts)
	if err != nil {
		if errors.Is(err, chain.ErrParamsMismatch) {
			return cmdutil.FlagErrorWrap(err)
		}
		return err
	}
	defer c.Close()
	errOut := opts.IO.ErrOut
	fmt.Fprintf(errOut, "chain %s: %s; height %d; mining with %s × %d workers, reward to %s\n",
		dir, c.Params(), c.Height(), k.Name, workers, c.Address())

	st := cmdutil.NewStatus(errOut)
	mo.Progress = func(p miner.Progress) {
		st.Set("block %d: %s attempts, %s", c.Height()+1, cmdutil.HumanCount(float64(p.Attempts)), cmdutil.HumanRate(p.Rate))
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetEscapeHTML(false)
	mined := 0
	for opts.Blocks == 0 || mined < opts.Blocks {
		m, err := c.Mine(ctx, mo)
		st.Clear()
		if errors.Is(err, chain.ErrStale) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintf(errOut, "stopped: %d blocks mined, chain height %d kept in %s\n", mined, c.Height(), dir)
			}
			return err
		}
		mined++
		line := BlockLine{
			Height: m.Block.Index, Hash: m.Hash.String(), PrevHash: prevHash(m.Block), Proof: m.Block.Proof,
			Transactions: len(m.Block.Transactions), Attempts: m.Search.Attempts,
			ExpectedAttempts: m.Target.ExpectedAttempts(), Seconds: m.Search.Elapsed.Seconds(),
			AttemptsPerSec: m.Search.Rate(), Target: m.Target.String(), Rules: c.Params().Rules,
			Kernel: m.Search.Kernel, Workers: m.Search.Workers,
		}
		if opts.JSON {
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(opts.IO.Out, "block %-6d %s  proof %-12d %10d attempts  %9s  %11s  %s\n",
			line.Height, line.Hash, line.Proof, line.Attempts, cmdutil.HumanSeconds(line.Seconds),
			cmdutil.HumanRate(line.AttemptsPerSec), line.Target)
	}
	return nil
}

func prevHash(b *chain.Block) string {
	if b.IsGenesis() {
		return "1"
	}
	return b.PrevHash.String()
}

// isSet reports whether flag name was given on the command line.
func (o *MineOptions) isSet(name string) bool { return slices.Contains(o.changed, name) }
