package daacmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/powlab/powlab/bench/daasim"
	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// SimOptions are the flags of `powlab daa sim`.
type SimOptions struct {
	IO             cmdutil.IO
	Algo           string
	Scenario       string
	Blocks         int
	BlockTime      time.Duration
	Seed           uint64
	StepAt         int
	StepBack       int
	StepFactor     float64
	AttackHashrate float64
	AttackWindow   int
	RampFactor     float64
	Windows        map[string]int64
	HalfLife       time.Duration
	cmdutil.RecordFlags
	// Argv is the command line, rebuilt from the flags that were set.
	Argv []string
	cmd  *cobra.Command
}

// DefaultSimOut is where `powlab daa sim` draws by default.
const DefaultSimOut = "daa-sim.png"

// simRecord describes the record flags of `powlab daa sim`.
var simRecord = cmdutil.RecordFlagOptions{
	Out:     DefaultSimOut,
	OutNote: "the solve-time chart goes next to it as NAME-solvetimes.EXT",
	From:    "a saved daasim record",
	Kind:    results.KindDAASim,
}

// scenarioFlags are the flags that apply to one scenario each.
var scenarioFlags = map[string]daasim.Scenario{
	"step-at": daasim.Step, "step-back": daasim.Step, "step-factor": daasim.Step,
	"attack-hashrate": daasim.OnOff, "attack-window": daasim.OnOff,
	"ramp-factor": daasim.Ramp,
}

// experimentFlags change what is simulated; --from rejects them.
var experimentFlags = []string{"algo", "scenario", "blocks", "block-time", "seed", "step-at", "step-back", "step-factor",
	"attack-hashrate", "attack-window", "ramp-factor", "window", "half-life"}

// NewCmdSim builds the command; runF replaces the run function in tests.
func NewCmdSim(io cmdutil.IO, runF func(context.Context, *SimOptions) error) *cobra.Command {
	opts := &SimOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Simulate difficulty algorithms side by side on a hashrate scenario",
		Long: `Simulate each --algo on the same hashrate scenario, without hashing: every
block's solve time is drawn from the exponential law with mean difficulty ÷
hashrate, the algorithm sets the next target from the blocks so far (exact
integers, rounded through the compact form a chain stores), and the
hashrate follows --scenario:

  steady  a constant hashrate
  step    ×--step-factor at block --step-at, back at --step-back
  onoff   an attacker with --attack-hashrate × the base hashrate mines while
          the next block's difficulty is below the mean of the last
          --attack-window blocks (a profit-switching pool)
  ramp    exponential growth by --ramp-factor over the run

Time is scale-free (--block-time only names T); the first target expects
one block per T. Runs are seeded: one --seed gives the same record on any
machine, each algorithm on its own random stream.

The table gives, per algorithm: the mean and standard deviation of the
solve times ÷ T; delays, the blocks slower than 6 T; in onoff, the
attacker's share of blocks and how much cheaper its blocks were than the
average (stolen); in step, the blocks until the difficulty stays within 10%
of the new hashrate × T for 10 blocks (the mean of both steps); and the
difficulty error, the mean |difficulty ÷ (hashrate × T) − 1|.

The record goes to --record-dir and two charts to --out: the difficulty
relative to the true hashrate × T by height (step: with close-ups of both
steps; onoff: a close-up of 1000 blocks, one panel per algorithm, the
attacker's blocks shaded), and NAME-solvetimes.EXT, the share of solve
times above x·T against the exponential law. --from redraws a saved
record. Ctrl-C stops and keeps what was simulated.`,
		Example: `  powlab daa sim                                  # every algorithm, steady, 100000 blocks
  powlab daa sim --scenario onoff --algo all --out onoff.png
  powlab daa sim --scenario step --step-factor 4 --blocks 30000 --json
  powlab daa sim --from results-out/daasim-20261130T050000.123Z.json --out again.svg`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			opts.Argv = cmdutil.ArgvOf(c.Flags())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runSim(c.Context(), opts)
		},
	}
	scen := make([]string, 0, 4)
	for _, s := range daasim.Scenarios() {
		scen = append(scen, string(s))
	}
	f := cmd.Flags()
	f.StringVar(&opts.Algo, "algo", "all", "comma-separated algorithms: "+strings.Join(daa.Names(), ", ")+", or all")
	f.StringVar(&opts.Scenario, "scenario", string(daasim.Steady), "hashrate scenario: "+strings.Join(scen, ", "))
	f.IntVar(&opts.Blocks, "blocks", daasim.DefaultBlocks, "blocks to simulate per algorithm")
	f.DurationVar(&opts.BlockTime, "block-time", daasim.DefaultBlockTime, "target block time T (whole milliseconds, 100ms or more)")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the random solve times")
	f.IntVar(&opts.StepAt, "step-at", 0, "step: the height where the hashrate jumps (default blocks/3)")
	f.IntVar(&opts.StepBack, "step-back", 0, "step: the height where it returns (default 2·blocks/3)")
	f.Float64Var(&opts.StepFactor, "step-factor", daasim.DefaultStepFactor, "step: the hashrate's factor between --step-at and --step-back")
	f.Float64Var(&opts.AttackHashrate, "attack-hashrate", daasim.DefaultAttackHashrate, "onoff: the attacker's hashrate in multiples of the base")
	f.IntVar(&opts.AttackWindow, "attack-window", daasim.DefaultAttackWindow, "onoff: blocks in the attacker's average difficulty")
	f.Float64Var(&opts.RampFactor, "ramp-factor", daasim.DefaultRampFactor, "ramp: the hashrate at the end ÷ at the start")
	defWindows := map[string]int64{}
	for name, w := range daasim.DefaultWindows {
		defWindows[name] = int64(w)
	}
	f.StringToInt64Var(&opts.Windows, "window", defWindows, "set algorithms' windows in blocks, NAME=N,... (the others keep their defaults)")
	f.DurationVar(&opts.HalfLife, "half-life", 0, "asert's half-life (default 288 block times)")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, simRecord)
	return cmd
}

