package chartcmd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// AttemptsOptions are the flags of `powlab chart attempts`.
type AttemptsOptions struct {
	IO      cmdutil.IO
	Prefix  string
	Bits    string
	Trials  int
	Workers int
	Kernel  string
	Seed    uint64
	Force   bool
	Budget  time.Duration
	Argv    []string
	cmd     *cobra.Command
	cmdutil.RecordFlags
}

// attemptsRecord describes the record flags of `powlab chart attempts`.
var attemptsRecord = cmdutil.RecordFlagOptions{
	Out:     DefaultAttemptsOut,
	OutNote: "the seconds chart goes next to it as NAME-seconds.EXT",
	From:    "a saved attempts record",
	Kind:    results.KindAttempts,
}

// Defaults of `powlab chart attempts`.
const (
	DefaultAttemptsPrefix = "1..5"
	DefaultTrials         = 50
	DefaultAttemptsOut    = "attempts.png"
	// DefaultBudget bounds the expected run time without --force: long
	// enough for prefix 1..6 × 100 trials on a laptop, short enough that a
	// typo such as --prefix 1..9 is caught before it runs for days.
	DefaultBudget = time.Hour
	// maxTrials bounds --trials; records keep every trial.
	maxTrials = 100000
	// calibrateFor is how long the guard measures the hashrate.
	calibrateFor = 300 * time.Millisecond
	// calibrateAbove: experiments expecting fewer attempts run at once
	// (1e7 attempts is about a second even on the slowest kernel).
	calibrateAbove = 1e7
)

// NewCmdAttempts builds the command; runF replaces the run function in tests.
func NewCmdAttempts(io cmdutil.IO, runF func(context.Context, *AttemptsOptions) error) *cobra.Command {
	opts := &AttemptsOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "attempts",
		Short: "Attempts to a solution vs difficulty, against the geometric law",
		Long: `For each difficulty, run --trials independent searches of the tutorial's
puzzle sha256(decimal(last_proof) + decimal(nonce)), each with a fresh random
last proof (from --seed, so a seed gives the same puzzles and the same attempt
counts on any machine), and count the attempts of the tutorial's sequential
loop to the first solution.

The attempts are geometric with p = 16^-k (--prefix, k hex zeros) or 2^-k
(--bits): mean 1/p, median ln2/p (exactly ceil(ln 0.5 / ln(1-p))). The table
gives, per difficulty, the measured mean with its 95% confidence interval
(Student t), the median, the theory, their ratio and the Kolmogorov-Smirnov
distance D to the geometric law with its p-value. Percentiles interpolate
linearly between order statistics (h = (n-1)q, as R and NumPy).

Two figures are written: --out (attempts, log scale) and the same name with
"-seconds" (seconds, with the time projected from the measured hashrate).
Difficulties take the forms 3, 1..6 or 1,2,4. An experiment expected to run
longer than --budget at the measured hashrate is refused unless --force.
Ctrl-C stops after the running trial is abandoned; the finished trials are
still saved, printed and drawn.`,
		Example: `  powlab chart attempts                                   # prefix 1..5, 50 trials each
  powlab chart attempts --prefix 1..6 --trials 100 --out docs/attempts.png
  powlab chart attempts --bits 4..24 --trials 30 --out bits.svg
  powlab chart attempts --from results-out/attempts-20261126T160000Z.json --out again.png`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAttempts(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Prefix, "prefix", "", "difficulties as leading zero hex digits: 3, 1..6 or 1,2,4 (default "+DefaultAttemptsPrefix+")")
	f.StringVar(&opts.Bits, "bits", "", "difficulties as leading zero bits: 8, 4..24 or 4,8,16")
	f.IntVar(&opts.Trials, "trials", DefaultTrials, "independent trials per difficulty")
	f.IntVarP(&opts.Workers, "workers", "w", 0, "worker goroutines per search (0: one per CPU)")
	f.StringVar(&opts.Kernel, "kernel", "auto", cmdutil.KernelHelp(false))
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the random last proofs")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, attemptsRecord)
	f.BoolVar(&opts.Force, "force", false, "run even if the expected time exceeds --budget")
	f.DurationVar(&opts.Budget, "budget", DefaultBudget, "refuse experiments expected to take longer than this (at the measured hashrate)")
	return cmd
}

// config turns the options into an experiment, checking them.
func (o *AttemptsOptions) config() (bench.AttemptsConfig, error) {
	cfg := bench.AttemptsConfig{Trials: o.Trials, Seed: o.Seed, Command: append([]string{"powlab", "chart", "attempts"}, o.Argv...)}
	switch {
	case o.Prefix != "" && o.Bits != "":
		return cfg, cmdutil.FlagErrorf("give --prefix or --bits, not both")
	case o.Bits != "":
		cfg.Scale = bench.ScaleBits
		ds, err := ParseRange("--bits", o.Bits, 1, bench.ScaleBits.MaxDifficulty())
		if err != nil {
			return cfg, err
		}
		cfg.Difficulties = ds
	default:
		cfg.Scale = bench.ScalePrefix
		s := o.Prefix
		if s == "" {
			s = DefaultAttemptsPrefix
		}
		ds, err := ParseRange("--prefix", s, 1, bench.ScalePrefix.MaxDifficulty())
		if err != nil {
			return cfg, err
		}
		cfg.Difficulties = ds
	}
	if o.Trials < 1 || o.Trials > maxTrials {
		return cfg, cmdutil.FlagErrorf("--trials %d: must be from 1 to %d", o.Trials, maxTrials)
	}
	if o.Budget <= 0 {
		return cfg, cmdutil.FlagErrorf("--budget %s: must be positive", o.Budget)
	}
	k, w, err := cmdutil.ResolveMiner(o.Kernel, o.Workers)
	if err != nil {
		return cfg, err
	}
	cfg.Kernel, cfg.Workers = k, w
	return cfg, nil
}

