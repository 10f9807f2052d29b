// Package benchcmd implements `powlab bench`: hashrate per SHA-256 kernel and
// worker count on one puzzle, with the expected time to a solution.
package benchcmd

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

// BenchOptions are the flags of `powlab bench`.
type BenchOptions struct {
	IO        cmdutil.IO
	Target    cmdutil.TargetFlags
	Algo      string
	LastProof uint64
	Kernel    string
	Workers   string
	Duration  time.Duration
	JSON      bool
	Out       string
	NoSave    bool
	Argv      []string
}

// DefaultPrefix is the benchmark's default difficulty: the tutorial's
// six hex zeros.
const DefaultPrefix = bench.DefaultHashratePrefix

// DefaultDuration per configuration keeps the default run (every kernel at 1
// and all workers) well under a minute.
const DefaultDuration = 2 * time.Second

// NewCmdBench builds the command; runF replaces the run function in tests.
func NewCmdBench(io cmdutil.IO, runF func(context.Context, *BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure attempts/s per kernel and worker count, and the time to a solution",
		Long: `Measure the proof-of-work search on the tutorial's puzzle,
sha256(decimal(last_proof) + decimal(nonce)), for every kernel and worker count.

--algo sha256d measures Bitcoin's proof of work instead: sha256d of an 80-byte
block header (Bitcoin's genesis header, nonces from 0) under difficulty-1
bits 0x1d00ffff, the hash compared in Bitcoin's byte order; a target flag
replaces the difficulty and reads the hash as explorers print it.

Each kernel first passes a known-answer self-test; then each configuration
searches for --duration, counting every attempt and every solution. The table
gives attempts/s, the speedup over the stdlib kernel at one worker, the scaling
efficiency (rate / (workers x one-worker rate)) and the expected time to a
solution at the chosen difficulty. The record is saved under --out.`,
		Example: `  powlab bench                                   # prefix 000000, every kernel, 1 and all workers
  powlab bench --kernel avx512,stdlib --workers 1,2 --duration 5s
  powlab bench --bits 32 --json > bench.json
  powlab bench --algo sha256d --kernel all --workers 1,2   # Bitcoin's header puzzle`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runBench(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	cmdutil.AddTargetFlags(f, &opts.Target, " (default "+DefaultPrefix+"; sha256d: the header's bits 0x1d00ffff)")
	f.StringVar(&opts.Algo, "algo", "sha256", "proof of work: sha256 (the tutorial's puzzle) or sha256d (Bitcoin's 80-byte header)")
	f.Uint64Var(&opts.LastProof, "last-proof", 100, "previous proof written before the nonce")
	f.StringVar(&opts.Kernel, "kernel", "all", cmdutil.KernelHelp(true)+"; a comma-separated list is allowed")
	f.StringVarP(&opts.Workers, "workers", "w", "", "comma-separated worker counts (default 1,<CPUs>)")
	f.DurationVar(&opts.Duration, "duration", DefaultDuration, "time per configuration")
	f.BoolVar(&opts.JSON, "json", false, "print the record as JSON instead of a table")
	f.StringVar(&opts.Out, "out", results.DefaultDir, "directory the record is written to")
	f.BoolVar(&opts.NoSave, "no-save", false, "do not write the record")
	return cmd
}

// puzzle is the benchmark's puzzle for the algorithm and its default target.
func (o *BenchOptions) puzzle() (miner.Puzzle, miner.Target, error) {
	algo, err := cmdutil.ResolveAlgo(o.Algo)
	if err != nil {
		return miner.Puzzle{}, miner.Target{}, err
	}
	if algo == sha256x.SHA256 {
		return miner.TutorialPuzzle(o.LastProof), miner.MustPrefix(DefaultPrefix), nil
	}
	return BitcoinPuzzle()
}

// DefaultBits is the compact bits of the sha256d benchmark: difficulty 1.
const DefaultBits = 0x1d00ffff

// BitcoinPuzzle is the sha256d benchmark: Bitcoin's genesis header (whose
// bits are DefaultBits), nonces from 0, under its own target.
func BitcoinPuzzle() (miner.Puzzle, miner.Target, error) {
	h, err := hex.DecodeString(sha256x.GenesisHeader)
	if err != nil {
		return miner.Puzzle{}, miner.Target{}, err
	}
	p, err := miner.HeaderPuzzle(h, 0)
	if err != nil {
		return miner.Puzzle{}, miner.Target{}, err
	}
	t, err := miner.CompactTarget(DefaultBits)
	return p, t, err
}

func runBench(ctx context.Context, opts *BenchOptions) error {
	puzzle, def, err := opts.puzzle()
	if err != nil {
		return err
	}
	target, err := opts.Target.Parse(def)
	if err != nil {
		return err
	}
	ks, skipped, err := cmdutil.ResolveKernelListFor(puzzle.Algo, opts.Kernel)
	if err != nil {
		return err
	}
	ws, err := cmdutil.ResolveWorkerList(opts.Workers)
	if err != nil {
		return err
	}
	if err := cmdutil.CheckSweepDuration(opts.Duration); err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	st := cmdutil.NewStatus(errOut)
	cfg := bench.HashrateConfig{
		Puzzle:   puzzle,
		Target:   target,
		Kernels:  ks,
		Workers:  ws,
		Duration: opts.Duration,
		Command:  append([]string{"powlab", "bench"}, opts.Argv...),
		Progress: func(ev bench.HashrateEvent) {
			if ev.Run == nil {
				st.Set("[%d/%d] %s × %d workers …", ev.Index+1, ev.Total, ev.Kernel, ev.Workers)
			}
		},
	}
	total := time.Duration(len(ks)*len(ws)) * opts.Duration
	if !opts.JSON {
		fmt.Fprintf(errOut, "self-testing %d kernels, then %d configurations × %s (about %s)\n",
			len(ks), len(ks)*len(ws), opts.Duration, total.Round(time.Second))
	}
	rec, err := bench.Hashrate(ctx, cfg)
	st.Clear()
	if err != nil && rec == nil {
		return err
	}
	if !opts.NoSave && len(rec.Runs) > 0 {
		path, werr := results.Write(opts.Out, rec)
		if werr != nil {
			return werr
		}
		defer fmt.Fprintf(errOut, "record written to %s\n", path)
	}
	if opts.JSON {
		if perr := cmdutil.PrintJSON(opts.IO.Out, rec); perr != nil {
			return perr
		}
		return err
	}
	cmdutil.RenderBench(opts.IO, rec, skipped)
	return err
}
