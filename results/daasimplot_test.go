package results

import (
	"path/filepath"
	"strings"
	"testing"
)

// daaSimRecord is a small hand-made simulation record of the scenario.
func daaSimRecord(scenario string) *DAASim {
	rec := &DAASim{Header: NewHeader(KindDAASim, nil), Complete: true,
		Spec: DAASimSpec{Algos: []string{"a", "b"}, Scenario: scenario, Blocks: 40, BlockTimeMs: 600000, Seed: 1, DelayFactor: 6,
			StepAt: 10, StepBack: 25, StepFactor: 10, AttackHashrate: 2, AttackWindow: 5, RampFactor: 10}}
	for i, name := range rec.Spec.Algos {
		s := DAASeries{Name: name, Blocks: 40, BucketBlocks: 2, SolveHist: Histogram{BinWidth: 0.1, Counts: make([]int, 200), Over: 1}}
		for k := range 20 {
			s.RelDifficulty = append(s.RelDifficulty, 1+0.1*float64((k+i)%3))
			s.SolveHist.Counts[k*3] = 20 - k
		}
		switch scenario {
		case "onoff":
			d := DAADetail{From: 11, BucketBlocks: 1}
			for k := range 20 {
				d.RelDifficulty = append(d.RelDifficulty, 0.5+float64(k%2))
				d.AttackShare = append(d.AttackShare, float64(k%2))
			}
			s.Details = []DAADetail{d}
		case "step":
			for _, at := range []uint64{10, 25} {
				s.Details = append(s.Details, DAADetail{From: at - 2, BucketBlocks: 1, RelDifficulty: []float64{1, 1, 0.1, 0.5, 0.9, 1}})
			}
		}
		rec.Algos = append(rec.Algos, DAAMetrics{Name: name})
		rec.Series = append(rec.Series, s)
	}
	return rec
}

func TestWriteDAASimCharts(t *testing.T) {
	lowDPI(t)
	dir := t.TempDir()
	for _, sc := range []string{"steady", "step", "onoff", "ramp"} {
		for _, ext := range []string{".png", ".svg"} {
			path := filepath.Join(dir, sc+ext)
			solve, err := WriteDAASimCharts(daaSimRecord(sc), path)
			if err != nil {
				t.Fatalf("%s: %v", sc, err)
			}
			if want := filepath.Join(dir, sc+"-solvetimes"+ext); solve != want {
				t.Fatalf("solve-time chart at %s, want %s", solve, want)
			}
			checkFigure(t, path)
			checkFigure(t, solve)
		}
	}
	if _, err := WriteDAASimCharts(&DAASim{}, filepath.Join(dir, "empty.png")); err == nil {
		t.Fatal("an empty record drew a chart")
	}
	rec := daaSimRecord("onoff")
	for i := range rec.Series {
		rec.Series[i].Details = nil
	}
	if _, err := WriteDAASimCharts(rec, filepath.Join(dir, "nodetail.png")); err == nil || !strings.Contains(err.Error(), "close-up") {
		t.Fatalf("onoff without a close-up: %v", err)
	}
	if _, err := WriteDAASimCharts(daaSimRecord("steady"), filepath.Join(dir, "x.pdf")); err == nil {
		t.Fatal("drew a .pdf")
	}
}

func TestDAASimSpecLines(t *testing.T) {
	for sc, want := range map[string]string{"steady": "steady hashrate", "step": "×10 at block 10, back at 25",
		"onoff": "2× the hashrate", "ramp": "×10 over the run"} {
		if got := daaSimRecord(sc).Spec.ScenarioLine(); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", sc, got, want)
		}
	}
	if got := daaSimRecord("steady").Spec.RunLine(); got != "40 blocks, T = 10m0s, seed 1" {
		t.Errorf("run line %q", got)
	}
	if got := SolveTimesPath("a/b.svg"); got != "a/b-solvetimes.svg" {
		t.Errorf("SolveTimesPath = %q", got)
	}
}
