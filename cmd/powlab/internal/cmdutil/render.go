package cmdutil

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/powlab/powlab/results"
)

// The tables of records that more than one verb prints: a verb that runs
// an experiment and the chart verb that redraws its record.

// RenderBench prints a hashrate sweep (powlab bench, powlab chart hashrate)
// as a table; skipped lists the kernels left out, with the reason.
func RenderBench(io IO, rec *results.Bench, skipped []string) {
	out := io.Out
	e := rec.Env
	fmt.Fprintf(out, "powlab bench: %s, %s on %s\n", rec.Algo, rec.Target, rec.Puzzle)
	fmt.Fprintf(out, "cpu       %s, %d logical cores, features %s\n", e.CPU, e.LogicalCores, strings.Join(e.Features, " "))
	fmt.Fprintf(out, "build     powlab %s, %s %s/%s\n", e.Powlab, e.GoVersion, e.OS, e.Arch)
	fmt.Fprintf(out, "expected  %s attempts per solution (p = %.3g); %s per configuration\n",
		HumanCount(rec.ExpectedAttempts), rec.Probability, time.Duration(rec.DurationSeconds*float64(time.Second)))
	if len(skipped) > 0 {
		fmt.Fprintf(out, "skipped   %s\n", strings.Join(skipped, ", "))
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kernel\tworkers\tattempts\tattempts/s\tvs stdlib×1\tscaling\tsolutions\texpected time to solution\t")
	for _, r := range rec.Runs {
		vs, scale := "-", "-"
		if r.SpeedupVsStdlib > 0 {
			vs = fmt.Sprintf("%.2f×", r.SpeedupVsStdlib)
		}
		if r.Efficiency > 0 {
			scale = fmt.Sprintf("%.0f%%", 100*r.Efficiency)
		}
		exp := "-"
		if r.ExpectedSecondsToSolution > 0 && !math.IsInf(r.ExpectedSecondsToSolution, 0) {
			exp = HumanSeconds(r.ExpectedSecondsToSolution)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Kernel, r.Workers,
			HumanCount(float64(r.Attempts)), HumanRate(r.AttemptsPerSec), vs, scale,
			strconv.FormatUint(r.Solutions, 10), exp)
	}
	tw.Flush()
}

func percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// RenderNet prints a network run (powlab net, powlab chart net) as a table.
func RenderNet(io IO, rec *results.Net) {
	if rec.Simulated {
		renderSimNet(io, rec)
		return
	}
	out := io.Out
	c := rec.Config
	nodes := fmt.Sprintf("%d nodes", len(rec.Nodes))
	if rec.Relays != nil {
		nodes = fmt.Sprintf("%d nodes (%d mining)", len(rec.Nodes)+rec.Relays.Count, len(rec.Nodes))
	}
	fmt.Fprintf(out, "powlab net: %s, %s, latency %s, %s rules, target %s (%s attempts/block), seed %d",
		nodes, c.Topology, c.Latency, c.Rules, c.Target, HumanCount(c.ExpectedAttempts), c.Seed)
	if c.Difficulty != "" {
		fmt.Fprintf(out, ", %s", c.Difficulty)
	}
	if c.Partition != "" {
		fmt.Fprintf(out, ", partition %s", c.Partition)
	}
	if c.Spawn {
		fmt.Fprint(out, ", spawned processes")
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "stopped   %s after %s at height %d\n", rec.Stopped, HumanSeconds(rec.Seconds), rec.Height)
	renderConverged(out, rec, fmt.Sprintf("%.16s…", rec.Tip), " (see the table)")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tminer\tcap\tmeasured\thashrate share\tblocks won\tblock share\tmined\tstale\treorgs\tdeepest\theight\t")
	for _, n := range rec.Nodes {
		cp := "-"
		if n.RateCap > 0 {
			cp = HumanRate(n.RateCap)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t\n", n.ID, n.Spec, cp, HumanRate(n.MeasuredRate),
			percent(n.HashrateShare), n.BlocksWon, percent(n.BlockShare), n.BlocksMined, n.Stale, n.Reorgs, n.DeepestReorg, n.Height)
	}
	cp := "-"
	if rec.TotalRateCap > 0 {
		cp = HumanRate(rec.TotalRateCap)
	}
	fmt.Fprintf(tw, "all\t\t%s\t%s\t100%%\t%d\t100%%\t%d\t%d\t%d\t%d\t\t\n", cp, HumanRate(rec.TotalRate),
		rec.Height, rec.MinedBlocks, rec.StaleBlocks, rec.Reorgs, rec.DeepestReorg)
	tw.Flush()
	fmt.Fprintln(out)
	renderRelays(out, rec.Relays)
	fmt.Fprintf(out, "stale     %d of %d mined blocks (%s)\n", rec.StaleBlocks, rec.MinedBlocks, percent(rec.StaleRate))
	fmt.Fprintf(out, "reorgs    %d, deepest %d blocks%s\n", rec.Reorgs, rec.DeepestReorg, byDepth(rec.ReorgDepths))
	fmt.Fprintf(out, "interval  %s mean, %s expected (%s attempts / %s measured)",
		secondsOrDash(rec.MeanIntervalSeconds), secondsOrDash(rec.ExpectedIntervalSecs), HumanCount(c.ExpectedAttempts), HumanRate(rec.TotalRate))
	if rec.ExpectedIntervalCapSecs > 0 {
		fmt.Fprintf(out, ", %s at the caps", secondsOrDash(rec.ExpectedIntervalCapSecs))
	}
	fmt.Fprintln(out)
	if rec.TotalRateCap > 0 && rec.TotalRate < 0.9*rec.TotalRateCap {
		fmt.Fprintf(out, "note      the machine delivered %s of the %s capped; hashrate shares are the caps', measured shares differ\n",
			percent(rec.TotalRate/rec.TotalRateCap), HumanRate(rec.TotalRateCap))
	}
}

func secondsOrDash(s float64) string {
	if s <= 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return "-"
	}
	return HumanSeconds(s)
}