func runAttempts(ctx context.Context, opts *AttemptsOptions) error {
	if err := opts.Check(flagsOf(opts.cmd), "prefix", "bits", "trials", "workers", "kernel", "seed", "force", "budget"); err != nil {
		return err
	}
	if opts.From != "" {
		var rec results.Attempts
		if err := cmdutil.ReadFromRecord(opts.From, attemptsRecord.Kind, &rec); err != nil {
			return err
		}
		return finishAttempts(opts, &rec, "")
	}
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	expected := cfg.ExpectedAttempts()
	if expected > calibrateAbove {
		rate, err := bench.MeasureRate(ctx, cfg.Kernel, cfg.Workers, calibrateFor)
		if err != nil {
			return err
		}
		secs := expected / rate
		if !opts.JSON {
			fmt.Fprintf(errOut, "expected %s attempts in %d trials: about %s at %s\n",
				cmdutil.HumanCount(expected), len(cfg.Difficulties)*cfg.Trials, cmdutil.HumanSeconds(secs), cmdutil.HumanRate(rate))
		}
		if secs > opts.Budget.Seconds() && !opts.Force {
			return cmdutil.FlagErrorf("this experiment expects %s attempts, about %s at the measured %s, over the --budget of %s; lower the difficulty or the trials, raise --budget, or pass --force",
				cmdutil.HumanCount(expected), cmdutil.HumanSeconds(secs), cmdutil.HumanRate(rate), opts.Budget)
		}
	}
	bar := newBar(errOut, expected)
	cfg.Progress = func(ev bench.AttemptsEvent) {
		if bar == nil {
			return
		}
		bar.Describe(fmt.Sprintf("%s %d: trial %d/%d done", cfg.Scale, ev.Difficulty, ev.Trial, ev.Trials))
		_ = bar.Add64(int64(math.Round(ev.ExpectedAttempts)))
	}
	cfg.SearchProgress = func(d, trial int, p miner.Progress) {
		if bar == nil {
			return
		}
		bar.Describe(fmt.Sprintf("%s %d: trial %d/%d running, %s attempts at %s", cfg.Scale, d, trial, cfg.Trials,
			strings.TrimSpace(cmdutil.HumanCount(float64(p.Attempts))), cmdutil.HumanRate(p.Rate)))
	}
	rec, runErr := bench.Attempts(ctx, cfg)
	if bar != nil {
		_ = bar.Clear()
	}
	if rec == nil {
		return runErr
	}
	if runErr != nil {
		if !errors.Is(runErr, context.Canceled) {
			return runErr
		}
		n := 0
		for _, p := range rec.Points {
			n += p.Trials
		}
		fmt.Fprintf(errOut, "interrupted: keeping the %d trials that finished\n", n)
		if n == 0 {
			return runErr
		}
	}
	path, err := opts.Save(rec)
	if err != nil {
		return err
	}
	if err := finishAttempts(opts, rec, path); err != nil {
		return err
	}
	return runErr
}

// newBar is a progress bar on w weighted by expected attempts, or nil when
// w is not a terminal.
func newBar(w interface{ Write([]byte) (int, error) }, total float64) *progressbar.ProgressBar {
	if !cmdutil.IsTerminal(w) {
		return nil
	}
	return progressbar.NewOptions64(int64(math.Round(total)),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
}

// finishAttempts prints and draws a record; path is where it was saved.
func finishAttempts(opts *AttemptsOptions, rec *results.Attempts, path string) error {
	if err := cmdutil.PrintRecord(opts.IO, opts.RecordFlags, rec, RenderAttempts); err != nil {
		return err
	}
	if err := results.PlotAttempts(rec, opts.Out); err != nil {
		return err
	}
	sec := results.SecondsPath(opts.Out)
	if err := results.PlotAttemptsSeconds(rec, sec); err != nil {
		return err
	}
	cmdutil.ReportWritten(opts.IO, path, opts.Out, sec)
	return nil
}

// RenderAttempts prints an attempts record as a table.
func RenderAttempts(io cmdutil.IO, rec *results.Attempts) {
	out := io.Out
	fmt.Fprintf(out, "powlab chart attempts: %s scale, %d trials per difficulty, seed %d%s\n",
		rec.Scale, rec.TrialsPerDifficulty, rec.Seed, map[bool]string{true: "", false: " (interrupted)"}[rec.Complete])
	fmt.Fprintf(out, "puzzle    %s\n", rec.Puzzle)
	fmt.Fprintf(out, "cpu       %s, kernel %s × %d workers, %s over all trials\n",
		rec.Env.CPU, rec.Kernel, rec.Workers, cmdutil.HumanRate(rec.AttemptsPerSec))
	fmt.Fprintf(out, "theory    attempts are geometric: mean 1/p, median ln2/p; CI %.0f%% (Student t); KS D against the geometric law\n\n", 100*rec.Confidence)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "difficulty\ttrials\tmean\tmedian\t95% CI of mean\ttheory mean\ttheory median\tratio\tKS D\tKS p\tmean time\t")
	for _, p := range rec.Points {
		ci := "-"
		if p.Trials >= 2 {
			ci = "[" + num(p.CILow) + ", " + num(p.CIHigh) + "]"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.2f\t%s\t\n",
			p.Difficulty, p.Trials, num(p.MeanAttempts), num(p.MedianAttempts), ci,
			num(p.ExpectedAttempts), num(p.TheoryMedian), p.Ratio, p.KSD, p.KSPValue, cmdutil.HumanSeconds(p.MeanSeconds))
	}
	tw.Flush()
}
