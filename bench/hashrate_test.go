package bench

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

func TestAnnotate(t *testing.T) {
	rec := &results.Bench{ExpectedAttempts: 1000, Runs: []results.BenchRun{
		{Kernel: "stdlib", Workers: 1, AttemptsPerSec: 100},
		{Kernel: "stdlib", Workers: 2, AttemptsPerSec: 190},
		{Kernel: "generic", Workers: 1, AttemptsPerSec: 50},
		{Kernel: "generic", Workers: 2, AttemptsPerSec: 100},
	}}
	Annotate(rec)
	want := []struct{ speed, eff, secs float64 }{{1, 1, 10}, {1.9, 0.95, 1000.0 / 190}, {0.5, 1, 20}, {1, 1, 10}}
	for i, w := range want {
		r := rec.Runs[i]
		if math.Abs(r.SpeedupVsStdlib-w.speed) > 1e-9 || math.Abs(r.Efficiency-w.eff) > 1e-9 || math.Abs(r.ExpectedSecondsToSolution-w.secs) > 1e-9 {
			t.Errorf("run %d: %+v, want %+v", i, r, w)
		}
	}
}

func TestHashrateSweep(t *testing.T) {
	k, _ := sha256x.ByName("generic")
	tg, _ := miner.ZeroBitsTarget(8)
	rec, err := Hashrate(context.Background(), HashrateConfig{
		Puzzle: miner.TutorialPuzzle(100), Target: tg, Kernels: []*sha256x.Kernel{k},
		Workers: []int{1, 2}, Duration: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Runs) != 2 || rec.Kind != results.KindBench || rec.Schema != results.Schema {
		t.Fatalf("record %+v", rec)
	}
	for _, r := range rec.Runs {
		// At p = 1/256, a run that hashed thousands of nonces found solutions.
		if r.Attempts == 0 || (r.Attempts > 10000 && r.Solutions == 0) {
			t.Fatalf("run %+v", r)
		}
	}
	if _, err := Hashrate(context.Background(), HashrateConfig{Target: tg, Kernels: []*sha256x.Kernel{k}, Workers: []int{1}}); err == nil {
		t.Fatal("zero duration accepted")
	}
}
