package results

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteNetChart(t *testing.T) {
	rec := &Net{
		Height: 4, Seconds: 5,
		Nodes: []NetNode{
			{ID: 1, Spec: "3M", RateCap: 3e6, HashrateShare: 0.6, MeasuredShare: 0.5, BlocksWon: 3, BlockShare: 0.75},
			{ID: 2, Spec: "2M", RateCap: 2e6, HashrateShare: 0.4, MeasuredShare: 0.5, BlocksWon: 1, BlockShare: 0.25},
		},
		Blocks: []NetBlock{{Height: 1, Miner: 1, At: 1}, {Height: 2, Miner: 2, At: 2}, {Height: 3, Miner: 1, At: 3}, {Height: 4, Miner: 1, At: 4}},
	}
	path := filepath.Join(t.TempDir(), "sub", "net.png")
	if err := WriteNetChart(rec, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Fatalf("not a PNG: %d bytes", len(b))
	}
	if err := WriteNetChart(&Net{}, path); err == nil {
		t.Fatal("an empty record drew a chart")
	}
}

// The selfish curve passes through Eyal & Sirer's thresholds: revenue
// equals alpha at 1/3 for gamma 0 and 1/4 for gamma 1/2.
func TestESRevenueThresholds(t *testing.T) {
	for _, tc := range []struct{ alpha, gamma float64 }{{1.0 / 3, 0}, {0.25, 0.5}} {
		if r := esRevenue(tc.alpha, tc.gamma); math.Abs(r-tc.alpha) > 1e-12 {
			t.Errorf("revenue(%g, %g) = %g", tc.alpha, tc.gamma, r)
		}
	}
}

func TestPlotSweeps(t *testing.T) {
	dir := t.TempDir()
	stale := &Stale{Config: StaleConfig{Miners: 20, Blocks: 100, BlockTimeSecs: 600, Confidence: 0.95},
		Points: []StalePoint{{DelayRatio: 0.01, StaleRate: 0.01, StaleLow: 0.008, StaleHigh: 0.012, Theory: 0.00995},
			{DelayRatio: 0.1, StaleRate: 0, StaleHigh: 0.01, Theory: 0.095}},
		Reference: StaleReference{DelayRatio: 0.021, StaleRate: 0.0169}}
	if err := PlotStale(stale, filepath.Join(dir, "stale.svg")); err != nil {
		t.Fatal(err)
	}
	selfish := &Selfish{Config: SelfishConfig{Blocks: 100, Confidence: 0.95},
		Points:     []SelfishPoint{{Alpha: 0.3, Gamma: 0, Revenue: 0.29, RevenueLow: 0.27, RevenueHigh: 0.31}, {Alpha: 0.3, Gamma: 1, Revenue: 0.4, RevenueLow: math.NaN(), RevenueHigh: math.NaN()}},
		Thresholds: []SelfishThreshold{{Gamma: 0, Alpha: 1.0 / 3}, {Gamma: 1, Alpha: 0}}}
	if err := PlotSelfish(selfish, filepath.Join(dir, "selfish.png")); err != nil {
		t.Fatal(err)
	}
	if err := PlotStale(&Stale{}, filepath.Join(dir, "x.png")); err == nil {
		t.Error("an empty sweep drew")
	}
}
