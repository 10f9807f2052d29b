// Package netcmd implements `powlab net`: a mini network of real powlab
// nodes on loopback mining against each other, with a report of who won
// how many blocks against their share of the hashrate.
package netcmd

import (
	"context"
	"errors"
	"fmt"

	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench/netlab"
	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// DefaultSimMiners are a simulation's miners when --miners is not given:
// ten equal miners on nodes 1 to 10.
const DefaultSimMiners = "10x1M"

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
	// The simulation (--sim) and its network.
	Sim             bool
	Nodes           int
	Degree          int
	BlockTime       time.Duration
	BlockSize       string
	Bandwidth       string
	ValidationDelay time.Duration
	Gamma           float64
	// The nodes' difficulty algorithm (real nodes).
	DAA       string
	DAAWindow uint64
	HalfLife  time.Duration
	RateSteps string
	// Like is a real run's record to simulate (--sim --like); likeFlags
	// are the flags it replaces that were given too.
	Like      string
	likeFlags []string
	seedSet   bool
	JSON      bool
	Out       string
	NoSave    bool
	Chart     string
	// BlocksSet is true when --blocks was given (a --duration alone then
	// runs without a block limit).
	BlocksSet bool
	// GammaSet is true when --gamma was given (else ties go to the block
	// seen first).
	GammaSet bool
	// TopologySet is true when --topology was given (a simulation of more
	// than netlab.MaxMeshNodes nodes is otherwise random).
	TopologySet bool
	// simOnly lists the simulation's flags that were set, realOnly the
	// real nodes' (each is refused in the other mode).
	simOnly, realOnly []string
	// Argv is the command line, rebuilt from the flags that were set.
	Argv []string
}

