package results

import (
	"fmt"
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// PoolChart draws each worker's estimated hashrate over the pool's run
// (solid), its 95% interval (a shaded band, same colour) and, where the
// record knows it, the worker's true rate (dotted). Rates are in the SI
// unit that suits the largest final estimate; the y axis stops at twice the
// largest final upper bound or true rate, so the wide intervals of the
// first few shares do not flatten the rest.
func PoolChart(rec *Pool) (*plot.Plot, error) {
	series := map[string][3]plotter.XYs{}
	truth := map[string]plotter.XYs{}
	top := 0.0
	for _, s := range rec.Snapshots {
		for _, w := range s.Workers {
			xy := series[w.Name]
			xy[0] = append(xy[0], plotter.XY{X: s.Seconds, Y: w.Hashrate})
			xy[1] = append(xy[1], plotter.XY{X: s.Seconds, Y: w.HashrateLow})
			xy[2] = append(xy[2], plotter.XY{X: s.Seconds, Y: w.HashrateHigh})
			series[w.Name] = xy
			if w.TrueRate > 0 {
				truth[w.Name] = append(truth[w.Name], plotter.XY{X: s.Seconds, Y: w.TrueRate})
				top = max(top, w.TrueRate)
			}
		}
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("pool chart: the record holds no snapshot with a worker")
	}
	for _, xy := range series {
		top = max(top, xy[2][len(xy[2])-1].Y, xy[0][len(xy[0])-1].Y)
	}
	unit, div := rateUnit(top)
	p := newPlot("Hashrate estimated from shares, with its 95% interval", "seconds", unit)
	p.Legend.Top = true
	p.Legend.Left = true
	names := make([]string, 0, len(series))
	for n := range series {
		names = append(names, n)
	}
	sort.Strings(names)
	scaled := func(xy plotter.XYs) plotter.XYs {
		out := make(plotter.XYs, len(xy))
		for i, v := range xy {
			out[i] = plotter.XY{X: v.X, Y: v.Y / div}
		}
		return out
	}
	for i, n := range names {
		col := plotutil.Color(i)
		xy := series[n]
		// The band: the upper bound left to right, the lower right to left.
		band := append(scaled(xy[2]), reversed(scaled(xy[1]))...)
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return nil, fmt.Errorf("pool chart: %w", err)
		}
		r, g, b, _ := col.RGBA()
		poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x38}
		poly.LineStyle.Width = 0
		p.Add(poly)
		line, err := plotter.NewLine(scaled(xy[0]))
		if err != nil {
			return nil, fmt.Errorf("pool chart: %w", err)
		}
		line.LineStyle.Color = col
		line.LineStyle.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(n+" (band: 95% interval)", line)
		if t := truth[n]; len(t) > 0 {
			tl, err := plotter.NewLine(scaled(t))
			if err != nil {
				return nil, fmt.Errorf("pool chart: %w", err)
			}
			tl.LineStyle.Color = col
			tl.LineStyle.Width = vg.Points(1.2)
			tl.LineStyle.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
			p.Add(tl)
			p.Legend.Add(n+": true rate (declared cap)", tl)
		}
	}
	p.Y.Min = 0
	p.Y.Max = 2 * top / div
	return p, nil
}

// rateUnit picks the SI unit of hashes/s for rates up to top: its label
// and divisor.
func rateUnit(top float64) (string, float64) {
	switch {
	case top >= 1e12:
		return "hashes/s (T)", 1e12
	case top >= 1e9:
		return "hashes/s (G)", 1e9
	case top >= 1e6:
		return "hashes/s (M)", 1e6
	case top >= 1e3:
		return "hashes/s (k)", 1e3
	}
	return "hashes/s", 1
}

func reversed(xy plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, len(xy))
	for i, v := range xy {
		out[len(xy)-1-i] = v
	}
	return out
}

// Sizes of the pool chart.
const (
	poolChartWidth  = 18 * vg.Centimeter
	poolChartHeight = 11 * vg.Centimeter
)

// WritePoolChart draws PoolChart into a PNG or SVG file (by path's
// extension).
func WritePoolChart(rec *Pool, path string) error {
	if err := CheckFigurePath(path); err != nil {
		return err
	}
	p, err := PoolChart(rec)
	if err != nil {
		return err
	}
	return saveFigure(path, poolChartWidth, poolChartHeight, p.Draw)
}
