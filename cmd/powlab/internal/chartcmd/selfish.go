package chartcmd

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench/netlab"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// SelfishOptions are the flags of `powlab chart selfish`.
type SelfishOptions struct {
	IO     cmdutil.IO
	Alphas string
	Gammas string
	Blocks int
	Seed   uint64
	Argv   []string
	cmd    *cobra.Command
	cmdutil.RecordFlags
}

// DefaultSelfishOut is where `powlab chart selfish` draws by default.
const DefaultSelfishOut = "selfish.png"

var selfishRecord = cmdutil.RecordFlagOptions{
	Out:  DefaultSelfishOut,
	From: "a saved selfish record",
	Kind: results.KindSelfish,
}

// NewCmdSelfish builds the command; runF replaces the run function in tests.
func NewCmdSelfish(io cmdutil.IO, runF func(context.Context, *SelfishOptions) error) *cobra.Command {
	opts := &SelfishOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "selfish",
		Short: "A selfish pool's revenue vs its hashrate share, simulated, with Eyal & Sirer's curve",
		Long: `Simulate selfish mining (Eyal & Sirer 2014, "Majority is not enough"): a pool
with share α of the hashrate withholds its blocks and releases them to
override or race the honest chain, against one honest node, without delay;
on a tie a share γ of the honest hashrate mines on the pool's branch. One
point per --alphas × --gammas, --blocks blocks each (powlab net --sim
underneath). The pool's revenue is its share of the blocks on the final
chain; its interval is the 95% Student-t interval over 20 stretches of the
chain (the pool's blocks come in runs, so single blocks are not
independent).

The chart draws the points beside the closed form
  R = [α(1−α)²(4α+γ(1−2α)) − α³] / [1 − α(1+(2−α)α)],
the honest line R = α and the thresholds above which withholding pays,
(1−γ)/(3−2γ): 1/3 at γ = 0, 1/4 at γ = 1/2, 0 at γ = 1. --json prints the
record: points[] with alpha, gamma, revenue, revenue_low, revenue_high and
theory.`,
		Example: `  powlab chart selfish
  powlab chart selfish --alphas 0.25,0.33 --gammas 0 --blocks 200000 --json
  powlab chart selfish --from results-out/selfish-20261130T050000.000Z.json --out docs/selfish.png`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			opts.Argv = cmdutil.ArgvOf(c.Flags())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runSelfish(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Alphas, "alphas", joinFloats(netlab.DefaultSelfishAlphas), "comma-separated hashrate shares α of the pool, each above 0 and below 0.5")
	f.StringVar(&opts.Gammas, "gammas", joinFloats(netlab.DefaultSelfishGammas), "comma-separated shares γ of honest hashrate mining on the pool's branch in a tie, 0 to 1")
	f.IntVar(&opts.Blocks, "blocks", netlab.DefaultSelfishBlocks, "blocks simulated per point (1000 to 10000000)")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the first point (each point adds its index)")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, selfishRecord)
	return cmd
}

func runSelfish(ctx context.Context, opts *SelfishOptions) error {
	if err := opts.Check(flagsOf(opts.cmd), "alphas", "gammas", "blocks", "seed"); err != nil {
		return err
	}
	var rec *results.Selfish
	var runErr error
	if opts.From != "" {
		rec = &results.Selfish{}
		if err := cmdutil.ReadFromRecord(opts.From, selfishRecord.Kind, rec); err != nil {
			return err
		}
	} else {
		alphas, err := parseFloats("--alphas", opts.Alphas, 0, 0.4999, false)
		if err != nil {
			return err
		}
		gammas, err := parseFloats("--gammas", opts.Gammas, 0, 1, true)
		if err != nil {
			return err
		}
		if opts.Blocks < 1000 || opts.Blocks > 10_000_000 {
			return cmdutil.FlagErrorf("--blocks %d: want 1000 to 10000000", opts.Blocks)
		}
		st := cmdutil.NewStatus(opts.IO.ErrOut)
		rec, runErr = netlab.SelfishSweep(ctx, netlab.SelfishSweepConfig{
			Alphas: alphas, Gammas: gammas, Blocks: opts.Blocks, Seed: opts.Seed,
			Command: append([]string{"powlab", "chart", "selfish"}, opts.Argv...),
			Progress: func(done, total int, a, g float64) {
				st.Set("[%d/%d] α = %.3g, γ = %g: %d blocks …", done+1, total, a, g, opts.Blocks)
			},
		})
		st.Clear()
		points := 0
		if rec != nil {
			points = len(rec.Points)
		}
		return showSweep(opts.IO, opts.RecordFlags, "selfish", rec, points, runErr, RenderSelfish, results.PlotSelfish)
	}
	return cmdutil.ShowRecord(opts.IO, opts.RecordFlags, rec, "", RenderSelfish, results.PlotSelfish)
}

// RenderSelfish prints a selfish sweep as a table.
func RenderSelfish(io cmdutil.IO, rec *results.Selfish) {
	out := io.Out
	c := rec.Config
	fmt.Fprintf(out, "powlab chart selfish: simulated, a selfish pool against one honest node, no delay, %d blocks per point, seed %d\n", c.Blocks, c.Seed)
	for _, th := range rec.Thresholds {
		fmt.Fprintf(out, "threshold γ = %g: withholding pays above α = %.4g\n", th.Gamma, th.Alpha)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "γ\tα\trevenue\t%.0f%% interval\ttheory\tsim − theory\tvs honest (α)\tstale\t\n", 100*c.Confidence)
	for _, p := range rec.Points {
		fmt.Fprintf(tw, "%g\t%.3g\t%.4f\t%.4f..%.4f\t%.4f\t%+.4f\t%+.4f\t%s\t\n", p.Gamma, p.Alpha, p.Revenue, p.RevenueLow, p.RevenueHigh,
			p.Theory, p.Revenue-p.Theory, p.Revenue-p.Alpha, pct3(p.StaleRate))
	}
	tw.Flush()
}