// NewCmdNet builds the command; runF replaces the run function in tests.
func NewCmdNet(io cmdutil.IO, runF func(context.Context, *NetOptions) error) *cobra.Command {
	opts := &NetOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "net",
		Short: "Run a mini network of competing miners on loopback (or simulate a large one) and report who won",
		Long: `Start one real powlab node per --miners entry on 127.0.0.1, connect them
(--topology), let them mine against each other over HTTP and block gossip,
stop them all and report: whether every node ended on one tip; for each node
its blocks on the final best chain against its share of the hashrate; stale
blocks (mined but not on the best chain); reorganisations and the deepest;
the mean block interval against the expected one; and how long the nodes
took to agree after the last block.

A miner is a hashrate cap (4M, 500k: one worker, throttled, so many miners
of known relative speed fit on a small machine) or a kernel and worker count
(avx512x1, genericx2: real miners racing). --nodes N adds relays: nodes 1..M
mine, nodes M+1..N only validate and relay (up to 128 nodes in all). All
nodes share one genesis block.
Without --prefix or --bits the target is chosen for about one block per
second at the total rate (2^bits ≈ total attempts/s).

--latency delays every gossip message by a fixed or, for a range, a random
per-link delay drawn from --seed. --partition N@FROM..TILL cuts node N off
from the others for that window (its gossip is dropped both ways), showing a
fork and its reorganisation; when the window ends every node resolves
against its peers. --seed fixes latencies and reward addresses; the record
holds the whole configuration.

--miners takes a comma-separated list:
` + indent(netlab.MinersGrammar) + `
COUNTxMINER repeats a miner (100x100k is a hundred miners of 100k/s); COUNT
is a plain integer, so KERNELxWORKERS (avx512x1, whose kernel name is never
a number) stays unambiguous, and one item takes one repetition at most.
Real nodes take up to 128 rates or kernels; shares (30%) need --sim. A
real selfish miner (selfish:400k, in process) withholds its blocks as Eyal
& Sirer's strategy does; ties go to whichever block reaches a node first.

--sim runs a discrete-event simulation instead of real nodes: the same
spec, report and record (marked simulated), in simulated time, so a
network of 10 000 nodes with 600 s blocks runs in seconds. Mining is a
race of exponential times by hashrate share, at a difficulty that gives
the whole network one block per --block-time (default 600s). --nodes N
adds relays here too (up to 100 000 nodes); --topology random
--degree D gives each node D outbound links to random peers. A block
crosses a link in its latency (--latency) plus --block-size / --bandwidth
and is validated (--validation-delay) at every hop before it is relayed
once; a node that gets a block before its parent asks the sender for the
parent. Fork choice is the longest chain, the first seen on a tie.
selfish:A% is a pool withholding blocks as in Eyal & Sirer (2014);
--gamma G makes a share G of honest nodes mine on its branch in a tie.
Without --miners a simulation has ten equal miners (10x1M); without
--blocks it stops at 1000 blocks; --duration is then simulated time.

The record is written to --out with a chart next to it (--chart): blocks won
against hashrate share with the y = x line, and cumulative blocks per node
over time. Ctrl-C stops the network and still reports.`,
		Example: `  powlab net --miners 4M,2M,1M,1M
  powlab net --miners 400k,200k,100k,100k --blocks 200 --latency 20ms..80ms
  powlab net --miners 1M,1M,1M --duration 40s --partition 3@10s..25s
  powlab net --miners stdlibx1,genericx1 --bits 21 --json
  powlab net --sim --miners 100x1M --nodes 10000 --topology random --degree 8 --blocks 1000 --latency 20ms..200ms
  powlab net --sim --miners selfish:30%,4M,3M --gamma 0.5 --blocks 20000`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.BlocksSet = c.Flags().Changed("blocks")
			opts.GammaSet = c.Flags().Changed("gamma")
			opts.TopologySet = c.Flags().Changed("topology")
			if opts.Like != "" {
				opts.seedSet = c.Flags().Changed("seed")
				opts.likeFlags = changed(c, "miners", "nodes", "topology", "degree", "latency", "partition", "block-time")
			}
			opts.simOnly, opts.realOnly = changed(c, "degree", "block-size", "bandwidth", "validation-delay", "gamma", "like"),
				changed(c, "rules", "prefix", "suffix", "bits", "spawn", "daa", "daa-window", "half-life", "rate-step")
			opts.Argv = cmdutil.ArgvOf(c.Flags())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runNet(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Miners, "miners", "", "comma-separated miners: rate caps (4M,2M,500k), KERNELxWORKERS (avx512x1), repeated (3x1M), strategies (selfish:400k; with --sim also shares, selfish:30%) (required for real nodes; --sim default "+DefaultSimMiners+")")
	f.StringVar(&opts.Rules, "rules", chain.RulesPowlab, "consensus rules: powlab, tutorial or bitcoin")
	cmdutil.AddTargetFlags(f, &opts.Target, " (default: --bits for about one block per second)")
	f.IntVar(&opts.Blocks, "blocks", netlab.DefaultBlocks, fmt.Sprintf("stop when the best chain has this many blocks after genesis (0: no limit; --sim: %d unless given)", netlab.DefaultSimBlocks))
	f.DurationVar(&opts.Duration, "duration", 0, "stop after this long (0: no limit; without --blocks, the only limit)")
	f.StringVar(&opts.Latency, "latency", "0", "gossip delay per link: fixed (50ms) or a range drawn per link (20ms..200ms)")
	f.StringVar(&opts.Topology, "topology", string(netlab.Mesh), "who peers with whom: mesh, ring, star (node 1 the hub) or, with --sim, random (--degree; the default above 1000 nodes)")
	f.StringVar(&opts.Partition, "partition", "", "cut node N off from FROM to TILL into the run, e.g. 2@10s..20s")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of every random choice (latencies, reward addresses)")
	f.BoolVar(&opts.Spawn, "spawn", false, "run each node as its own powlab node process instead of in this process")
	f.BoolVar(&opts.Sim, "sim", false, "simulate the network (discrete events, simulated time) instead of running real nodes")
	f.IntVar(&opts.Nodes, "nodes", 0, "nodes in all, the miners first, the rest relays that do not mine (default: one per miner; real nodes: up to 128)")
	f.IntVar(&opts.Degree, "degree", 0, fmt.Sprintf("--sim --topology random: outbound links per node (default %d)", netlab.DefaultDegree))
	f.DurationVar(&opts.BlockTime, "block-time", 0, "mean block interval the difficulty aims at (default 1s for real nodes, where it sizes --bits; 600s with --sim)")
	f.StringVar(&opts.BlockSize, "block-size", "1MB", "--sim: block size (with --bandwidth, the transfer time per link)")
	f.StringVar(&opts.Bandwidth, "bandwidth", "0", "--sim: link bandwidth in bits/s, e.g. 100M or 8Mbit/s (0: unlimited, no transfer time)")
	f.DurationVar(&opts.ValidationDelay, "validation-delay", 0, "--sim: time every node spends validating a block before it relays it")
	f.Float64Var(&opts.Gamma, "gamma", 0, "--sim: share of honest nodes mining on a selfish miner's branch in a tie (default: first seen)")
	f.StringVar(&opts.DAA, "daa", "", "real nodes: the chains' difficulty algorithm ("+strings.Join(daa.Names(), ", ")+"; default: the rules' own, a fixed target under powlab rules), aiming at --block-time")
	f.Uint64Var(&opts.DAAWindow, "daa-window", 0, "real nodes: the difficulty algorithm's window or interval in blocks (default: its own)")
	f.DurationVar(&opts.HalfLife, "half-life", 0, "real nodes, --daa asert: the half-life (default 288 block times)")
	f.StringVar(&opts.Like, "like", "", fmt.Sprintf("--sim: simulate the network of a real run's record (its miners, links and mean block interval; --blocks default %d) and set its block shares and stale rate beside the real ones", DefaultLikeBlocks))
	f.StringVar(&opts.RateSteps, "rate-step", "", "real nodes, capped miners: change every cap at a height, HEIGHT:FACTOR,... (100:4,200:1: ×4 from height 100, back at 200)")
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
	if len(o.realOnly) > 0 && o.Sim {
		return cfg, cmdutil.FlagErrorf("%s: for real nodes only, not with --sim", strings.Join(o.realOnly, ", "))
	}
	if len(o.simOnly) > 0 && !o.Sim {
		return cfg, cmdutil.FlagErrorf("%s: need --sim", strings.Join(o.simOnly, ", "))
	}
	if o.BlockTime < 0 || (o.BlockTime > 0 && o.BlockTime < time.Millisecond) {
		return cfg, cmdutil.FlagErrorf("--block-time %s: want 1ms or more", o.BlockTime)
	}
	if len(specs) > netlab.MaxRealMiners {
		return cfg, cmdutil.FlagErrorf("--miners: %d miners; a network of real nodes takes up to %d", len(specs), netlab.MaxRealMiners)
	}
	nodes := o.Nodes
	if nodes == 0 {
		nodes = len(specs)
	}
	if nodes < len(specs) || nodes > netlab.MaxRealMiners {
		return cfg, cmdutil.FlagErrorf("--nodes %d: want from the %d miners to %d for real nodes (more with --sim)", o.Nodes, len(specs), netlab.MaxRealMiners)
	}
	for _, m := range specs {
		if m.Share > 0 {
			return cfg, cmdutil.FlagErrorf("--miners: %q: shares need --sim; real nodes take a rate or KERNELxWORKERS", m.Text)
		}
		if m.Strategy == netlab.Selfish && (m.RateCap <= 0 || o.Spawn) {
			return cfg, cmdutil.FlagErrorf("--miners: %q: a real selfish miner takes a rate cap (selfish:1M) and runs in process (not with --spawn)", m.Text)
		}
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
	if t.Valid() && o.BlockTime > 0 && o.DAA == "" {
		return cfg, cmdutil.FlagErrorf("--block-time sizes the default target; with --bits or --prefix the target is already set (it is also the aim of a --daa)")
	}
	var diff chain.Options
	if o.DAA != "" || o.DAAWindow > 0 || o.HalfLife > 0 {
		if o.DAA == "" {
			return cfg, cmdutil.FlagErrorf("--daa-window and --half-life need --daa")
		}
		if _, ok := daa.Lookup(o.DAA); !ok {
			return cfg, cmdutil.FlagErrorf("--daa %q: want one of %s", o.DAA, strings.Join(daa.Names(), ", "))
		}
		diff.DAA, diff.HalfLife, diff.BlockTime = o.DAA, o.HalfLife, netlab.DefaultBlockTime
		if o.BlockTime > 0 {
			diff.BlockTime = o.BlockTime
		}
		if o.DAAWindow > 0 {
			w := o.DAAWindow
			diff.RetargetInterval = &w
		}
		// Check the parameters now, on the target given or a stand-in for
		// the one calibration will pick.
		check := diff
		check.Target = t
		if !t.Valid() {
			check.Target, _ = miner.ZeroBitsTarget(16)
		}
		if err := check.Apply(chain.DefaultParams(o.Rules)).Resolved().Validate(); err != nil {
			return cfg, cmdutil.FlagErrorf("--daa %s: %v", o.DAA, err)
		}
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
	if top == netlab.Random {
		return cfg, cmdutil.FlagErrorf("--topology random needs --sim; real nodes take mesh, ring or star")
	}
	part, err := netlab.ParsePartition(o.Partition, nodes)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	if o.Chart != "" {
		if err := results.CheckFigurePath(o.Chart); err != nil {
			return cfg, cmdutil.FlagErrorf("--chart %v", err)
		}
	}
	steps, err := parseRateSteps(o.RateSteps)
	if err != nil {
		return cfg, err
	}
	return netlab.Config{
		Miners: specs, Nodes: nodes, Rules: o.Rules, Target: t, Difficulty: diff, RateSteps: steps, Blocks: blocks, Duration: o.Duration,
		Latency: lat, Topology: top, Partition: part, Seed: o.Seed, Spawn: o.Spawn,
		Command: append([]string{"powlab", "net"}, o.Argv...),
	}, nil
}

func changed(c *cobra.Command, names ...string) []string {
	var out []string
	for _, n := range names {
		if c.Flags().Changed(n) {
			out = append(out, "--"+n)
		}
	}
	return out
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

// simConfig checks the options of a --sim run.
func (o *NetOptions) simConfig() (netlab.SimConfig, error) {
	var cfg netlab.SimConfig
	if len(o.realOnly) > 0 {
		return cfg, cmdutil.FlagErrorf("%s: for real nodes only, not with --sim", strings.Join(o.realOnly, ", "))
	}
	miners := o.Miners
	if miners == "" {
		miners = DefaultSimMiners
	}
	specs, err := netlab.ParseMinerSpecs(miners)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	if _, err := netlab.Shares(specs); err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	nodes := o.Nodes
	if nodes == 0 {
		nodes = len(specs)
	}
	if nodes < len(specs) || nodes > netlab.MaxSimNodes {
		return cfg, cmdutil.FlagErrorf("--nodes %d: want from the %d miners to %d", o.Nodes, len(specs), netlab.MaxSimNodes)
	}
	blocks := o.Blocks
	switch {
	case !o.BlocksSet && o.Duration > 0:
		blocks = 0
	case !o.BlocksSet:
		blocks = netlab.DefaultSimBlocks
	}
	if blocks < 0 || blocks > 10_000_000 {
		return cfg, cmdutil.FlagErrorf("--blocks %d: want 0 to 10000000", o.Blocks)
	}
	if o.Duration < 0 || o.Duration > 100*365*24*time.Hour {
		return cfg, cmdutil.FlagErrorf("--duration %s: want 0 to 876000h of simulated time", o.Duration)
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
	if !o.TopologySet && nodes > netlab.MaxMeshNodes {
		top = netlab.Random
	}
	if o.Degree != 0 && top != netlab.Random {
		return cfg, cmdutil.FlagErrorf("--degree is for --topology random")
	}
	if top == netlab.Random && (o.Degree < 0 || o.Degree > nodes-1) {
		return cfg, cmdutil.FlagErrorf("--degree %d: want 1 to %d (nodes − 1)", o.Degree, nodes-1)
	}
	if (top == netlab.Mesh) && nodes > netlab.MaxMeshNodes {
		return cfg, cmdutil.FlagErrorf("--topology mesh: %d nodes would make %d links; up to %d nodes, or --topology random", nodes, nodes*(nodes-1)/2, netlab.MaxMeshNodes)
	}
	part, err := netlab.ParsePartition(o.Partition, nodes)
	if err != nil {
		return cfg, cmdutil.FlagErrorWrap(err)
	}
	size, bw, err := o.propagation()
	if err != nil {
		return cfg, err
	}
	if o.GammaSet && !(o.Gamma >= 0 && o.Gamma <= 1) {
		return cfg, cmdutil.FlagErrorf("--gamma %g: want 0 to 1", o.Gamma)
	}
	if o.BlockTime < 0 || (o.BlockTime > 0 && o.BlockTime < time.Millisecond) || o.BlockTime > 720*time.Hour {
		return cfg, cmdutil.FlagErrorf("--block-time %s: want 1ms to 720h", o.BlockTime)
	}
	if o.Chart != "" {
		if err := results.CheckFigurePath(o.Chart); err != nil {
			return cfg, cmdutil.FlagErrorf("--chart %v", err)
		}
	}
	return netlab.SimConfig{
		Miners: specs, Nodes: nodes, Topology: top, Degree: o.Degree, Latency: lat, Partition: part,
		BlockTime: o.BlockTime, BlockSize: size, Bandwidth: bw, ValidationDelay: o.ValidationDelay,
		Gamma: o.Gamma, UseGamma: o.GammaSet, Blocks: blocks, Duration: o.Duration, Seed: o.Seed,
		Command: append([]string{"powlab", "net"}, o.Argv...),
	}, nil
}

func runNet(ctx context.Context, opts *NetOptions) error {
	if opts.Sim {
		return runSim(ctx, opts)
	}
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
		bt := netlab.DefaultBlockTime
		if opts.BlockTime > 0 {
			bt = opts.BlockTime
		}
		b := netlab.DefaultBits(total, bt)
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
	return finish(opts, rec, err)
}

// DefaultLikeBlocks is a --like simulation's length: enough that its own
// intervals are narrow beside a real run's.
const DefaultLikeBlocks = 20000

func runSim(ctx context.Context, opts *NetOptions) error {
	if opts.Like != "" {
		return runLike(ctx, opts)
	}
	cfg, err := opts.simConfig()
	if err != nil {
		return err
	}
	st := cmdutil.NewStatus(opts.IO.ErrOut)
	cfg.Progress = func(p netlab.Progress) {
		st.Set("%s", statusLine(p, cfg.Blocks))
	}
	rec, err := netlab.Simulate(ctx, cfg)
	st.Clear()
	return finish(opts, rec, err)
}

// finish saves, draws and prints a run's record.
func finish(opts *NetOptions, rec *results.Net, err error) error {
	errOut := opts.IO.ErrOut
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
	cmdutil.RenderNet(opts.IO, rec)
	return err
}

func statusLine(p netlab.Progress, blocks int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %5.1fs height %d", p.Phase, p.Elapsed.Seconds(), p.Height)
	if blocks > 0 {
		fmt.Fprintf(&b, "/%d", blocks)
	}
	if p.SimTime > 0 {
		fmt.Fprintf(&b, " · simulated %s", cmdutil.HumanSeconds(p.SimTime.Seconds()))
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

// parseRateSteps parses --rate-step: HEIGHT:FACTOR items, comma-separated.
func parseRateSteps(s string) ([]netlab.RateStep, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []netlab.RateStep
	for _, item := range strings.Split(s, ",") {
		h, f, ok := strings.Cut(strings.TrimSpace(item), ":")
		height, err1 := strconv.Atoi(h)
		factor, err2 := strconv.ParseFloat(f, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, cmdutil.FlagErrorf("--rate-step %q: want HEIGHT:FACTOR items such as 100:4,200:1", s)
		}
		out = append(out, netlab.RateStep{Height: height, Factor: factor})
	}
	return out, nil
}

// runLike simulates the network of a real run's record and sets the
// simulation's block shares and stale rate beside the real ones.
func runLike(ctx context.Context, opts *NetOptions) error {
	if len(opts.likeFlags) > 0 {
		return cmdutil.FlagErrorf("--like takes the network from the record; %s would change it", strings.Join(opts.likeFlags, ", "))
	}
	var real results.Net
	if err := results.Read(opts.Like, results.KindNet, &real); err != nil {
		return fmt.Errorf("--like %s: %w", opts.Like, err)
	}
	blocks := DefaultLikeBlocks
	if opts.BlocksSet {
		blocks = opts.Blocks
	}
	if blocks < 1 || blocks > 10_000_000 {
		return cmdutil.FlagErrorf("--blocks %d: want 1 to 10000000", blocks)
	}
	cfg, err := netlab.SimLike(&real, blocks)
	if err != nil {
		if errors.Is(err, netlab.ErrConfig) {
			return fmt.Errorf("--like %s: %w", opts.Like, err)
		}
		return err
	}
	size, bw, err := opts.propagation()
	if err != nil {
		return err
	}
	cfg.BlockSize, cfg.Bandwidth, cfg.ValidationDelay = size, bw, opts.ValidationDelay
	if opts.seedSet {
		cfg.Seed = opts.Seed
	}
	cfg.Command = append([]string{"powlab", "net"}, opts.Argv...)
	st := cmdutil.NewStatus(opts.IO.ErrOut)
	cfg.Progress = func(p netlab.Progress) { st.Set("%s", statusLine(p, cfg.Blocks)) }
	rec, err := netlab.Simulate(ctx, cfg)
	st.Clear()
	if rec != nil && err == nil {
		rec.Calibration = netlab.Calibrate(&real, rec, opts.Like)
	}
	return finish(opts, rec, err)
}

// propagation checks the simulation's per-hop costs: --block-size,
// --bandwidth and --validation-delay.
func (o *NetOptions) propagation() (size int64, bw float64, err error) {
	if size, err = netlab.ParseBytes("--block-size", o.BlockSize); err != nil {
		return 0, 0, cmdutil.FlagErrorWrap(err)
	}
	if bw, err = netlab.ParseBandwidth(o.Bandwidth); err != nil {
		return 0, 0, cmdutil.FlagErrorWrap(err)
	}
	if o.ValidationDelay < 0 || o.ValidationDelay > time.Hour {
		return 0, 0, cmdutil.FlagErrorf("--validation-delay %s: want 0 to 1h", o.ValidationDelay)
	}
	return size, bw, nil
}
