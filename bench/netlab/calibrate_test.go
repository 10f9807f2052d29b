package netlab

import (
	"context"
	"testing"
	"time"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/results"
)

func TestCalibrate(t *testing.T) {
	real := &results.Net{Nodes: []results.NetNode{{ID: 1, Spec: "2M", BlocksWon: 60}, {ID: 2, Spec: "1M", BlocksWon: 40}},
		MinedBlocks: 104, StaleBlocks: 4}
	sim := &results.Net{Nodes: []results.NetNode{{BlocksWon: 6600}, {BlocksWon: 3400}}, MinedBlocks: 10300, StaleBlocks: 300}
	c := Calibrate(real, sim, "r.json")
	if !c.Agree || len(c.Miners) != 2 || c.Miners[0].Real != 0.6 || c.Miners[0].Sim != 0.66 || c.Stale.RealK != 4 || c.Stale.SimN != 10300 {
		t.Fatalf("%+v", c)
	}
	if !(c.Miners[0].RealLow < 0.6 && 0.6 < c.Miners[0].RealHigh) {
		t.Fatalf("interval %+v", c.Miners[0])
	}
	sim.Nodes[0].BlocksWon, sim.Nodes[1].BlocksWon = 9000, 1000 // 90%: far outside 60 of 100
	if c := Calibrate(real, sim, "r.json"); c.Agree || c.Miners[0].Agree || !c.Stale.Agree {
		t.Fatalf("a 90%% share agreed with 60 of 100: %+v", c)
	}
}

func TestSimLike(t *testing.T) {
	real := &results.Net{MeanIntervalSeconds: 0.5, Nodes: []results.NetNode{{ID: 1}, {ID: 2}, {ID: 3}},
		Config: results.NetConfig{Miners: []string{"2M", "1M", "1M"}, Topology: "ring", Latency: "10ms..90ms", Seed: 4,
			Links: []results.NetLink{{A: 1, B: 2, LatencySeconds: 0.011}, {A: 3, B: 2, LatencySeconds: 0.077}, {A: 1, B: 3, LatencySeconds: 0.042}}}}
	c, err := SimLike(real, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Miners) != 3 || c.Nodes != 3 || c.Topology != Ring || c.BlockTime != 500*time.Millisecond || c.Blocks != 1000 || c.Seed != 4 ||
		c.LinkLatencies[[2]int32{1, 2}] != 77*time.Millisecond || len(c.LinkLatencies) != 3 {
		t.Fatalf("%+v", c)
	}
	real.Simulated = true
	if _, err := SimLike(real, 1000); err == nil {
		t.Fatal("a simulation's record was taken as real")
	}
}

// TestCalibrationTiny is the calibration at tiny scale: three capped real
// nodes mine 40 blocks on links of 30 ms, and the simulation of the same
// network (5000 blocks) gives each miner a share inside the real share's
// 99.9% interval (so chance fails the test about once in 300 runs).
func TestCalibrationTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("mines 40 real blocks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), netTestTimeout)
	defer cancel()
	lat, _ := ParseLatency("30ms")
	real, err := Run(ctx, Config{Miners: mustSpecs(t, "40k,20k,20k"), Target: bits(t, 13), Blocks: 40, Seed: 5, Latency: lat})
	if err != nil {
		t.Fatalf("real run: %v", err)
	}
	cfg, err := SimLike(real, 5000)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := Simulate(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := Calibrate(real, sim, "test")
	for _, r := range c.Miners {
		lo, hi := bench.Wilson(r.RealK, r.RealN, 0.999)
		if r.Sim < lo || r.Sim > hi {
			t.Errorf("%s: simulated share %.3f outside the real %d of %d's 99.9%% interval [%.3f, %.3f]", r.Name, r.Sim, r.RealK, r.RealN, lo, hi)
		}
	}
	t.Logf("%+v", c)
}
