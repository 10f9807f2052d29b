package daasim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/powlab/powlab/results"
)

// simulatedRun draws n solve times (seconds) of algo from the simulator
// itself with the given seed: a "real" run that follows the model exactly.
func simulatedRun(t *testing.T, algo string, n int, seed uint64, scale float64) []float64 {
	t.Helper()
	var out []float64
	_, err := Run(context.Background(), Config{Algos: []string{algo}, Blocks: n, BlockTime: time.Second, Seed: seed,
		OnBlock: func(_ string, b BlockStat) { out = append(out, scale*float64(b.SolveTicks)/1000) }})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCompareAgreesWithItself: runs drawn from the model itself lie
// inside the simulated runs' 95% ranges about 95% of the time (ten runs:
// at least seven must agree, which fails by chance about once in a
// thousand); the same runs with every solve time 1.6× as long never agree.
func TestCompareAgreesWithItself(t *testing.T) {
	for _, algo := range []string{"lwma", "asert", "fixed"} {
		agree := 0
		for seed := uint64(100); seed < 110; seed++ {
			real := simulatedRun(t, algo, 300, seed, 1)
			rec, err := Compare(context.Background(), CompareConfig{Algo: algo, BlockTime: time.Second, Solvetimes: real, InitialRatio: 1, Runs: 60, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if rec.MeanAgrees && rec.SDAgrees {
				agree++
			}
			if !(rec.Real.MeanLow < rec.Real.Mean && rec.Real.Mean < rec.Real.MeanHigh && rec.Real.SDLow < rec.Real.SD && rec.Real.SD < rec.Real.SDHigh) {
				t.Errorf("%s: intervals %+v", algo, rec.Real)
			}
			if len(rec.SimMeans) != 60 || len(rec.RealSolve) != 300 || len(rec.SimCCDF) == 0 {
				t.Errorf("%s: record sizes %d %d %d", algo, len(rec.SimMeans), len(rec.RealSolve), len(rec.SimCCDF))
			}
			slow := simulatedRun(t, algo, 300, seed, 1.6)
			rec, err = Compare(context.Background(), CompareConfig{Algo: algo, BlockTime: time.Second, Solvetimes: slow, InitialRatio: 1, Runs: 60, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if rec.MeanAgrees {
				t.Errorf("%s seed %d: solve times 1.6× too long pass: real %+v sim %+v", algo, seed, rec.Real, rec.Sim)
			}
		}
		if agree < 7 {
			t.Errorf("%s: %d of 10 runs of the model itself agree with it", algo, agree)
		}
	}
}

func TestCompareSameSeedSameRecord(t *testing.T) {
	real := simulatedRun(t, "ema", 50, 5, 1)
	cfg := CompareConfig{Algo: "ema", BlockTime: time.Second, Solvetimes: real, InitialRatio: 1.5, Runs: 20, Seed: 7}
	a, err := Compare(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Compare(context.Background(), cfg)
	if a.Real != b.Real || a.Sim != b.Sim || a.KS != b.KS {
		t.Fatalf("same seed, different results: %+v %+v", a, b)
	}
}

func TestCompareErrors(t *testing.T) {
	ok := simulatedRun(t, "fixed", 20, 1, 1)
	for name, cfg := range map[string]CompareConfig{
		"too few":       {Algo: "fixed", BlockTime: time.Second, Solvetimes: ok[:5], Runs: 20},
		"negative":      {Algo: "fixed", BlockTime: time.Second, Solvetimes: append([]float64{-1}, ok...), Runs: 20},
		"few runs":      {Algo: "fixed", BlockTime: time.Second, Solvetimes: ok, Runs: 3},
		"unknown algo":  {Algo: "nope", BlockTime: time.Second, Solvetimes: ok, Runs: 20},
		"no block time": {Algo: "fixed", Solvetimes: ok, Runs: 20},
	} {
		if _, err := Compare(context.Background(), cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCompareFromNet(t *testing.T) {
	rec := &results.Net{TotalRateCap: 2e6, TotalRate: 1.9e6,
		Config: results.NetConfig{DAA: &results.NetDAA{Name: "asert", HalfLifeSeconds: 10, BlockTimeSeconds: 0.5}}}
	for h := 12; h >= 1; h-- { // out of order: sorted by height
		rec.Blocks = append(rec.Blocks, results.NetBlock{Height: h, At: 0.5 * float64(h), Difficulty: 2e6})
	}
	c, err := CompareFromNet(rec, "r.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Algo != "asert" || c.HalfLife != 10*time.Second || c.BlockTime != 500*time.Millisecond || c.Hashrate != 2e6 ||
		len(c.Solvetimes) != 11 || c.Solvetimes[0] != 0.5 || c.InitialRatio != 2 {
		t.Fatalf("%+v", c)
	}
	rec.Config.RateSteps = []results.NetRateStep{{Height: 3, Factor: 4}, {Height: 7, Factor: 1}}
	if c, err = CompareFromNet(rec, "r.json"); err != nil || c.StepAt != 3 || c.StepBack != 7 || c.StepFactor != 4 {
		t.Fatalf("steps: %+v %v", c, err)
	}
	rec.Config.RateSteps = rec.Config.RateSteps[:1]
	if _, err := CompareFromNet(rec, "r.json"); err == nil {
		t.Fatal("a step without its way back was compared")
	}
	rec.Config.RateSteps = nil
	rec.Config.DAA = nil
	if _, err := CompareFromNet(rec, "r.json"); err == nil {
		t.Fatal("a fixed-target network was compared")
	}
	rec.Config.DAA = &results.NetDAA{Name: "asert", BlockTimeSeconds: 0.5}
	rec.Blocks = rec.Blocks[:5]
	if _, err := CompareFromNet(rec, "r.json"); err == nil {
		t.Fatal("5 blocks were compared")
	}
}

func TestKSTwoSample(t *testing.T) {
	a := []float64{1, 2, 3, 4}
	if d := ksTwoSample(a, []float64{1, 2, 3, 4}); d != 0 {
		t.Fatal(d)
	}
	if d := ksTwoSample(a, []float64{5, 6, 7, 8}); d != 1 {
		t.Fatal(d)
	}
	if d := ksTwoSample([]float64{3, 1, 2, 4}, []float64{2.5, 2.5, 2.5, 2.5}); d != 0.5 {
		t.Fatal(d)
	}
}
