package results

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// attemptsRecord is a small hand-made attempts record (statistics filled
// roughly; the plots only read them).
func attemptsRecord() *Attempts {
	rec := &Attempts{Header: NewHeader(KindAttempts, nil), Scale: "prefix", TrialsPerDifficulty: 4, Kernel: "stdlib", Workers: 2,
		Confidence: 0.95, AttemptsPerSec: 5e6, Complete: true}
	for k := 1; k <= 3; k++ {
		p := math.Pow(16, -float64(k))
		pt := AttemptsPoint{Difficulty: k, Probability: p, Trials: 4, ExpectedAttempts: 1 / p}
		var sum float64
		for i, f := range []float64{0.1, 0.5, 1, 2.5} {
			a := uint64(math.Max(1, f/p))
			pt.Samples = append(pt.Samples, AttemptsSample{LastProof: uint64(10*k + i), Attempts: a, Hashed: a + 64, Seconds: float64(a) / 5e6})
			sum += float64(a)
		}
		pt.MeanAttempts = sum / 4
		pt.MedianAttempts = pt.MeanAttempts * 0.7
		pt.CILow, pt.CIHigh = pt.MeanAttempts*0.5, pt.MeanAttempts*1.5
		pt.MeanSeconds = pt.MeanAttempts / 5e6
		rec.Points = append(rec.Points, pt)
	}
	// A point with one trial and no interval, as after an interruption.
	rec.Points = append(rec.Points, AttemptsPoint{Difficulty: 4, Probability: 1.0 / 65536, Trials: 1, MeanAttempts: 3,
		MedianAttempts: 3, Samples: []AttemptsSample{{Attempts: 3, Hashed: 64, Seconds: 0}}})
	return rec
}

func benchRecord() *Bench {
	return &Bench{Header: NewHeader(KindBench, nil), Target: "prefix 000000", DurationSeconds: 1, Runs: []BenchRun{
		{Kernel: "stdlib", Workers: 1, AttemptsPerSec: 9e6}, {Kernel: "stdlib", Workers: 2, AttemptsPerSec: 16e6},
		{Kernel: "generic", Workers: 1, AttemptsPerSec: 4e6}, {Kernel: "generic", Workers: 2, AttemptsPerSec: 7.5e6},
	}}
}

func blockTimeRecord() *BlockTime {
	rec := &BlockTime{Header: NewHeader(KindBlockTime, nil), Source: "test", TargetIntervalSeconds: 10}
	ts := 1000.0
	for h := uint64(1); h <= 30; h++ {
		iv := float64(h%7) + 3
		if h > 1 {
			ts += iv
		} else {
			iv = 0
		}
		d := math.Pow(2, float64(16+h/10))
		rec.Blocks = append(rec.Blocks, BlockPoint{Height: h, Timestamp: ts, IntervalSeconds: iv, Difficulty: d, Target: "bits"})
	}
	rec.Intervals, rec.MeanIntervalSeconds, rec.MinIntervalSeconds, rec.MaxIntervalSeconds = 29, 6, 3, 9
	return rec
}

// checkFigure fails unless path is a non-empty PNG that decodes or an SVG
// that parses as XML with an <svg> root.
func checkFigure(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		t.Fatalf("%s is empty", path)
	}
	switch filepath.Ext(path) {
	case ".png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if r := img.Bounds(); r.Dx() < 200 || r.Dy() < 100 {
			t.Fatalf("%s: %v is too small", path, r)
		}
	case ".svg":
		dec := xml.NewDecoder(bytes.NewReader(b))
		root := ""
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		if root != "svg" {
			t.Fatalf("%s: root element %q", path, root)
		}
	default:
		t.Fatalf("unexpected figure %s", path)
	}
}

// lowDPI makes test PNGs small: the drawing code is the same, the
// rasteriser has a fifth of the pixels per side to fill.
func lowDPI(t *testing.T) {
	old := figDPI
	figDPI = 24
	t.Cleanup(func() { figDPI = old })
}

func TestPlots(t *testing.T) {
	lowDPI(t)
	dir := t.TempDir()
	for _, ext := range []string{".png", ".svg"} {
		for _, tc := range []struct {
			name string
			draw func(path string) error
		}{
			{"attempts", func(p string) error { return PlotAttempts(attemptsRecord(), p) }},
			{"seconds", func(p string) error { return PlotAttemptsSeconds(attemptsRecord(), p) }},
			{"hashrate", func(p string) error { return PlotBench(benchRecord(), p) }},
			{"blocktime", func(p string) error { return PlotBlockTime(blockTimeRecord(), p) }},
		} {
			t.Run(tc.name+ext, func(t *testing.T) {
				path := filepath.Join(dir, tc.name+ext)
				if err := tc.draw(path); err != nil {
					t.Fatal(err)
				}
				checkFigure(t, path)
			})
		}
	}
}

func TestPlotErrors(t *testing.T) {
	lowDPI(t)
	dir := t.TempDir()
	noDifficulty := blockTimeRecord()
	for i := range noDifficulty.Blocks {
		noDifficulty.Blocks[i].Difficulty = 0
	}
	tests := []struct {
		name    string
		err     error
		wantErr bool
	}{
		{"pdf refused", PlotAttempts(attemptsRecord(), filepath.Join(dir, "a.pdf")), true},
		{"no extension", PlotBench(benchRecord(), filepath.Join(dir, "a")), true},
		{"empty attempts", PlotAttempts(&Attempts{}, filepath.Join(dir, "b.png")), true},
		{"empty seconds", PlotAttemptsSeconds(&Attempts{}, filepath.Join(dir, "b.png")), true},
		{"empty bench", PlotBench(&Bench{}, filepath.Join(dir, "c.png")), true},
		{"one block", PlotBlockTime(&BlockTime{Blocks: []BlockPoint{{Height: 1}}}, filepath.Join(dir, "d.png")), true},
		{"unknown difficulty draws", PlotBlockTime(noDifficulty, filepath.Join(dir, "e.svg")), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", tc.err, tc.wantErr)
			}
		})
	}
	if err := CheckFigurePath("x.PNG"); err != nil {
		t.Fatal(err)
	}
	if got := SecondsPath("docs/attempts.png"); got != "docs/attempts-seconds.png" {
		t.Fatal(got)
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rec := attemptsRecord()
	path, err := Write(dir, rec)
	if err != nil {
		t.Fatal(err)
	}
	var back Attempts
	if err := Read(path, KindAttempts, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Points) != 4 || back.Points[2].Samples[3].Attempts != rec.Points[2].Samples[3].Attempts {
		t.Fatalf("round trip lost data: %+v", back.Points)
	}
	var bt BlockTime
	if err := Read(path, KindBlockTime, &bt); err == nil {
		t.Fatal("an attempts record read as a blocktime record")
	}
}
