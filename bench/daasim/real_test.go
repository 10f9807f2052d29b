package daasim_test

import (
	"context"
	"testing"
	"time"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/bench/daasim"
	"github.com/powlab/powlab/bench/netlab"
	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// TestRealMinersMatchSimulator is the simulator-against-reality experiment
// at tiny scale: two capped real nodes mine 30 blocks under lwma (window
// 10) toward 150 ms blocks, and the real mean solve time must lie inside
// the range that holds 99.8% of simulated runs of the same algorithm,
// parameters and length (so chance alone fails it about once in 500
// runs; a simulator or a chain engine off by a third fails it). The
// caps are low and the target easy, so they hold under -race.
func TestRealMinersMatchSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("mines 30 real blocks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	specs, err := netlab.ParseMinerSpecs("40k,40k")
	if err != nil {
		t.Fatal(err)
	}
	target, _ := miner.ZeroBitsTarget(13) // 8192 attempts: about 100 ms at 80k/s, harder than on schedule
	window := uint64(10)
	net, err := netlab.Run(ctx, netlab.Config{Miners: specs, Target: target, Blocks: 31, Seed: 1,
		Difficulty: chain.Options{DAA: "lwma", RetargetInterval: &window, BlockTime: 150 * time.Millisecond}})
	if err != nil {
		t.Fatalf("real run: %v", err)
	}
	if net.Config.DAA == nil || net.Config.DAA.Name != "lwma" || net.Config.DAA.Window != 10 {
		t.Fatalf("record's difficulty algorithm %+v", net.Config.DAA)
	}
	cfg, err := daasim.CompareFromNet(net, "test")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Runs, cfg.Seed = 500, 1
	rec, err := daasim.Compare(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := bench.Percentile(rec.SimMeans, 0.001), bench.Percentile(rec.SimMeans, 0.999)
	if rec.Real.Mean < lo || rec.Real.Mean > hi {
		t.Errorf("real mean solve time %.3f T (%d blocks) is outside the simulated runs' 99.8%% range [%.3f, %.3f]",
			rec.Real.Mean, rec.Blocks, lo, hi)
	}
	t.Logf("real mean %.3f T, SD %.3f T; simulated %.3f [%.3f, %.3f], SD %.3f [%.3f, %.3f]",
		rec.Real.Mean, rec.Real.SD, rec.Sim.Mean, rec.Sim.MeanLow, rec.Sim.MeanHigh, rec.Sim.SD, rec.Sim.SDLow, rec.Sim.SDHigh)
}
