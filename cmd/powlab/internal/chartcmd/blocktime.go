package chartcmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// BlockTimeOptions are the flags of `powlab chart blocktime`.
type BlockTimeOptions struct {
	IO     cmdutil.IO
	Data   string
	File   string
	Prefix string
	Argv   []string
	cmd    *cobra.Command
	cmdutil.RecordFlags
}

// Defaults of `powlab chart blocktime`.
const (
	DefaultBlockTimeOut = "blocktime.png"
	// DefaultFilePrefix is the difficulty assumed for a tutorial chain
	// file, whose blocks do not record it: the tutorial's four hex zeros.
	DefaultFilePrefix = "0000"
)

// blockTimeRecord describes the record flags of `powlab chart blocktime`.
var blockTimeRecord = cmdutil.RecordFlagOptions{
	Out:     DefaultBlockTimeOut,
	From:    "a saved blocktime record",
	Instead: "reading a chain",
	Kind:    results.KindBlockTime,
}

// NewCmdBlockTime builds the command; runF replaces the run function in tests.
func NewCmdBlockTime(io cmdutil.IO, runF func(context.Context, *BlockTimeOptions) error) *cobra.Command {
	opts := &BlockTimeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "blocktime",
		Short: "Block intervals and difficulty by height, to see retargeting work",
		Long: `Chart a chain's block times: the seconds between consecutive blocks and the
difficulty (expected attempts per block) at each height.

The blocks come from a powlab chain store (--data DIR, default $POWLAB_DATA
or ~/.powlab: the main chain, with each block's own target under powlab's
rules, which can retarget), a tutorial-format chain file (--file: the JSON a
tutorial node answers on GET /chain, {"chain": [{"index", "timestamp", ...}],
"length": n}; the tutorial does not store the difficulty, so every block is
charted at --prefix), or a saved record (--from).`,
		Example: `  powlab chart blocktime --data ~/.powlab --out blocktime.png
  curl -s http://127.0.0.1:5005/chain > chain.json && powlab chart blocktime --file chain.json
  powlab chart blocktime --from results-out/blocktime-20261126T160000Z.json --out blocktime.svg`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.cmd = c
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runBlockTime(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Data, "data", "", "chain data directory (default $POWLAB_DATA or ~/.powlab)")
	f.StringVar(&opts.File, "file", "", "tutorial-format chain JSON file (GET /chain)")
	f.StringVar(&opts.Prefix, "prefix", DefaultFilePrefix, "difficulty of every block of a --file chain, as a hex prefix")
	cmdutil.AddRecordFlags(f, &opts.RecordFlags, blockTimeRecord)
	return cmd
}

func runBlockTime(ctx context.Context, opts *BlockTimeOptions) error {
	if err := cmdutil.CheckChartOut(opts.Out); err != nil {
		return err
	}
	set := 0
	for _, s := range []string{opts.Data, opts.File, opts.From} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return cmdutil.FlagErrorf("give one of --data, --file or --from")
	}
	if set == 0 {
		dir, err := chain.DefaultDataDir()
		if err != nil {
			return err
		}
		opts.Data = dir
	}
	var rec *results.BlockTime
	path := ""
	switch {
	case opts.From != "":
		if err := cmdutil.RejectWithFrom(flagsOf(opts.cmd), "prefix"); err != nil {
			return err
		}
		rec = &results.BlockTime{}
		if err := cmdutil.ReadFromRecord(opts.From, blockTimeRecord.Kind, rec); err != nil {
			return err
		}
	case opts.Data != "":
		if opts.cmd != nil && opts.cmd.Flags().Changed("prefix") {
			return cmdutil.FlagErrorf("--prefix applies to --file only: a chain store keeps each block's own target")
		}
		var err error
		rec, err = bench.ChainBlockTimes(ctx, opts.Data, append([]string{"powlab", "chart", "blocktime"}, opts.Argv...))
		if err != nil {
			return err
		}
		if path, err = opts.Save(rec); err != nil {
			return err
		}
	default:
		t, err := miner.ParsePrefix(opts.Prefix)
		if err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		f, err := os.Open(opts.File)
		if err != nil {
			return fmt.Errorf("--file: %w", err)
		}
		blocks, err := bench.ReadTutorialChain(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--file %s: %w", opts.File, err)
		}
		for i := range blocks {
			blocks[i].Difficulty, blocks[i].Target = t.ExpectedAttempts(), t.String()
		}
		rec, err = bench.BlockTimes(bench.BlockTimeConfig{
			Source:         "file " + opts.File,
			Rules:          "tutorial",
			DifficultyNote: "not stored in a tutorial chain: every block is charted at " + t.String(),
			Command:        append([]string{"powlab", "chart", "blocktime"}, opts.Argv...),
		}, blocks)
		if err != nil {
			return fmt.Errorf("--file %s: %w", opts.File, err)
		}
		if path, err = opts.Save(rec); err != nil {
			return err
		}
	}
	return cmdutil.ShowRecord(opts.IO, opts.RecordFlags, rec, path, RenderBlockTime, results.PlotBlockTime)
}

// RenderBlockTime prints a block-time record: the summary, then at most
// the first and last 10 blocks.
func RenderBlockTime(io cmdutil.IO, rec *results.BlockTime) {
	out := io.Out
	fmt.Fprintf(out, "powlab chart blocktime: %d blocks from %s\n", len(rec.Blocks), rec.Source)
	if rec.DifficultyNote != "" {
		fmt.Fprintf(out, "difficulty %s\n", rec.DifficultyNote)
	}
	fmt.Fprintf(out, "intervals  %d: mean %s, median %s, min %s, max %s",
		rec.Intervals, cmdutil.HumanSeconds(rec.MeanIntervalSeconds), cmdutil.HumanSeconds(rec.MedianIntervalSeconds),
		cmdutil.HumanSeconds(rec.MinIntervalSeconds), cmdutil.HumanSeconds(rec.MaxIntervalSeconds))
	if rec.TargetIntervalSeconds > 0 {
		fmt.Fprintf(out, "; target %s", cmdutil.HumanSeconds(rec.TargetIntervalSeconds))
	}
	fmt.Fprint(out, "\n\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "height\tinterval\tdifficulty\ttarget\t")
	for i, b := range rec.Blocks {
		if len(rec.Blocks) > 20 && i == 10 {
			fmt.Fprintf(tw, "…\t\t\t\t\n")
		}
		if len(rec.Blocks) > 20 && i >= 10 && i < len(rec.Blocks)-10 {
			continue
		}
		iv, d := "-", "-"
		if i > 0 {
			iv = cmdutil.HumanSeconds(b.IntervalSeconds)
		}
		if b.Difficulty > 0 {
			d = num(b.Difficulty)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t\n", b.Height, iv, d, shortTarget(b.Target))
	}
	tw.Flush()
}

// shortTarget keeps a threshold target's table column narrow: its first
// 16 hex digits, which hold all of its precision that matters here.
func shortTarget(t string) string {
	t = strings.TrimSpace(t)
	if h, ok := strings.CutPrefix(t, "threshold "); ok && len(h) > 16 {
		return "threshold " + h[:16] + "…"
	}
	return t
}
