package netlab

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/powlab/powlab/results"
)

func TestStaleSweep(t *testing.T) {
	rec, err := StaleSweep(context.Background(), StaleSweepConfig{Ratios: []float64{0.02, 0.2}, Miners: 10, Blocks: 5000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Points) != 2 || !rec.Simulated || rec.Reference.StaleRate != 0.0169 {
		t.Fatalf("%+v", rec)
	}
	for _, p := range rec.Points {
		if !(p.StaleLow < p.StaleRate && p.StaleRate < p.StaleHigh) || p.Theory != StaleTheory(p.DelayRatio) || p.Mined < 5000 {
			t.Errorf("point %+v", p)
		}
	}
	// More delay, more stale blocks.
	if rec.Points[1].StaleRate <= rec.Points[0].StaleRate {
		t.Errorf("stale rate fell with delay: %+v", rec.Points)
	}
	for _, bad := range []StaleSweepConfig{{Ratios: []float64{0.1}, Miners: 1, Blocks: 10}, {Ratios: []float64{-1}, Miners: 2, Blocks: 10}, {Miners: 2, Blocks: 10}} {
		if _, err := StaleSweep(context.Background(), bad); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestSelfishSweep(t *testing.T) {
	rec, err := SelfishSweep(context.Background(), SelfishSweepConfig{Alphas: []float64{0.3}, Gammas: []float64{0, 1}, Blocks: 3000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Points) != 2 || len(rec.Thresholds) != 2 || rec.Thresholds[0].Alpha != 1.0/3 {
		t.Fatalf("%+v", rec)
	}
	// γ = 1 pays more than γ = 0 at the same α.
	if rec.Points[1].Revenue <= rec.Points[0].Revenue {
		t.Errorf("revenue at gamma 1 %g, at gamma 0 %g", rec.Points[1].Revenue, rec.Points[0].Revenue)
	}
	for _, bad := range []SelfishSweepConfig{{Alphas: []float64{0.5}, Gammas: []float64{0}, Blocks: 100}, {Alphas: []float64{0.3}, Gammas: []float64{2}, Blocks: 100}, {Alphas: []float64{0.3}, Gammas: []float64{0}, Blocks: 5}} {
		if _, err := SelfishSweep(context.Background(), bad); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestBatchShare(t *testing.T) {
	// Miner 1 wins every other block: every batch's share is 1/2, so the
	// interval collapses onto it.
	blocks := make([]results.NetBlock, 200)
	for i := range blocks {
		blocks[i].Miner = 1 + i%2
	}
	lo, hi := batchShare(blocks, 1, 20)
	if math.Abs(lo-0.5) > 1e-12 || math.Abs(hi-0.5) > 1e-12 {
		t.Errorf("interval %g..%g, want 0.5..0.5", lo, hi)
	}
	if lo, _ := batchShare(blocks[:5], 1, 20); !math.IsNaN(lo) {
		t.Error("too few blocks gave an interval")
	}
}
