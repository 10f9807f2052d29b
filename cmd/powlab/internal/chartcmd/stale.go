package chartcmd

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench/netlab"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// StaleOptions are the flags of `powlab chart stale`.
type StaleOptions struct {
	IO     cmdutil.IO
	Ratios string
	Miners int
	Blocks int
	Seed   uint64
	// Real runs the sweep on real nodes (a short one), Rate capping each.
	Real bool
	Rate float64
	Argv []string
	cmd  *cobra.Command
	cmdutil.RecordFlags
}

// DefaultStaleOut is where `powlab chart stale` draws by default.
const DefaultStaleOut = "stale.png"

var staleRecord = cmdutil.RecordFlagOptions{
	Out:  DefaultStaleOut,
	From: "a saved stale record",
	Kind: results.KindStale,
}

// NewCmdStale builds the command; runF replaces the run function in tests.
func NewCmdStale(io cmdutil.IO, runF func(context.Context, *StaleOptions) error) *cobra.Command {
	opts := &StaleOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "stale",
		Short: "Stale rate vs propagation delay ÷ block interval, simulated, with 1 − e^(−τ/T)",
		Long: `Simulate the stale-block rate of a network against its propagation delay
τ over the block interval T (600 s), one point per --ratios value: --miners
equal miners, one per node, in a full mesh whose every link delays a block
by τ, for --blocks blocks each (powlab net --sim underneath). Each point
gets its 95% Wilson interval; the chart draws them on log-log axes beside
the classic 1 − e^(−τ/T) (the chance that another block is found before a
new one has reached everyone) and Bitcoin's measured 2013 figures (Decker &
Wattenhofer: 12.6 s mean propagation, 1.69% forks at 600 s blocks).

With n equal miners a block meets a rival from another node (1 − 1/n) of
the time the formula assumes; at large τ/T the rate stays below the formula
(stale ÷ mined counts one loser per race, however many blocks the race
saw). --json prints the record: points[] with delay_ratio, stale_rate,
stale_low, stale_high and theory.

--real runs a short sweep of real nodes instead (powlab net underneath):
--miners equal miners (default 4) capped at --rate attempts/s each, about
one block per 500 ms, --blocks blocks a point (default 60), at --ratios
(default 0.05, 0.1, 0.2); each point's τ/T is recomputed from the interval
the nodes reached. Real nodes add their own validation and relay time to the
links' delay, so their stale rate sits a little above the formula's.`,
		Example: `  powlab chart stale
  powlab chart stale --ratios 0.01,0.1 --blocks 100000 --json
  powlab chart stale --real --out stale-real.png           # about 2 minutes of real mining
  powlab chart stale --from results-out/stale-20261130T050000.000Z.json --out docs/stale.png`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			opts.Argv = cmdutil.ArgvOf(c.Flags())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runStale(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Ratios, "ratios", joinFloats(netlab.DefaultStaleRatios), "comma-separated delay ratios τ/T, each above 0 and at most 10")
	f.IntVar(&opts.Miners, "miners", netlab.DefaultStaleMiners, fmt.Sprintf("equal miners, one per node of the mesh (2 to %d)", netlab.MaxMeshNodes))
	f.IntVar(&opts.Blocks, "blocks", netlab.DefaultStaleBlocks, "blocks simulated per point (1000 to 10000000)")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the first point (point i uses seed + i)")
	f.BoolVar(&opts.Real, "real", false, "sweep real nodes on loopback instead of the simulation (short: defaults 4 miners, 60 blocks a point)")
	f.Float64Var(&opts.Rate, "rate", netlab.DefaultRealStaleRate, "--real: each miner's cap in attempts/s")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, staleRecord)
	return cmd
}

func runStale(ctx context.Context, opts *StaleOptions) error {
	if err := opts.Check(flagsOf(opts.cmd), "ratios", "miners", "blocks", "seed", "real", "rate"); err != nil {
		return err
	}
	if opts.From == "" && opts.Real {
		return runRealStale(ctx, opts)
	}
	if opts.From == "" && flagsOf(opts.cmd) != nil && flagsOf(opts.cmd).Changed("rate") {
		return cmdutil.FlagErrorf("--rate caps real miners: it needs --real")
	}
	var rec *results.Stale
	var runErr error
	if opts.From != "" {
		rec = &results.Stale{}
		if err := cmdutil.ReadFromRecord(opts.From, staleRecord.Kind, rec); err != nil {
			return err
		}
	} else {
		ratios, err := parseFloats("--ratios", opts.Ratios, 0, 10, false)
		if err != nil {
			return err
		}
		if opts.Miners < 2 || opts.Miners > netlab.MaxMeshNodes {
			return cmdutil.FlagErrorf("--miners %d: want 2 to %d", opts.Miners, netlab.MaxMeshNodes)
		}
		if opts.Blocks < 1000 || opts.Blocks > 10_000_000 {
			return cmdutil.FlagErrorf("--blocks %d: want 1000 to 10000000", opts.Blocks)
		}
		st := cmdutil.NewStatus(opts.IO.ErrOut)
		rec, runErr = netlab.StaleSweep(ctx, netlab.StaleSweepConfig{
			Ratios: ratios, Miners: opts.Miners, Blocks: opts.Blocks, Seed: opts.Seed,
			Command: append([]string{"powlab", "chart", "stale"}, opts.Argv...),
			Progress: func(done, total int, ratio float64) {
				st.Set("[%d/%d] τ/T = %g: %d blocks …", done+1, total, ratio, opts.Blocks)
			},
		})
		st.Clear()
		return showSweep(opts.IO, opts.RecordFlags, "stale", rec, stalePoints(rec), runErr, RenderStale, results.PlotStale)
	}
	return cmdutil.ShowRecord(opts.IO, opts.RecordFlags, rec, "", RenderStale, results.PlotStale)
}

