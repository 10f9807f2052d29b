package results

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// PoolChart draws each worker's estimated hashrate over the pool's run
// (solid), its 95% interval (dashed, same colour) and, where the record
// knows it, the worker's true rate (dotted).
func PoolChart(rec *Pool) (*plot.Plot, error) {
	p := newPlot("Hashrate estimated from shares, with its 95% interval", "seconds", "hashes/s")
	p.Legend.Top = true
	p.Legend.Left = true
	series := map[string][3]plotter.XYs{}
	truth := map[string]plotter.XYs{}
	for _, s := range rec.Snapshots {
		for _, w := range s.Workers {
			xy := series[w.Name]
			xy[0] = append(xy[0], plotter.XY{X: s.Seconds, Y: w.Hashrate})
			xy[1] = append(xy[1], plotter.XY{X: s.Seconds, Y: w.HashrateLow})
			xy[2] = append(xy[2], plotter.XY{X: s.Seconds, Y: w.HashrateHigh})
			series[w.Name] = xy
			if w.TrueRate > 0 {
				truth[w.Name] = append(truth[w.Name], plotter.XY{X: s.Seconds, Y: w.TrueRate})
			}
		}
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("pool chart: the record holds no snapshot with a worker")
	}
	names := make([]string, 0, len(series))
	for n := range series {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		col := plotutil.Color(i)
		for k, xy := range series[n] {
			line, err := plotter.NewLine(xy)
			if err != nil {
				return nil, fmt.Errorf("pool chart: %w", err)
			}
			line.LineStyle.Color = col
			line.LineStyle.Width = vg.Points(1.5)
			if k > 0 {
				line.LineStyle.Width = vg.Points(0.8)
				line.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(line)
			if k == 0 {
				p.Legend.Add(n, line)
			}
		}
		if t := truth[n]; len(t) > 0 {
			line, err := plotter.NewLine(t)
			if err != nil {
				return nil, fmt.Errorf("pool chart: %w", err)
			}
			line.LineStyle.Color = col
			line.LineStyle.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
			p.Add(line)
			p.Legend.Add(n+": true rate", line)
		}
	}
	p.Y.Min = 0
	return p, nil
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
