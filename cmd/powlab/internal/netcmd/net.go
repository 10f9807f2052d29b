// Package netcmd implements `powlab net`: a mini network of real powlab
// nodes on loopback mining against each other, with a report of who won
// how many blocks against their share of the hashrate.
package netcmd

import (
	"context"
	"errors"
	"fmt"
	"math"

	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench/netlab"
	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// NetOptions are the flags of `powlab net`.
type NetOptions struct {
	IO        cmdutil.IO
	Miners    string
	Rules     string
	Target    miner.TargetFlags
	Blocks    int
	Duration  time.Duration
	Latency   string
	Topology  string
	Partition string
	Seed      uint64
	Spawn     bool
	JSON      bool
	Out       string
	NoSave    bool
	Chart     string
	// BlocksSet is true when --blocks was given (a --duration alone then
	// runs without a block limit).
	BlocksSet bool
	// Argv is the command line, rebuilt from the flags that were set.
	Argv []string
}

// NewCmdNet builds the command; runF replaces the run function in tests.
func NewCmdNet(io cmdutil.IO, runF func(context.Context, *NetOptions) error) *cobra.Command {
	opts := &NetOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "net",
		Short: "Run a mini network of competing miners on loopback and report who won",
		Long: `Start one real powlab node per --miners entry on 127.0.0.1, connect them
(--topology), let them mine against each other over HTTP and block gossip,
stop them all and report: whether every node ended on one tip; for each node
its blocks on the final best chain against its share of the hashrate; stale
blocks (mined but not on the best chain); reorganisations and the deepest;
the mean block interval against the expected one; and how long the nodes
took to agree after the last block.

A miner is a hashrate cap (4M, 500k: one worker, throttled, so many miners
of known relative speed fit on a small machine) or a kernel and worker count
(avx512x1, genericx2: real miners racing). All nodes share one genesis block.
Without --prefix or --bits the target is chosen for about one block per
second at the total rate (2^bits ≈ total attempts/s).

--latency delays every gossip message by a fixed or, for a range, a random
per-link delay drawn from --seed. --partition N@FROM..TILL cuts node N off
from the others for that window (its gossip is dropped both ways), showing a
fork and its reorganisation; when the window ends every node resolves
against its peers. --seed fixes latencies and reward addresses; the record
holds the whole configuration.

The record is written to --out with a chart next to it (--chart): blocks won
against hashrate share with the y = x line, and cumulative blocks per node
over time. Ctrl-C stops the network and still reports.`,
		Example: `  powlab net --miners 4M,2M,1M,1M
  powlab net --miners 400k,200k,100k,100k --blocks 200 --latency 20ms..80ms
  powlab net --miners 1M,1M,1M --duration 40s --partition 3@10s..25s
  powlab net --miners stdlibx1,genericx1 --bits 21 --json`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.BlocksSet = c.Flags().Changed("blocks")
			opts.Argv = cmdutil.ArgvOf(c.Flags())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runNet(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Miners, "miners", "", "comma-separated miners: rate caps (4M,2M,500k) or KERNELxWORKERS (avx512x1,genericx2) (required)")
	f.StringVar(&opts.Rules, "rules", chain.RulesPowlab, "consensus rules: powlab, tutorial or bitcoin")
	cmdutil.AddTargetFlags(f, &opts.Target, " (default: --bits for about one block per second)")
	f.IntVar(&opts.Blocks, "blocks", netlab.DefaultBlocks, "stop when the best chain has this many blocks after genesis (0: no limit)")
	f.DurationVar(&opts.Duration, "duration", 0, "stop after this long (0: no limit; without --blocks, the only limit)")
	f.StringVar(&opts.Latency, "latency", "0", "gossip delay per link: fixed (50ms) or a range drawn per link (20ms..200ms)")
	f.StringVar(&opts.Topology, "topology", string(netlab.Mesh), "who peers with whom: mesh, ring or star (node 1 the hub)")
	f.StringVar(&opts.Partition, "partition", "", "cut node N off from FROM to TILL into the run, e.g. 2@10s..20s")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of every random choice (latencies, reward addresses)")
	f.BoolVar(&opts.Spawn, "spawn", false, "run each node as its own powlab node process instead of in this process")
	f.BoolVar(&opts.JSON, "json", false, "print the record as JSON instead of a table")
	f.StringVar(&opts.Out, "out", results.DefaultDir, "directory the record is written to")
	f.BoolVar(&opts.NoSave, "no-save", false, "do not write the record (nor, without --chart, the chart)")
	f.StringVar(&opts.Chart, "chart", "", "write the charts to this .png or .svg file (default: a PNG next to the record)")
	return cmd
}

// config checks the options and builds the network configuration; the
// target stays zero when no target flag is set.
func (o *NetOptions) config() (netlab.Config, error) {
	var cfg netlab.Config
	specs, err := netlab.ParseMinerSpecs(o.Miners)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	if len(specs) > netlab.MaxRealMiners {
		return cfg, cmdutil.FlagErrorf("--miners: %d miners; a network of real nodes takes up to %d", len(specs), netlab.MaxRealMiners)
	}
	for _, m := range specs {
		if m.Share > 0 || m.Strategy != netlab.Honest {
			return cfg, cmdutil.FlagErrorf("--miners: %q: shares and strategies need --sim; real nodes take a rate or KERNELxWORKERS", m.Text)
		}
	}
	switch o.Rules {
	case chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin:
	default:
		return cfg, cmdutil.FlagErrorf("--rules %q: want %s, %s or %s", o.Rules, chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin)
	}
	t, err := cmdutil.ParseTarget(o.Target, miner.Target{})
	if err != nil {
		return cfg, err
	}
	if o.Rules == chain.RulesBitcoin && t.Valid() {
		if _, err := chain.BtcBitsFromTarget(t); err != nil {
			return cfg, cmdutil.FlagErrorWrap(err)
		}
	}
	if o.Rules == chain.RulesPowlab && t.Valid() {
		if _, err := chain.CompactFromTarget(t); err != nil {
			return cfg, cmdutil.FlagErrorf("powlab rules need --bits or a zero --prefix: %v", err)
		}
	}
	blocks := o.Blocks
	if o.Duration > 0 && !o.BlocksSet {
		blocks = 0
	}
	if blocks < 0 || blocks > 1_000_000 {
		return cfg, cmdutil.FlagErrorf("--blocks %d: want 0 to 1000000", o.Blocks)
	}
	if o.Duration < 0 || o.Duration > 24*time.Hour {
		return cfg, cmdutil.FlagErrorf("--duration %s: want 0 to 24h", o.Duration)
	}
	if blocks == 0 && o.Duration == 0 {
		return cfg, cmdutil.FlagErrorf("--blocks 0 needs a --duration")
	}
	lat, err := netlab.ParseLatency(o.Latency)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	top, err := netlab.ParseTopology(o.Topology)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	part, err := netlab.ParsePartition(o.Partition, len(specs))
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	if o.Chart != "" {
		if err := results.CheckFigurePath(o.Chart); err != nil {
			return cfg, cmdutil.FlagErrorf("--chart %v", err)
		}
	}
	return netlab.Config{
		Miners: specs, Rules: o.Rules, Target: t, Blocks: blocks, Duration: o.Duration,
		Latency: lat, Topology: top, Partition: part, Seed: o.Seed, Spawn: o.Spawn,
		Command: append([]string{"powlab", "net"}, o.Argv...),
	}, nil
}

func runNet(ctx context.Context, opts *NetOptions) error {
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	if !cfg.Target.Valid() {
		rates, err := netlab.CalibrateSpecs(ctx, cfg.Miners, cfg.Rules)
		if err != nil {
			return err
		}
		var total float64
		for _, r := range rates {
			total += r
		}
		b := netlab.DefaultBits(total, netlab.DefaultBlockTime)
		cfg.Target, _ = miner.ZeroBitsTarget(b)
		// The recorded command reruns the same network even where the
		// calibration of uncapped miners would come out differently.
		cfg.Command = append(cfg.Command, fmt.Sprintf("--bits=%d", b))
		fmt.Fprintf(errOut, "target: %d zero bits (2^%d = %s attempts per block, about %s at %s in total); set --bits or --prefix to change it\n",
			b, b, cmdutil.HumanCount(cfg.Target.ExpectedAttempts()),
			cmdutil.HumanSeconds(cfg.Target.ExpectedAttempts()/total), cmdutil.HumanRate(total))
	}
	if cfg.Rules == chain.RulesTutorial {
		fmt.Fprintln(errOut, "note: under tutorial rules the proof depends only on the last proof, so every node searches the same nonces and the fastest usually wins")
	}
	st := cmdutil.NewStatus(errOut)
	cfg.Progress = func(p netlab.Progress) {
		st.Set("%s", statusLine(p, cfg.Blocks))
	}
	rec, err := netlab.Run(ctx, cfg)
	st.Clear()
	if rec == nil {
		if err != nil && errors.Is(err, netlab.ErrConfig) {
			return cmdutil.FlagErrorWrap(err)
		}
		return err
	}
	if !opts.NoSave {
		path, werr := results.Write(opts.Out, rec)
		if werr != nil {
			return werr
		}
		fmt.Fprintf(errOut, "record written to %s\n", path)
		if opts.Chart == "" {
			opts.Chart = strings.TrimSuffix(path, filepath.Ext(path)) + ".png"
		}
	}
	if opts.Chart != "" {
		if cerr := results.WriteNetChart(rec, opts.Chart); cerr != nil {
			fmt.Fprintf(errOut, "chart: %v\n", cerr)
		} else {
			fmt.Fprintf(errOut, "chart written to %s\n", opts.Chart)
		}
	}
	if opts.JSON {
		if perr := cmdutil.PrintJSON(opts.IO.Out, rec); perr != nil {
			return perr
		}
		return err
	}
	Render(opts.IO, rec)
	return err
}

func statusLine(p netlab.Progress, blocks int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %5.1fs height %d", p.Phase, p.Elapsed.Seconds(), p.Height)
	if blocks > 0 {
		fmt.Fprintf(&b, "/%d", blocks)
	}
	fmt.Fprintf(&b, " · mined %d · reorgs %d · rates", p.Mined, p.Reorgs)
	for _, r := range p.Rates {
		b.WriteString(" " + strings.ReplaceAll(cmdutil.HumanCount(r), " ", ""))
	}
	if p.Partitioned {
		b.WriteString(" · PARTITIONED")
	}
	return b.String()
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// Render prints a network run as a table.
func Render(io cmdutil.IO, rec *results.Net) {
	out := io.Out
	c := rec.Config
	fmt.Fprintf(out, "powlab net: %d nodes, %s, latency %s, %s rules, target %s (%s attempts/block), seed %d",
		len(rec.Nodes), c.Topology, c.Latency, c.Rules, c.Target, cmdutil.HumanCount(c.ExpectedAttempts), c.Seed)
	if c.Partition != "" {
		fmt.Fprintf(out, ", partition %s", c.Partition)
	}
	if c.Spawn {
		fmt.Fprint(out, ", spawned processes")
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "stopped   %s after %s at height %d\n", rec.Stopped, cmdutil.HumanSeconds(rec.Seconds), rec.Height)
	if rec.Converged {
		how := ""
		if rec.MinedOnToConverge {
			how = ", mining on to break a tie"
		}
		fmt.Fprintf(out, "converged yes: every node on %.16s… (%s after the last block%s)\n", rec.Tip, cmdutil.HumanSeconds(rec.ConvergeAfterLastSecs), how)
	} else {
		fmt.Fprintln(out, "converged NO: the nodes ended on different tips (see the table)")
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tminer\tcap\tmeasured\thashrate share\tblocks won\tblock share\tmined\tstale\treorgs\tdeepest\theight\t")
	for _, n := range rec.Nodes {
		cp := "-"
		if n.RateCap > 0 {
			cp = cmdutil.HumanRate(n.RateCap)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t\n", n.ID, n.Spec, cp, cmdutil.HumanRate(n.MeasuredRate),
			pct(n.HashrateShare), n.BlocksWon, pct(n.BlockShare), n.BlocksMined, n.Stale, n.Reorgs, n.DeepestReorg, n.Height)
	}
	cp := "-"
	if rec.TotalRateCap > 0 {
		cp = cmdutil.HumanRate(rec.TotalRateCap)
	}
	fmt.Fprintf(tw, "all\t\t%s\t%s\t100%%\t%d\t100%%\t%d\t%d\t%d\t%d\t\t\n", cp, cmdutil.HumanRate(rec.TotalRate),
		rec.Height, rec.MinedBlocks, rec.StaleBlocks, rec.Reorgs, rec.DeepestReorg)
	tw.Flush()
	fmt.Fprintln(out)
	fmt.Fprintf(out, "stale     %d of %d mined blocks (%s)\n", rec.StaleBlocks, rec.MinedBlocks, pct(rec.StaleRate))
	fmt.Fprintf(out, "reorgs    %d, deepest %d blocks\n", rec.Reorgs, rec.DeepestReorg)
	fmt.Fprintf(out, "interval  %s mean, %s expected (%s attempts / %s measured)",
		secs(rec.MeanIntervalSeconds), secs(rec.ExpectedIntervalSecs), cmdutil.HumanCount(c.ExpectedAttempts), cmdutil.HumanRate(rec.TotalRate))
	if rec.ExpectedIntervalCapSecs > 0 {
		fmt.Fprintf(out, ", %s at the caps", secs(rec.ExpectedIntervalCapSecs))
	}
	fmt.Fprintln(out)
	if rec.TotalRateCap > 0 && rec.TotalRate < 0.9*rec.TotalRateCap {
		fmt.Fprintf(out, "note      the machine delivered %s of the %s capped; hashrate shares are the caps', measured shares differ\n",
			pct(rec.TotalRate/rec.TotalRateCap), cmdutil.HumanRate(rec.TotalRateCap))
	}
}

func secs(s float64) string {
	if s <= 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return "-"
	}
	return cmdutil.HumanSeconds(s)
}