// simTableRows: a table of more miners shows the first and last ones.
const simTableRows = 40

func renderSimNet(io IO, rec *results.Net) {
	out := io.Out
	c := rec.Config
	fmt.Fprintf(out, "powlab net --sim: %d nodes (%d mining), %s", c.Nodes, len(rec.Nodes), c.Topology)
	if c.Degree > 0 {
		fmt.Fprintf(out, " degree %d", c.Degree)
	}
	fmt.Fprintf(out, " (%d links), latency %s, block time %s", c.LinkCount, c.Latency, HumanSeconds(c.BlockTimeSecs))
	if c.Bandwidth > 0 {
		fmt.Fprintf(out, ", %sB blocks over %sbit/s", strings.ReplaceAll(HumanCount(float64(c.BlockSize)), " ", ""), strings.ReplaceAll(HumanCount(c.Bandwidth), " ", ""))
	}
	if c.ValidationSecs > 0 {
		fmt.Fprintf(out, ", validation %s", HumanSeconds(c.ValidationSecs))
	}
	if c.Gamma != nil {
		fmt.Fprintf(out, ", gamma %g", *c.Gamma)
	}
	if c.Partition != "" {
		fmt.Fprintf(out, ", partition %s", c.Partition)
	}
	fmt.Fprintf(out, ", seed %d\n", c.Seed)
	fmt.Fprintf(out, "stopped   %s after %s simulated at height %d (%s of wall time, %d events)\n",
		rec.Stopped, HumanSeconds(rec.Seconds), rec.Height, HumanSeconds(rec.WallSeconds), rec.Events)
	renderConverged(out, rec, rec.Tip, "")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tminer\tstrategy\thashrate share\tblocks won\tblock share\tmined\tstale\treorgs\tdeepest\t")
	for i, n := range rec.Nodes {
		if len(rec.Nodes) > simTableRows && i >= simTableRows-10 && i < len(rec.Nodes)-10 {
			if i == simTableRows-10 {
				fmt.Fprintf(tw, "…\t(%d more; --json lists all)\t\t\t\t\t\t\t\t\t\n", len(rec.Nodes)-simTableRows)
			}
			continue
		}
		strat := n.Strategy
		if strat == "" {
			strat = "honest"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t\n", n.ID, n.Spec, strat, percent(n.HashrateShare), n.BlocksWon, percent(n.BlockShare), n.BlocksMined, n.Stale, n.Reorgs, n.DeepestReorg)
	}
	fmt.Fprintf(tw, "all\t\t\t100%%\t%d\t100%%\t%d\t%d\t%d\t%d\t\n", rec.Height, rec.MinedBlocks, rec.StaleBlocks, rec.Reorgs, rec.DeepestReorg)
	tw.Flush()
	fmt.Fprintln(out)
	renderRelays(out, rec.Relays)
	fmt.Fprintf(out, "stale     %d of %d mined blocks (%s)\n", rec.StaleBlocks, rec.MinedBlocks, percent(rec.StaleRate))
	fmt.Fprintf(out, "reorgs    %d, deepest %d blocks%s\n", rec.Reorgs, rec.DeepestReorg, byDepth(rec.ReorgDepths))
	fmt.Fprintf(out, "interval  %s mean, %s expected\n", secondsOrDash(rec.MeanIntervalSeconds), secondsOrDash(rec.ExpectedIntervalSecs))
	if rec.PropagationAllSecs > 0 {
		fmt.Fprintf(out, "spread    a block reached half of the nodes in %s, all in %s (mean; %.3g%% of the block time)\n",
			secondsOrDash(rec.PropagationHalfSecs), secondsOrDash(rec.PropagationAllSecs), 100*rec.PropagationAllSecs/c.BlockTimeSecs)
	}
	if rec.Calibration != nil {
		renderCalibration(out, rec.Calibration)
	}
}

// byDepth lists reorganisation counts by depth: " (by depth: 1: 40, 2: 3)".
func byDepth(m map[int]int) string {
	if len(m) < 2 {
		return ""
	}
	ds := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%d: %d", d, m[d])
	}
	return " (by depth: " + strings.Join(parts, ", ") + ")"
}

