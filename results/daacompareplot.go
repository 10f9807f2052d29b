package results

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DAACompareSolvePlot draws the real run's solve times (the share of
// blocks slower than x·T, one point per block) over the pooled simulated
// runs' and the exponential law, on a log scale.
func DAACompareSolvePlot(rec *DAACompare) (*plot.Plot, error) {
	if len(rec.RealSolve) == 0 || len(rec.SimCCDF) == 0 {
		return nil, errors.New("compare chart: the record holds no solve times")
	}
	p := newPlot(fmt.Sprintf("Solve times, %s: real miners and the simulator", rec.Algo),
		"solve time ÷ T", "share of blocks slower (log scale)")
	p.Y.Tick.Marker = log10Ticks{}
	s := slices.Clone(rec.RealSolve)
	slices.Sort(s)
	n := len(s)
	real := make(plotter.XYs, 0, n)
	for i, x := range s {
		if above := n - 1 - i; above > 0 {
			real = append(real, plotter.XY{X: x, Y: math.Log10(float64(above) / float64(n))})
		}
	}
	lo := 1.0 / float64(n)
	sim := make(plotter.XYs, 0, len(rec.SimCCDF))
	for _, pt := range rec.SimCCDF {
		if pt.Y >= lo/10 {
			sim = append(sim, plotter.XY{X: pt.X, Y: math.Log10(pt.Y)})
		}
	}
	xMax := math.Max(s[n-1], 1)
	var th plotter.XYs
	for x := 0.0; x <= xMax; x += xMax / 100 {
		th = append(th, plotter.XY{X: x, Y: -x / math.Ln10})
	}
	theory, err := plotter.NewLine(th)
	if err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	theory.Color, theory.Width, theory.Dashes = colTheory, vg.Points(1), []vg.Length{vg.Points(5), vg.Points(3)}
	simLine, err := plotter.NewLine(sim)
	if err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	simLine.Color, simLine.Width = colMedian, vg.Points(1.8)
	pts, err := plotter.NewScatter(real)
	if err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	pts.GlyphStyle = glyph(colMeasured, vg.Points(2), draw.CircleGlyph{})
	p.Add(theory, simLine, pts)
	p.Legend.Add(fmt.Sprintf("real miners (%d blocks)", n), pts)
	p.Legend.Add(fmt.Sprintf("simulator (%d runs pooled)", rec.Runs), simLine)
	p.Legend.Add("exponential law e^−x", theory)
	p.Legend.Top = true
	logAxis(p, lo/10, 1, 0)
	p.X.Min, p.X.Max = 0, xMax*1.02
	return p, nil
}

// DAACompareStatsPlot draws the mean and the SD of solve time ÷ T: the
// real run's value with its 95% interval beside the simulated runs'
// median with their 2.5–97.5 percentile range.
func DAACompareStatsPlot(rec *DAACompare) (*plot.Plot, error) {
	p := newPlot("Mean and SD of solve time ÷ T", "", "÷ T")
	type bar struct {
		x         float64
		v, lo, hi float64
	}
	real := []bar{{0.9, rec.Real.Mean, rec.Real.MeanLow, rec.Real.MeanHigh}, {1.9, rec.Real.SD, rec.Real.SDLow, rec.Real.SDHigh}}
	sim := []bar{{1.1, rec.Sim.Mean, rec.Sim.MeanLow, rec.Sim.MeanHigh}, {2.1, rec.Sim.SD, rec.Sim.SDLow, rec.Sim.SDHigh}}
	top := 0.0
	add := func(bs []bar, col draw.GlyphStyle, label string) error {
		xy := make(plotter.XYs, len(bs))
		errs := make(plotter.YErrors, len(bs))
		for i, b := range bs {
			xy[i] = plotter.XY{X: b.x, Y: b.v}
			errs[i] = struct{ Low, High float64 }{b.v - b.lo, b.hi - b.v}
			top = math.Max(top, b.hi)
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		sc.GlyphStyle = col
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xy, errs})
		if err != nil {
			return err
		}
		eb.LineStyle.Color = col.Color
		eb.LineStyle.Width = vg.Points(1.2)
		p.Add(eb, sc)
		p.Legend.Add(label, sc)
		return nil
	}
	if err := add(real, glyph(colMeasured, vg.Points(3), draw.CircleGlyph{}), "real miners, 95% interval"); err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	if err := add(sim, glyph(colMedian, vg.Points(3), draw.SquareGlyph{}), "simulator: median, 95% of runs"); err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	p.X.Min, p.X.Max = 0.5, 2.5
	p.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 1, Label: "mean"}, {Value: 2, Label: "SD"}})
	p.Y.Min, p.Y.Max = 0, math.Max(top*1.15, 1.2)
	p.Legend.Top = true
	return p, nil
}

