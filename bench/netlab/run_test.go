package netlab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// netTestTimeout bounds each network test.
const netTestTimeout = 45 * time.Second

func mustSpecs(t *testing.T, s string) []MinerSpec {
	t.Helper()
	m, err := ParseMinerSpecs(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func bits(t *testing.T, n int) miner.Target {
	t.Helper()
	tg, err := miner.ZeroBitsTarget(n)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// The caps are small and the target easy (8192 attempts: about 0.16 s per
// block at 50k attempts/s in total), so the throttle's 50 ms slices stay
// well below a block's work and the caps hold even under -race.
func TestRunSharesFollowHashrate(t *testing.T) {
	if testing.Short() {
		t.Skip("mines about 80 blocks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	rec, err := Run(ctx, Config{
		Miners: mustSpecs(t, "30k,10k,10k"), Target: bits(t, 13), Blocks: 80, Seed: 1,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.Converged {
		t.Fatalf("nodes did not converge: %+v", rec.Nodes)
	}
	if rec.Stopped != "blocks" || rec.Height < 80 {
		t.Errorf("stopped %q at height %d, want blocks at >= 80", rec.Stopped, rec.Height)
	}
	won := 0
	for i, nd := range rec.Nodes {
		won += nd.BlocksWon
		if nd.Tip != rec.Tip {
			t.Errorf("node %d tip %s, best %s", i+1, nd.Tip, rec.Tip)
		}
		if nd.BlocksWon > nd.BlocksMined {
			t.Errorf("node %d won %d > mined %d", i+1, nd.BlocksWon, nd.BlocksMined)
		}
	}
	if won != rec.Height || len(rec.Blocks) != rec.Height {
		t.Errorf("won %d, %d blocks listed, height %d", won, len(rec.Blocks), rec.Height)
	}
	if s := rec.Nodes[0].HashrateShare; s != 0.6 {
		t.Errorf("hashrate share of node 1 = %g, want 0.6", s)
	}
	// 60% expected. With 40 blocks, 40% or less came up 0.8% of the time (by
	// the binomial law alone, more under a loaded machine); with 80 blocks the
	// same bound fails 0.02% of the time.
	if f := float64(rec.Nodes[0].BlocksWon) / float64(rec.Height); f <= 0.4 {
		t.Errorf("the 3x node won %.0f%% of %d blocks, want > 40%%", 100*f, rec.Height)
	}
	for h, b := range rec.Blocks {
		if b.Height != h+1 || b.Miner < 1 || b.Miner > 3 {
			t.Errorf("block %d: %+v", h, b)
		}
	}
	t.Logf("won %d/%d/%d of %d, stale %d, reorgs %d (deepest %d), interval %.3fs (expected %.3fs), converged %.3fs after the last block",
		rec.Nodes[0].BlocksWon, rec.Nodes[1].BlocksWon, rec.Nodes[2].BlocksWon, rec.Height, rec.StaleBlocks, rec.Reorgs, rec.DeepestReorg,
		rec.MeanIntervalSeconds, rec.ExpectedIntervalSecs, rec.ConvergeAfterLastSecs)
}

// Node 1 (the fastest) is cut off from 1 s to 4 s: both sides mine, and
// when the cut heals the lighter side reorganises onto the heavier.
func TestRunPartitionForksAndHeals(t *testing.T) {
	if testing.Short() {
		t.Skip("mines for 6 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	p, err := ParsePartition("1@1s..4s", 3)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Run(ctx, Config{
		Miners: mustSpecs(t, "30k,10k,10k"), Target: bits(t, 13), Duration: 6 * time.Second,
		Partition: p, Latency: Latency{Min: time.Millisecond, Max: 5 * time.Millisecond}, Seed: 2,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.Converged {
		t.Fatalf("nodes did not converge after the partition: %+v", rec.Nodes)
	}
	if rec.Reorgs == 0 || rec.DeepestReorg == 0 {
		t.Errorf("no reorg after a 3 s partition: %+v", rec.Nodes)
	}
	if rec.Stopped != "duration" || rec.Config.Partition != "1@1s..4s" {
		t.Errorf("stopped %q, partition %q", rec.Stopped, rec.Config.Partition)
	}
	n := 0
	for _, k := range rec.ReorgDepths {
		n += k
	}
	if n != rec.Reorgs || rec.ReorgDepths[rec.DeepestReorg] == 0 {
		t.Errorf("reorgs by depth %v against %d reorgs, deepest %d", rec.ReorgDepths, rec.Reorgs, rec.DeepestReorg)
	}
	t.Logf("height %d, mined %d, stale %d, reorgs %d, deepest %d", rec.Height, rec.MinedBlocks, rec.StaleBlocks, rec.Reorgs, rec.DeepestReorg)
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	rec, err := Run(ctx, Config{Miners: mustSpecs(t, "20k,20k"), Target: bits(t, 12), Blocks: 1000000, Seed: 3})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if rec == nil || rec.Stopped != "interrupted" || len(rec.Nodes) != 2 {
		t.Fatalf("record %+v", rec)
	}
}

func TestRunConfigErrors(t *testing.T) {
	two := []MinerSpec{{Text: "1k", RateCap: 1e3}, {Text: "1k", RateCap: 1e3}}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"one miner", Config{Miners: two[:1], Target: bits(t, 8), Blocks: 1}},
		{"no stop", Config{Miners: two, Target: bits(t, 8)}},
		{"no target", Config{Miners: two, Blocks: 1}},
		{"bad rules", Config{Miners: two, Target: bits(t, 8), Blocks: 1, Rules: "litecoin"}},
		{"bitcoin needs a compact target", Config{Miners: two, Target: miner.MustPrefix("abc"), Blocks: 1, Rules: chain.RulesBitcoin}},
		{"powlab needs zero bits", Config{Miners: two, Target: miner.MustPrefix("abc"), Blocks: 1, Rules: chain.RulesPowlab}},
		{"partition node", Config{Miners: two, Target: bits(t, 8), Blocks: 1, Partition: &Partition{Node: 3, Till: time.Second}}},
		{"topology", Config{Miners: two, Target: bits(t, 8), Blocks: 1, Topology: "tree"}},
		{"random topology", Config{Miners: two, Target: bits(t, 8), Blocks: 1, Topology: Random}},
		{"129 miners", Config{Miners: mustSpecs(t, "129x1k"), Target: bits(t, 8), Blocks: 1}},
		{"spawned mesh of 66", Config{Miners: two, Nodes: 66, Spawn: true, Target: bits(t, 8), Blocks: 1}},
		{"fewer nodes than miners", Config{Miners: mustSpecs(t, "3x1k"), Nodes: 2, Target: bits(t, 8), Blocks: 1}},
		{"129 nodes", Config{Miners: two, Nodes: 129, Target: bits(t, 8), Blocks: 1}},
		{"selfish spawned", Config{Miners: mustSpecs(t, "selfish:1k,1k"), Spawn: true, Target: bits(t, 8), Blocks: 1}},
		{"share", Config{Miners: mustSpecs(t, "50%,1k"), Target: bits(t, 8), Blocks: 1}},
		{"rate step spawned", Config{Miners: two, Target: bits(t, 8), Blocks: 1, Spawn: true, RateSteps: []RateStep{{5, 2}}}},
		{"rate step uncapped", Config{Miners: mustSpecs(t, "genericx1,1k"), Target: bits(t, 8), Blocks: 1, RateSteps: []RateStep{{5, 2}}}},
		{"rate steps falling", Config{Miners: two, Target: bits(t, 8), Blocks: 1, RateSteps: []RateStep{{5, 2}, {5, 1}}}},
		{"rate step at 0", Config{Miners: two, Target: bits(t, 8), Blocks: 1, RateSteps: []RateStep{{0, 2}}}},
		{"rate step factor", Config{Miners: two, Target: bits(t, 8), Blocks: 1, RateSteps: []RateStep{{5, 0}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tc.cfg); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestDefaultBits(t *testing.T) {
	for _, tc := range []struct {
		name string
		rate float64
		want int
	}{
		{"8M", 8e6, 23},
		{"1M", 1e6, 20},
		{"800k", 8e5, 20},
		{"tiny", 1, 1},
		{"huge", 1e30, maxNetBits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DefaultBits(tc.rate, time.Second); got != tc.want {
				t.Errorf("DefaultBits(%g) = %d, want %d", tc.rate, got, tc.want)
			}
		})
	}
}

// A cut that outlasts the run: the nodes are healed when the miners stop,
// and converge even when both branches end with equal work (a tie no
// resolve breaks, so they mine on until a block does).
func TestRunConvergesAfterPartitionToTheEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("mines for 2 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	p, err := ParsePartition("2@0s..1h", 2)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Run(ctx, Config{Miners: mustSpecs(t, "20k,20k"), Target: bits(t, 13), Duration: 2 * time.Second, Partition: p, Seed: 4})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.Converged || rec.Nodes[0].Tip != rec.Nodes[1].Tip {
		t.Fatalf("not converged: %+v", rec.Nodes)
	}
	t.Logf("height %d, mined %d, stale %d, deepest reorg %d, mined on to converge: %v", rec.Height, rec.MinedBlocks, rec.StaleBlocks, rec.DeepestReorg, rec.MinedOnToConverge)
}

// A child that cannot start fails the run with its log in the error, and
// nothing is left running (goleak checks the rest).
func TestRunSpawnFailure(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the powlab binary")
	}
	exe := filepath.Join(t.TempDir(), "powlab")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho 'bad flag for this test' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	_, err := Run(ctx, Config{Miners: mustSpecs(t, "1k,1k"), Target: bits(t, 8), Blocks: 1, Spawn: true, Executable: exe})
	if err == nil || !strings.Contains(err.Error(), "bad flag for this test") {
		t.Fatalf("err = %v, want the child's log", err)
	}
}

// Uncapped kernels: the hashrate share is the measured one, and blocks that
// come faster than the nodes report their rates fall back on a calibration.
func TestRunKernelSpecs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	rec, err := Run(ctx, Config{Miners: mustSpecs(t, "genericx1,stdlibx1"), Target: bits(t, 16), Blocks: 3, Seed: 6})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var sum float64
	for _, nd := range rec.Nodes {
		if nd.RateCap != 0 || nd.MeasuredRate <= 0 || nd.HashrateShare != nd.MeasuredShare {
			t.Errorf("node %d: %+v", nd.ID, nd)
		}
		sum += nd.HashrateShare
	}
	if sum < 0.999 || sum > 1.001 || !rec.Converged {
		t.Errorf("shares sum to %g, converged %v", sum, rec.Converged)
	}
}

// Bitcoin rules in the network lab: real headers, sha256d, exact work; the
// nodes converge on one valid chain.
func TestRunBitcoinRules(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	rec, err := Run(ctx, Config{Miners: mustSpecs(t, "40k,20k"), Rules: chain.RulesBitcoin, Target: bits(t, 12), Blocks: 6, Seed: 3})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.Converged || rec.Height < 6 || rec.Config.Rules != chain.RulesBitcoin {
		t.Fatalf("converged %v at height %d under %q", rec.Converged, rec.Height, rec.Config.Rules)
	}
}

// Two miners and three relays in a ring: the relays carry the blocks one
// way round, end on the same tip and are summed up apart from the miners.
func TestRunWithRelays(t *testing.T) {
	if testing.Short() {
		t.Skip("mines 15 blocks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	rec, err := Run(ctx, Config{
		Miners: mustSpecs(t, "20k,20k"), Nodes: 5, Topology: Ring, Target: bits(t, 13), Blocks: 15, Seed: 3,
		Latency: Latency{Min: 2 * time.Millisecond, Max: 10 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.Converged || rec.Height < 15 || len(rec.Nodes) != 2 || rec.Relays == nil || rec.Relays.Count != 3 || rec.Config.Nodes != 5 {
		t.Fatalf("converged %v, height %d, %d miners, relays %+v, config nodes %d", rec.Converged, rec.Height, len(rec.Nodes), rec.Relays, rec.Config.Nodes)
	}
	if won := rec.Nodes[0].BlocksWon + rec.Nodes[1].BlocksWon; won != rec.Height {
		t.Errorf("miners won %d of %d blocks", won, rec.Height)
	}
	if len(rec.Config.Links) != 5 {
		t.Errorf("links %+v, want the ring's 5", rec.Config.Links)
	}
}

// TestRunRateStep: the caps drop ×1/10 at height 4 and come back at 12;
// the blocks between take several times as long, and the record keeps the
// steps. 2048 attempts a block: about 10 ms at 200k/s, 100 ms at 20k/s, so
// seven slow blocks take about 0.7 s and seven fast ones about 0.1 s with
// the nodes' overhead; 1.5× apart fails by chance about once in ten
// thousand runs.
func TestRunRateStep(t *testing.T) {
	if testing.Short() {
		t.Skip("mines 20 blocks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	rec, err := Run(ctx, Config{Miners: mustSpecs(t, "100k,100k"), Target: bits(t, 11), Blocks: 20, Seed: 2,
		RateSteps: []RateStep{{4, 0.1}, {12, 1}}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rec.Config.RateSteps) != 2 || rec.Config.RateSteps[0] != (results.NetRateStep{Height: 4, Factor: 0.1}) {
		t.Fatalf("record's steps %+v", rec.Config.RateSteps)
	}
	at := map[int]float64{}
	for _, b := range rec.Blocks {
		at[b.Height] = b.At
	}
	// Blocks 6-12 are mined wholly at the lower caps, 14-20 at the caps.
	slow, fast := at[12]-at[5], at[20]-at[13]
	if !(slow > 1.5*fast) {
		t.Fatalf("blocks 6-12 took %.3f s, blocks 14-20 %.3f s: the step did not slow the miners", slow, fast)
	}
	t.Logf("blocks 6-12: %.3f s, 14-20: %.3f s", slow, fast)
}

// TestRunSelfishReal: a real selfish node (45% of the hashrate) withholds
// its blocks and overrides the honest node's: the honest node loses blocks
// to reorganisations, and the network still ends on one tip. Over 60 blocks
// a selfish lead of two (the override) fails to come up about once in a
// thousand runs.
func TestRunSelfishReal(t *testing.T) {
	if testing.Short() {
		t.Skip("mines 60 blocks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	rec, err := Run(ctx, Config{Miners: mustSpecs(t, "selfish:45k,55k"), Target: bits(t, 12), Blocks: 60, Seed: 3})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rec.Converged {
		t.Fatalf("no single tip: %+v", rec.Nodes)
	}
	if honest := rec.Nodes[1]; honest.Stale < 1 || honest.DeepestReorg < 1 {
		t.Fatalf("the honest node lost no block to the selfish one: %+v", honest)
	}
	t.Logf("selfish %d of %d blocks (%.0f%% of the hashrate), honest stale %d, deepest reorg %d",
		rec.Nodes[0].BlocksWon, rec.Height, 100*rec.Nodes[0].HashrateShare, rec.Nodes[1].Stale, rec.Nodes[1].DeepestReorg)
}
