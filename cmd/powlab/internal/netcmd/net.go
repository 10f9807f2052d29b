// Package netcmd implements `powlab net`: a mini network of real powlab
// nodes on loopback mining against each other, with a report of who won
// how many blocks against their share of the hashrate.
package netcmd

import (
	"context"
	"errors"
	"fmt"

	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench"
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
	Target    cmdutil.TargetFlags
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
	f.IntVar(&opts.Blocks, "blocks", bench.DefaultNetBlocks, "stop when the best chain has this many blocks after genesis (0: no limit)")
	f.DurationVar(&opts.Duration, "duration", 0, "stop after this long (0: no limit; without --blocks, the only limit)")
	f.StringVar(&opts.Latency, "latency", "0", "gossip delay per link: fixed (50ms) or a range drawn per link (20ms..200ms)")
	f.StringVar(&opts.Topology, "topology", string(bench.Mesh), "who peers with whom: mesh, ring or star (node 1 the hub)")
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
func (o *NetOptions) config() (bench.NetConfig, error) {
	var cfg bench.NetConfig
	specs, err := bench.ParseMinerSpecs(o.Miners)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	switch o.Rules {
	case chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin:
	default:
		return cfg, cmdutil.FlagErrorf("--rules %q: want %s, %s or %s", o.Rules, chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin)
	}
	t, err := o.Target.Parse(miner.Target{})
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
	lat, err := bench.ParseLatency(o.Latency)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	top, err := bench.ParseTopology(o.Topology)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	part, err := bench.ParsePartition(o.Partition, len(specs))
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	if o.Chart != "" {
		if err := results.CheckFigurePath(o.Chart); err != nil {
			return cfg, cmdutil.FlagErrorf("--chart %v", err)
		}
	}
	return bench.NetConfig{
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
		rates, err := bench.CalibrateSpecs(ctx, cfg.Miners, cfg.Rules)
		if err != nil {
			return err
		}
		var total float64
		for _, r := range rates {
			total += r
		}
		b := bench.DefaultNetBits(total, bench.DefaultNetBlockTime)
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
	cfg.Progress = func(p bench.NetProgress) {
		st.Set("%s", statusLine(p, cfg.Blocks))
	}
	rec, err := bench.RunNet(ctx, cfg)
	st.Clear()
	if rec == nil {
		if err != nil && errors.Is(err, bench.ErrNetConfig) {
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
	cmdutil.RenderNet(opts.IO, rec)
	return err
}

func statusLine(p bench.NetProgress, blocks int) string {
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