func stalePoints(rec *results.Stale) int {
	if rec == nil {
		return 0
	}
	return len(rec.Points)
}

// RenderStale prints a stale sweep as a table.
func RenderStale(io cmdutil.IO, rec *results.Stale) {
	out := io.Out
	c := rec.Config
	kind := "simulated"
	if !rec.Simulated {
		kind = "real nodes"
	}
	fmt.Fprintf(out, "powlab chart stale: %s, %d equal miners in a %s, %s blocks, %d blocks per point, seed %d\n\n",
		kind, c.Miners, c.Topology, cmdutil.HumanSeconds(c.BlockTimeSecs), c.Blocks, c.Seed)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "τ/T\tdelay\tmined\tstale\tstale rate\t%.0f%% interval\ttheory 1−e^(−τ/T)\tmeasured ÷ theory\t\n", 100*c.Confidence)
	for _, p := range rec.Points {
		ratio := "-"
		if p.Theory > 0 {
			ratio = fmt.Sprintf("%.2f", p.StaleRate/p.Theory)
		}
		fmt.Fprintf(tw, "%.3g\t%s\t%d\t%d\t%s\t%s..%s\t%s\t%s\t\n", p.DelayRatio, cmdutil.HumanSeconds(p.DelaySecs), p.Mined, p.Stale,
			pct3(p.StaleRate), pct3(p.StaleLow), pct3(p.StaleHigh), pct3(p.Theory), ratio)
	}
	tw.Flush()
	r := rec.Reference
	if r.DelayRatio > 0 {
		fmt.Fprintf(out, "\nreference %s: τ/T = %.4f, stale %s (theory %s)\n", r.Source, r.DelayRatio, pct3(r.StaleRate), pct3(-math.Expm1(-r.DelayRatio)))
	}
}

func pct3(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return strconv.FormatFloat(100*f, 'g', 3, 64) + "%"
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', 4, 64)
	}
	return strings.Join(s, ",")
}

// parseFloats parses a comma-separated list of numbers, each in (lo, hi]
// (or [lo, hi] when closed), sorted without repeats. Errors are usage
// errors naming the flag.
func parseFloats(flag, s string, lo, hi float64, closed bool) ([]float64, error) {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		v, err := strconv.ParseFloat(part, 64)
		if part == "" || err != nil {
			return nil, cmdutil.FlagErrorf("%s %q: %q is not a number", flag, s, part)
		}
		if !(v <= hi && (v > lo || (closed && v == lo))) {
			open := "above"
			if closed {
				open = "from"
			}
			return nil, cmdutil.FlagErrorf("%s %q: %g is out of range; want %s %g to %g", flag, s, v, open, lo, hi)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// runRealStale is --real: the sweep on real nodes.
func runRealStale(ctx context.Context, opts *StaleOptions) error {
	fs := flagsOf(opts.cmd)
	changed := func(name string) bool { return fs != nil && fs.Changed(name) }
	ratios := netlab.DefaultRealStaleRatios
	if changed("ratios") {
		var err error
		if ratios, err = parseFloats("--ratios", opts.Ratios, 0, 2, false); err != nil {
			return err
		}
	}
	miners, blocks := netlab.DefaultRealStaleMiners, netlab.DefaultRealStaleBlocks
	if changed("miners") {
		miners = opts.Miners
	}
	if changed("blocks") {
		blocks = opts.Blocks
	}
	if miners < 2 || miners > netlab.MaxRealMiners {
		return cmdutil.FlagErrorf("--miners %d: want 2 to %d real nodes", miners, netlab.MaxRealMiners)
	}
	if blocks < 10 || blocks > 100000 {
		return cmdutil.FlagErrorf("--blocks %d: want 10 to 100000 real blocks a point", blocks)
	}
	if !(opts.Rate >= 1000 && opts.Rate <= 1e9) {
		return cmdutil.FlagErrorf("--rate %g: want 1000 to 1e9 attempts/s", opts.Rate)
	}
	st := cmdutil.NewStatus(opts.IO.ErrOut)
	rec, runErr := netlab.RealStaleSweep(ctx, netlab.RealStaleSweepConfig{
		Ratios: ratios, Miners: miners, Blocks: blocks, BlockTime: netlab.DefaultRealStaleBlockTime, Rate: opts.Rate, Seed: opts.Seed,
		Command: append([]string{"powlab", "chart", "stale"}, opts.Argv...),
		Progress: func(done, total int, ratio float64) {
			st.Set("[%d/%d] τ/T = %g: %d real blocks …", done+1, total, ratio, blocks)
		},
	})
	st.Clear()
	return showSweep(opts.IO, opts.RecordFlags, "stale", rec, stalePoints(rec), runErr, RenderStale, results.PlotStale)
}

// showSweep saves and shows a sweep's record. A sweep that finished no
// point returns its error; one cut short is saved and shown with the points
// it has, then its error is returned (Ctrl-C: exit 130).
func showSweep[R any, PR interface {
	*R
	results.Headed
}](io cmdutil.IO, rf cmdutil.RecordFlags, name string, rec PR, points int, runErr error, render func(cmdutil.IO, *R), draw func(*R, string) error) error {
	if rec == nil || points == 0 {
		if runErr == nil {
			runErr = fmt.Errorf("%s: no point finished", name)
		}
		return runErr
	}
	path, err := rf.Save(rec)
	if err != nil {
		return err
	}
	if err := cmdutil.ShowRecord(io, rf, (*R)(rec), path, render, draw); err != nil {
		return err
	}
	return runErr
}
