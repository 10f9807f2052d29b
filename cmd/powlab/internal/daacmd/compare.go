package daacmd

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/powlab/powlab/bench/daasim"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// CompareOptions are the flags of `powlab daa compare`.
type CompareOptions struct {
	IO   cmdutil.IO
	Net  string // the net record of the real run
	Runs int
	Seed uint64
	cmdutil.RecordFlags
	Argv []string
	cmd  *cobra.Command
}

// DefaultCompareOut is where `powlab daa compare` draws by default.
const DefaultCompareOut = "daa-compare.png"

var compareRecord = cmdutil.RecordFlagOptions{
	Out:  DefaultCompareOut,
	From: "a saved daacompare record",
	Kind: results.KindDAACompare,
}

// NewCmdCompare builds the command; runF replaces the run function in tests.
func NewCmdCompare(io cmdutil.IO, runF func(context.Context, *CompareOptions) error) *cobra.Command {
	opts := &CompareOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "compare NET_RECORD",
		Short: "Check the simulator against real miners: a powlab net --daa run beside simulated runs",
		Long: `Set a real run of a difficulty algorithm beside the simulator. NET_RECORD is
the record of a run of real nodes with capped miners under that algorithm
(powlab net --daa NAME ...). The simulator runs the same algorithm with the
same parameters, block time, number of blocks and starting difficulty,
under the real run's hashrate (steady, or the step and back of powlab net
--rate-step H:F,H2:1), --runs times with seeds --seed, --seed+1, ...

The table gives the mean and the standard deviation of the solve times ÷ T:
the real run's with their 95% intervals (Student's t for the mean, a seeded
bootstrap for the SD), and the simulated runs' median with the range that
holds 95% of them. The simulator agrees with the real miners when the real
values lie inside those ranges; a two-sample Kolmogorov–Smirnov test
compares the whole distributions. The chart draws the solve-time
distributions against the exponential law and the two statistics.

The real solve times are the intervals between the best chain's blocks as
the nodes mined them, from the second block on. Exit 0 whatever the
verdict; --json gives mean_agrees and sd_agrees for scripts.`,
		Example: `  powlab net --miners 1M,1M --bits 20 --daa lwma --daa-window 20 --block-time 500ms --blocks 200 --out runs
  powlab daa compare runs/net-*.json --out lwma-real.png`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			if len(args) == 1 {
				opts.Net = args[0]
			}
			opts.Argv = append(cmdutil.ArgvOf(c.Flags()), args...)
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runCompare(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Runs, "runs", daasim.DefaultCompareRuns, "simulated runs")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the first simulated run (and of the bootstrap)")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, compareRecord)
	return cmd
}

func runCompare(ctx context.Context, opts *CompareOptions) error {
	var fs *pflag.FlagSet
	if opts.cmd != nil {
		fs = opts.cmd.Flags()
	}
	if err := opts.Check(fs, "runs", "seed"); err != nil {
		return err
	}
	var rec *results.DAACompare
	saved := ""
	switch {
	case opts.From != "" && opts.Net != "":
		return cmdutil.FlagErrorf("--from redraws a saved comparison; give it without NET_RECORD")
	case opts.From != "":
		rec = &results.DAACompare{}
		if err := cmdutil.ReadFromRecord(opts.From, compareRecord.Kind, rec); err != nil {
			return err
		}
	case opts.Net == "":
		return cmdutil.FlagErrorf("give the record of a powlab net --daa run (or --from a saved comparison)")
	default:
		var net results.Net
		if err := results.Read(opts.Net, results.KindNet, &net); err != nil {
			return fmt.Errorf("%s: %w", opts.Net, err)
		}
		cfg, err := daasim.CompareFromNet(&net, opts.Net)
		if err != nil {
			return err
		}
		cfg.Runs, cfg.Seed = opts.Runs, opts.Seed
		cfg.Command = append([]string{"powlab", "daa", "compare"}, opts.Argv...)
		st := cmdutil.NewStatus(opts.IO.ErrOut)
		st.Set("simulating %d runs of %d blocks of %s", cfg.Runs, len(cfg.Solvetimes), cfg.Algo)
		rec, err = daasim.Compare(ctx, cfg)
		st.Clear()
		if err != nil {
			if errors.Is(err, daasim.ErrConfig) {
				return cmdutil.FlagErrorWrap(err)
			}
			return err
		}
		if saved, err = opts.Save(rec); err != nil {
			return err
		}
	}
	return cmdutil.ShowRecord(opts.IO, opts.RecordFlags, rec, saved, renderCompare, results.WriteDAACompareChart)
}

func renderCompare(io cmdutil.IO, rec *results.DAACompare) {
	out := io.Out
	fmt.Fprintf(out, "powlab daa compare: %s, T = %gs", rec.Algo, rec.BlockTimeSeconds)
	if rec.Window > 0 {
		fmt.Fprintf(out, ", window %d", rec.Window)
	}
	if rec.HalfLifeSeconds > 0 {
		fmt.Fprintf(out, ", half-life %gs", rec.HalfLifeSeconds)
	}
	fmt.Fprintf(out, "; real run %s (%s, first difficulty %.2f × hashrate·T)\n", rec.Source, cmdutil.HumanRate(rec.Hashrate), rec.InitialRatio)
	fmt.Fprintf(out, "%d solve times against %d simulated runs of as many blocks (seeds %d..%d)", rec.Blocks, rec.Runs, rec.Seed, rec.Seed+uint64(rec.Runs)-1)
	if rec.StepFactor > 0 {
		fmt.Fprintf(out, "; hashrate ×%g for blocks %d to %d", rec.StepFactor, rec.StepAt, rec.StepBack-1)
	}
	fmt.Fprint(out, "\n\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "statistic\treal\t95% interval\tsimulator\t95% of runs\tagrees\t")
	verdict := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(tw, "mean solve time ÷ T\t%.3f\t[%.3f, %.3f]\t%.3f\t[%.3f, %.3f]\t%s\t\n", rec.Real.Mean, rec.Real.MeanLow, rec.Real.MeanHigh,
		rec.Sim.Mean, rec.Sim.MeanLow, rec.Sim.MeanHigh, verdict(rec.MeanAgrees))
	fmt.Fprintf(tw, "SD of solve time ÷ T\t%.3f\t[%.3f, %.3f]\t%.3f\t[%.3f, %.3f]\t%s\t\n", rec.Real.SD, rec.Real.SDLow, rec.Real.SDHigh,
		rec.Sim.SD, rec.Sim.SDLow, rec.Sim.SDHigh, verdict(rec.SDAgrees))
	tw.Flush()
	fmt.Fprintf(out, "\ndistributions: two-sample KS distance %.3f, p = %.2f\n", rec.KS, rec.KSP)
}
