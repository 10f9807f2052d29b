package chartcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// HashrateOptions are the flags of `powlab chart hashrate`.
type HashrateOptions struct {
	IO       cmdutil.IO
	Kernel   string
	Workers  string
	Duration time.Duration
	Argv     []string
	cmd      *cobra.Command
	cmdutil.RecordFlags
}

// Defaults of `powlab chart hashrate`: a short sweep, about ten seconds
// with two kernels at 1 and 2 workers plus their self-tests.
const (
	DefaultHashrateOut      = "hashrate.png"
	DefaultHashrateDuration = time.Second
)

// hashrateRecord describes the record flags of `powlab chart hashrate`.
var hashrateRecord = cmdutil.RecordFlagOptions{
	Out:  DefaultHashrateOut,
	From: "a saved bench record",
	Kind: results.KindBench,
}

// NewCmdHashrate builds the command; runF replaces the run function in tests.
func NewCmdHashrate(io cmdutil.IO, runF func(context.Context, *HashrateOptions) error) *cobra.Command {
	opts := &HashrateOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "hashrate",
		Short: "Attempts per second by kernel and worker count, as grouped bars",
		Long: `Draw a hashrate sweep: one group of bars per kernel, one bar per worker count.
With --from it redraws a record saved by ` + "`powlab bench`" + ` or by this command;
otherwise it runs a short sweep first (--duration per configuration, on the
tutorial's puzzle with last proof 100 and target prefix 000000) and saves it.`,
		Example: `  powlab chart hashrate                                  # short sweep: every kernel, 1 and all workers
  powlab chart hashrate --from results-out/bench-20261126T150000Z.json --out docs/hashrate.png`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runHashrate(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Kernel, "kernel", "all", cmdutil.KernelHelp(true)+"; a comma-separated list is allowed")
	f.StringVarP(&opts.Workers, "workers", "w", "", "comma-separated worker counts (default 1,<CPUs>)")
	f.DurationVar(&opts.Duration, "duration", DefaultHashrateDuration, "time per configuration")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, hashrateRecord)
	return cmd
}

func (o *HashrateOptions) sweep() (bench.HashrateConfig, error) {
	cfg := bench.HashrateConfig{
		Puzzle:   miner.TutorialPuzzle(100),
		Target:   miner.MustPrefix(bench.DefaultHashratePrefix),
		Duration: o.Duration,
		Command:  append([]string{"powlab", "chart", "hashrate"}, o.Argv...),
	}
	if err := cmdutil.CheckSweepDuration(o.Duration); err != nil {
		return cfg, err
	}
	ks, _, err := cmdutil.ResolveKernelList(o.Kernel)
	if err != nil {
		return cfg, err
	}
	cfg.Kernels = ks
	cfg.Workers, err = cmdutil.ResolveWorkerList(o.Workers)
	return cfg, err
}

func runHashrate(ctx context.Context, opts *HashrateOptions) error {
	if err := opts.Check(flagsOf(opts.cmd), "kernel", "workers", "duration"); err != nil {
		return err
	}
	var rec *results.Bench
	path := ""
	var runErr error
	if opts.From != "" {
		rec = &results.Bench{}
		if err := cmdutil.ReadFromRecord(opts.From, hashrateRecord.Kind, rec); err != nil {
			return err
		}
	} else {
		cfg, err := opts.sweep()
		if err != nil {
			return err
		}
		st := cmdutil.NewStatus(opts.IO.ErrOut)
		cfg.Progress = func(ev bench.HashrateEvent) {
			if ev.Run == nil {
				st.Set("[%d/%d] %s × %d workers …", ev.Index+1, ev.Total, ev.Kernel, ev.Workers)
			}
		}
		rec, runErr = bench.Hashrate(ctx, cfg)
		st.Clear()
		if rec == nil || len(rec.Runs) == 0 {
			if runErr == nil {
				runErr = fmt.Errorf("hashrate: no configuration finished")
			}
			return runErr
		}
		if path, err = opts.Save(rec); err != nil {
			return err
		}
	}
	render := func(io cmdutil.IO, rec *results.Bench) { cmdutil.RenderBench(io, rec, nil) }
	if err := cmdutil.ShowRecord(opts.IO, opts.RecordFlags, rec, path, render, results.PlotBench); err != nil {
		return err
	}
	return runErr
}
