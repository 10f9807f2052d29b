package results

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteDAACompareChart(t *testing.T) {
	rec := &DAACompare{Header: NewHeader(KindDAACompare, nil), Algo: "lwma", Runs: 3, Blocks: 4,
		Real:      DAACompareStat{Mean: 1, MeanLow: 0.8, MeanHigh: 1.2, SD: 1, SDLow: 0.7, SDHigh: 1.3},
		Sim:       DAACompareStat{Mean: 1, MeanLow: 0.9, MeanHigh: 1.1, SD: 1, SDLow: 0.8, SDHigh: 1.2},
		RealSolve: []float64{0.2, 1.5, 0.7, 1.6},
		SimCCDF:   []XYPoint{{0, 1}, {1, 0.37}, {2, 0.14}, {3, 0.05}},
	}
	dir := t.TempDir()
	for _, withDifficulty := range []bool{false, true} {
		if withDifficulty {
			rec.RealRel = []float64{1, 0.3, 0.6, 1.1}
			rec.SimRel = []DAARelPoint{{1, 0.8, 1.2}, {0.3, 0.2, 0.4}, {0.7, 0.5, 0.9}, {1, 0.8, 1.2}}
			rec.StepAt, rec.StepBack, rec.StepFactor = 2, 4, 4
		}
		for _, ext := range []string{".png", ".svg"} {
			path := filepath.Join(dir, "cmp"+ext)
			if err := WriteDAACompareChart(rec, path); err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
				t.Fatalf("%s: %v", path, err)
			}
		}
	}
	if err := WriteDAACompareChart(&DAACompare{}, filepath.Join(dir, "empty.png")); err == nil {
		t.Fatal("an empty record was drawn")
	}
	if err := WriteDAACompareChart(rec, filepath.Join(dir, "x.gif")); err == nil {
		t.Fatal("a .gif was written")
	}
}