func (o *SimOptions) changed(name string) bool { return o.cmd != nil && o.cmd.Flags().Changed(name) }

// config checks the flags and builds the simulation.
func (o *SimOptions) config() (daasim.Config, error) {
	var cfg daasim.Config
	sc, err := daasim.ParseScenario(o.Scenario)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	for name, want := range scenarioFlags {
		if o.changed(name) && sc != want {
			return cfg, cmdutil.FlagErrorf("--%s applies to --scenario %s, not %s", name, want, sc)
		}
	}
	algos, err := parseAlgos(o.Algo)
	if err != nil {
		return cfg, err
	}
	if o.Blocks < 1 {
		return cfg, cmdutil.FlagErrorf("--blocks %d: want 10 to %d", o.Blocks, daasim.MaxBlocks)
	}
	cfg = daasim.Config{
		Algos: algos, Scenario: sc, Blocks: o.Blocks, BlockTime: o.BlockTime, Seed: o.Seed, HalfLife: o.HalfLife,
		Command: append([]string{"powlab", "daa", "sim"}, o.Argv...),
	}
	for name, w := range o.Windows {
		if _, ok := daa.Lookup(name); !ok {
			if !o.changed("window") {
				continue // a default for an algorithm this build lacks
			}
			return cfg, cmdutil.FlagErrorf("--window %s=%d: unknown algorithm %q (want %s)", name, w, name, strings.Join(daa.Names(), ", "))
		}
		if w < 1 || w > 1_000_000 {
			return cfg, cmdutil.FlagErrorf("--window %s=%d: want 1 to 1000000 blocks", name, w)
		}
		if cfg.Windows == nil {
			cfg.Windows = map[string]uint64{}
		}
		cfg.Windows[name] = uint64(w)
	}
	switch sc {
	case daasim.Step:
		cfg.StepAt, cfg.StepBack, cfg.StepFactor = o.StepAt, o.StepBack, o.StepFactor
		if o.changed("step-at") && o.StepAt < 1 {
			return cfg, cmdutil.FlagErrorf("--step-at %d: want a height from 1", o.StepAt)
		}
		if o.changed("step-back") && o.StepBack < 1 {
			return cfg, cmdutil.FlagErrorf("--step-back %d: want a height from 2", o.StepBack)
		}
		if !(o.StepFactor > 0) {
			return cfg, cmdutil.FlagErrorf("--step-factor %g: want a positive factor", o.StepFactor)
		}
	case daasim.OnOff:
		cfg.AttackHashrate, cfg.AttackWindow = o.AttackHashrate, o.AttackWindow
		if !(o.AttackHashrate > 0) {
			return cfg, cmdutil.FlagErrorf("--attack-hashrate %g: want a positive multiple of the base hashrate", o.AttackHashrate)
		}
		if o.AttackWindow < 1 {
			return cfg, cmdutil.FlagErrorf("--attack-window %d: want 1 block or more", o.AttackWindow)
		}
	case daasim.Ramp:
		cfg.RampFactor = o.RampFactor
		if !(o.RampFactor > 0) {
			return cfg, cmdutil.FlagErrorf("--ramp-factor %g: want a positive factor", o.RampFactor)
		}
	}
	return cfg, nil
}