// renderRelays prints the relays' line of a network table (none: nothing).
func renderRelays(out io.Writer, r *results.NetRelays) {
	if r != nil {
		fmt.Fprintf(out, "relays    %d nodes: %d reorgs on %d of them, deepest %d\n", r.Count, r.Reorgs, r.Reorged, r.DeepestReorg)
	}
}

// renderCalibration sets a real run's figures beside its simulation's.
func renderCalibration(out io.Writer, c *results.NetCalibration) {
	fmt.Fprintf(out, "\ncalibration against the real run %s (95%% Wilson intervals; agree: the intervals overlap)\n", c.Source)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\treal\t95% interval\tsimulated\t95% interval\tagree\t")
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }
	row := func(r results.NetCalibShare) {
		agree := "no"
		if r.Agree {
			agree = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s (%d/%d)\t[%s, %s]\t%s (%d/%d)\t[%s, %s]\t%s\t\n", r.Name, pct(r.Real), r.RealK, r.RealN,
			pct(r.RealLow), pct(r.RealHigh), pct(r.Sim), r.SimK, r.SimN, pct(r.SimLow), pct(r.SimHigh), agree)
	}
	for _, r := range c.Miners {
		row(r)
	}
	row(c.Stale)
	tw.Flush()
	if c.Agree {
		fmt.Fprintln(out, "the simulation agrees with the real run on every row")
	} else {
		fmt.Fprintln(out, "the simulation does NOT agree with the real run on every row")
	}
}

// renderConverged says whether a network ended on one tip (shown as tip).
func renderConverged(out io.Writer, rec *results.Net, tip, differNote string) {
	if !rec.Converged {
		fmt.Fprintf(out, "converged NO: the nodes ended on different tips%s\n", differNote)
		return
	}
	how := ""
	if rec.MinedOnToConverge {
		how = ", mining on to break a tie"
	}
	fmt.Fprintf(out, "converged yes: every node on %s (%s after the last block%s)\n", tip, HumanSeconds(rec.ConvergeAfterLastSecs), how)
}