// DAACompareDifficultyPlot draws each block's difficulty ÷ (hashrate ×
// T): the real run's line over the simulated runs' median and the band of
// 95% of runs. Nil when the record has no real difficulties.
func DAACompareDifficultyPlot(rec *DAACompare) (*plot.Plot, error) {
	if len(rec.RealRel) == 0 || len(rec.SimRel) != len(rec.RealRel) {
		return nil, nil
	}
	title := fmt.Sprintf("Difficulty ÷ (hashrate × T) by block, %s", rec.Algo)
	if rec.StepFactor > 0 {
		title += fmt.Sprintf(": hashrate ×%g for blocks %d to %d", rec.StepFactor, rec.StepAt, rec.StepBack-1)
	}
	p := newPlot(title, "block", "difficulty ÷ (hashrate × T)")
	n := len(rec.RealRel)
	band := make(plotter.XYs, 0, 2*n)
	med := make(plotter.XYs, n)
	real := make(plotter.XYs, n)
	top := 0.0
	for i, r := range rec.SimRel {
		band = append(band, plotter.XY{X: float64(i + 1), Y: r.High})
		med[i] = plotter.XY{X: float64(i + 1), Y: r.Median}
		real[i] = plotter.XY{X: float64(i + 1), Y: rec.RealRel[i]}
		top = math.Max(top, math.Max(r.High, rec.RealRel[i]))
	}
	for i := n - 1; i >= 0; i-- {
		band = append(band, plotter.XY{X: float64(i + 1), Y: rec.SimRel[i].Low})
	}
	poly, err := plotter.NewPolygon(band)
	if err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	poly.Color = color.NRGBA{R: 0xe0, G: 0x8a, B: 0x00, A: 0x40}
	poly.LineStyle.Width = 0
	ml, err := plotter.NewLine(med)
	if err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	ml.Color, ml.Width = colMedian, vg.Points(1.5)
	rl, err := plotter.NewLine(real)
	if err != nil {
		return nil, fmt.Errorf("compare chart: %w", err)
	}
	rl.Color, rl.Width = colMeasured, vg.Points(1.2)
	p.Add(poly, ml, rl)
	p.Legend.Add("real miners", rl)
	p.Legend.Add("simulator: median, band of 95% of runs", ml)
	p.Legend.Top = true
	p.X.Min, p.X.Max = 1, float64(n)
	p.Y.Min, p.Y.Max = 0, math.Min(top*1.05, 6)
	return p, nil
}

// WriteDAACompareChart draws the comparison into a PNG or SVG file (by
// path's extension): the difficulty by block on top (when the record has
// it), the solve-time distributions and the two statistics below.
func WriteDAACompareChart(rec *DAACompare, path string) error {
	if err := CheckFigurePath(path); err != nil {
		return err
	}
	a, err := DAACompareSolvePlot(rec)
	if err != nil {
		return err
	}
	b, err := DAACompareStatsPlot(rec)
	if err != nil {
		return err
	}
	d, err := DAACompareDifficultyPlot(rec)
	if err != nil {
		return err
	}
	wd, ht := 24*vg.Centimeter, 10*vg.Centimeter
	if d != nil {
		ht = 19 * vg.Centimeter
	}
	return saveFigure(path, wd, ht, func(dc draw.Canvas) {
		bottom := dc
		if d != nil {
			half := dc.Max.Y - dc.Min.Y
			d.Draw(draw.Crop(dc, 0, 0, half*0.48, 0))
			bottom = draw.Crop(dc, 0, 0, 0, -half*0.52)
		}
		tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(16), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{{a, b}}, tiles, bottom)
		a.Draw(cs[0][0])
		b.Draw(cs[0][1])
	})
}