// parseAlgos parses --algo: "all" (or empty) is every registered
// algorithm; otherwise names, checked, without repeats.
func parseAlgos(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return daa.Names(), nil
	}
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		if _, ok := daa.Lookup(name); !ok {
			return nil, cmdutil.FlagErrorf("--algo %q: unknown algorithm %q (want %s, or all)", s, name, strings.Join(daa.Names(), ", "))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

func runSim(ctx context.Context, opts *SimOptions) error {
	var fs *pflag.FlagSet
	if opts.cmd != nil {
		fs = opts.cmd.Flags()
	}
	if err := opts.Check(fs, experimentFlags...); err != nil {
		return err
	}
	if opts.From != "" {
		var rec results.DAASim
		if err := cmdutil.ReadFromRecord(opts.From, simRecord.Kind, &rec); err != nil {
			return err
		}
		return finishSim(opts, &rec, "")
	}
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	st := cmdutil.NewStatus(errOut)
	cfg.Progress = func(p daasim.Progress) {
		st.Set("simulating: %s of %s blocks (%.0f%%), %d of %d algorithms done, %s",
			strings.TrimSpace(cmdutil.HumanCount(float64(p.Blocks))), strings.TrimSpace(cmdutil.HumanCount(float64(p.Total))),
			100*float64(p.Blocks)/float64(max(p.Total, 1)), p.Done, p.Algos, p.Elapsed.Round(100*time.Millisecond))
	}
	rec, runErr := daasim.Run(ctx, cfg)
	st.Clear()
	if rec == nil {
		if errors.Is(runErr, daasim.ErrConfig) {
			return cmdutil.FlagErrorWrap(runErr)
		}
		return runErr
	}
	if runErr != nil {
		if !errors.Is(runErr, context.Canceled) {
			return runErr
		}
		fmt.Fprintln(errOut, "interrupted: keeping the blocks simulated so far")
	}
	path, err := opts.Save(rec)
	if err != nil {
		return err
	}
	if err := finishSim(opts, rec, path); err != nil {
		return err
	}
	return runErr
}

// finishSim prints a record and draws its charts; path is where the record
// was saved ("" when it was not).
func finishSim(opts *SimOptions, rec *results.DAASim, path string) error {
	if err := cmdutil.PrintRecord(opts.IO, opts.RecordFlags, rec, Render); err != nil {
		return err
	}
	solve, err := results.WriteDAASimCharts(rec, opts.Out)
	if err != nil {
		return err
	}
	cmdutil.ReportWritten(opts.IO, path, opts.Out, solve)
	return nil
}

// Render prints a simulation record as a table, one row per algorithm.
func Render(io cmdutil.IO, rec *results.DAASim) {
	out := io.Out
	sp := rec.Spec
	fmt.Fprintf(out, "powlab daa sim: %s\n", sp.ScenarioLine())
	fmt.Fprintf(out, "run       %s", sp.RunLine())
	if !rec.Complete {
		fmt.Fprint(out, " (interrupted)")
	}
	fmt.Fprintln(out)
	if rec.Env.CPU != "" {
		fmt.Fprintf(out, "cpu       %s\n", rec.Env.CPU)
	}
	fmt.Fprintf(out, "metrics   solve times ÷ T; delays: slower than %g T; difficulty error: mean |difficulty ÷ (hashrate × T) − 1|\n\n", sp.DelayFactor)
	speed := map[string]results.DAASpeed{}
	for _, s := range rec.Speed {
		speed[s.Name] = s
	}
	blocks := map[string]int{}
	settle := map[string][]*int{}
	for _, s := range rec.Series {
		blocks[s.Name] = s.Blocks
		settle[s.Name] = s.SettleEach
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "algo\tblocks\tmean solve\tsd solve\tdelays\t"
	switch sp.Scenario {
	case "onoff":
		head += "attacker blocks\tstolen\t"
	case "step":
		head += "settle (blocks)\tstep, back\t"
	}
	head += "difficulty error\tblocks/s\t"
	fmt.Fprintln(tw, head)
	for _, m := range rec.Algos {
		row := fmt.Sprintf("%s\t%d\t%.3f T\t%.3f T\t%.2f%%\t", m.Name, blocks[m.Name], m.MeanSolvetimeRatio, m.SolvetimeSDRatio, m.DelaysPct)
		switch sp.Scenario {
		case "onoff":
			row += pct(m.AttackerBlocksPct) + "\t" + pct(m.StolenPct) + "\t"
		case "step":
			var each []string
			for _, v := range settle[m.Name] {
				if v == nil {
					each = append(each, "never")
				} else {
					each = append(each, fmt.Sprint(*v))
				}
			}
			row += opt(m.SettleBlocks, "%.0f", "never") + "\t" + strings.Join(each, ", ") + "\t"
		}
		rate := "-"
		if s, ok := speed[m.Name]; ok && s.BlocksPerSec > 0 {
			rate = cmdutil.HumanRate(s.BlocksPerSec)
		}
		row += fmt.Sprintf("%.3f\t%s\t", m.DifficultyError, rate)
		fmt.Fprintln(tw, row)
	}
	tw.Flush()
}

func pct(v *float64) string { return opt(v, "%.2f%%", "-") }

func opt(v *float64, format, none string) string {
	if v == nil {
		return none
	}
	return fmt.Sprintf(format, *v)
}
