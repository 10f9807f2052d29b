package results

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Net chart size: two panels side by side, readable at 100% zoom.
const (
	netChartWidth  = 12 * vg.Inch
	netChartHeight = 5 * vg.Inch
)

// maxNetLegend: nodes named in the legends and labels; more would cover
// the plot (a simulation may have hundreds of miners).
const maxNetLegend = 12

// NetCharts draws a network run's two charts: each node's share of the
// best chain's blocks against its share of the hashrate (with the y = x
// line of a fair race), and each node's cumulative blocks won over time.
func NetCharts(rec *Net) (shares, overTime *plot.Plot, err error) {
	if len(rec.Nodes) == 0 {
		return nil, nil, fmt.Errorf("net chart: the record has no nodes")
	}
	shares = plot.New()
	shares.Title.Text = fmt.Sprintf("Blocks won vs hashrate (%d blocks, %d nodes)", rec.Height, len(rec.Nodes))
	if rec.Simulated {
		shares.Title.Text = fmt.Sprintf("Blocks won vs hashrate, simulated (%d blocks, %d miners of %d nodes)", rec.Height, len(rec.Nodes), max(rec.Config.Nodes, len(rec.Nodes)))
	}
	shares.X.Label.Text = "share of hashrate"
	shares.Y.Label.Text = "share of blocks on the best chain"
	top := 0.0
	for _, n := range rec.Nodes {
		top = max(top, n.HashrateShare, n.BlockShare)
	}
	top = min(1, top*1.15+0.02)
	shares.X.Min, shares.X.Max, shares.Y.Min, shares.Y.Max = 0, top, 0, top
	fair, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: top}})
	if err != nil {
		return nil, nil, fmt.Errorf("net chart: %w", err)
	}
	fair.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
	fair.LineStyle.Color = color.Gray{Y: 100}
	shares.Add(plotter.NewGrid(), fair)
	shares.Legend.Add("y = x (blocks in proportion to hashrate)", fair)
	shares.Legend.Top, shares.Legend.Left = true, true

	overTime = plot.New()
	overTime.Title.Text = "Blocks won over time"
	if rec.Simulated {
		overTime.Title.Text = "Blocks won over simulated time"
	}
	overTime.X.Label.Text = "seconds"
	overTime.Y.Label.Text = "blocks on the final best chain (cumulative)"
	overTime.Add(plotter.NewGrid())
	overTime.Legend.Top, overTime.Legend.Left = true, true
	overTime.X.Min, overTime.Y.Min = 0, 0

	maxWon := 1
	for _, n := range rec.Nodes {
		maxWon = max(maxWon, n.BlocksWon)
	}
	// Headroom above the highest line keeps the legend off the lines.
	overTime.Y.Max = float64(maxWon) * 1.45

	var ring *plotter.Scatter // one ring for the legend
	for i, n := range rec.Nodes {
		col := plotutil.Color(i)
		at := plotter.XYs{{X: n.HashrateShare, Y: n.BlockShare}}
		pt, err := plotter.NewScatter(at)
		if err != nil {
			return nil, nil, fmt.Errorf("net chart: %w", err)
		}
		pt.GlyphStyle.Color = col
		pt.GlyphStyle.Radius = vg.Points(5)
		pt.GlyphStyle.Shape = draw.CircleGlyph{}
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: []string{fmt.Sprint(n.ID)}})
		if err != nil {
			return nil, nil, fmt.Errorf("net chart: %w", err)
		}
		lbl.Offset = vg.Point{X: vg.Points(7), Y: vg.Points(-4 + 9*float64(i%2))}
		shares.Add(pt)
		if i < maxNetLegend {
			shares.Add(lbl)
			shares.Legend.Add(fmt.Sprintf("node %d (%s): %d of %d blocks", n.ID, n.Spec, n.BlocksWon, rec.Height), pt)
		}
		if n.RateCap > 0 && n.MeasuredShare > 0 && math.Abs(n.MeasuredShare-n.HashrateShare) > 0.005 {
			// Where the machine could not deliver the caps: the measured share.
			ms, err := plotter.NewScatter(plotter.XYs{{X: n.MeasuredShare, Y: n.BlockShare}})
			if err != nil {
				return nil, nil, fmt.Errorf("net chart: %w", err)
			}
			ms.GlyphStyle.Color = col
			ms.GlyphStyle.Radius = vg.Points(5)
			ms.GlyphStyle.Shape = draw.RingGlyph{}
			shares.Add(ms)
			if ring == nil {
				ring = ms
			}
		}

		xy := plotter.XYs{{X: 0, Y: 0}}
		won := 0
		for _, b := range rec.Blocks {
			if b.Miner == n.ID {
				won++
				xy = append(xy, plotter.XY{X: b.At, Y: float64(won)})
			}
		}
		if last := rec.Seconds; last > xy[len(xy)-1].X {
			xy = append(xy, plotter.XY{X: last, Y: float64(won)})
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, nil, fmt.Errorf("net chart: %w", err)
		}
		line.StepStyle = plotter.PostStep
		line.LineStyle.Color = col
		line.LineStyle.Width = vg.Points(1.5)
		overTime.Add(line)
		if i < maxNetLegend {
			overTime.Legend.Add(fmt.Sprintf("node %d (%s, %.1f%% of hashrate)", n.ID, n.Spec, 100*n.HashrateShare), line)
		}
	}
	if ring != nil {
		shares.Legend.Add("ring: at the measured share of hashrate", ring)
	}
	return shares, overTime, nil
}

// WriteNetChart draws NetCharts side by side into a PNG or SVG file (by
// path's extension).
func WriteNetChart(rec *Net, path string) error {
	if err := CheckFigurePath(path); err != nil {
		return err
	}
	shares, overTime, err := NetCharts(rec)
	if err != nil {
		return err
	}
	return saveFigure(path, netChartWidth, netChartHeight, func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 8, PadY: vg.Millimeter * 4,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
		cs := plot.Align([][]*plot.Plot{{shares, overTime}}, tiles, dc)
		shares.Draw(cs[0][0])
		overTime.Draw(cs[0][1])
	})
}
