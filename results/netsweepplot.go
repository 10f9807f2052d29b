package results

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PlotStale draws a stale sweep on log-log axes: the simulated stale rate
// with its interval at each delay ratio, the theory 1 − e^(−τ/T) and
// Bitcoin's measured point.
func PlotStale(rec *Stale, path string) error {
	if err := CheckFigurePath(path); err != nil {
		return err
	}
	if len(rec.Points) == 0 {
		return errors.New("plot stale: the record has no points")
	}
	kind := "simulated"
	if !rec.Simulated {
		kind = "real nodes"
	}
	p := newPlot(fmt.Sprintf("Stale blocks vs propagation delay, %s\n%d equal miners in a mesh, %d blocks per point, %g s blocks",
		kind, rec.Config.Miners, rec.Config.Blocks, rec.Config.BlockTimeSecs),
		"propagation delay ÷ block interval, τ/T (log scale)", "stale blocks ÷ mined blocks (log scale)")
	p.X.Tick.Marker, p.Y.Tick.Marker = log10Ticks{}, log10Ticks{}
	var pts plotter.XYs
	var errs plotter.YErrors
	lo, hi := math.Inf(1), math.Inf(-1)
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, pt := range rec.Points {
		xlo, xhi = math.Min(xlo, pt.DelayRatio), math.Max(xhi, pt.DelayRatio)
		lo, hi = math.Min(lo, pt.Theory), math.Max(hi, pt.Theory)
		if pt.StaleRate <= 0 {
			continue // no stale block: nothing to place on a log axis
		}
		y := math.Log10(pt.StaleRate)
		pts = append(pts, plotter.XY{X: math.Log10(pt.DelayRatio), Y: y})
		l := math.Max(pt.StaleLow, pt.StaleRate/10)
		errs = append(errs, struct{ Low, High float64 }{y - math.Log10(l), math.Log10(pt.StaleHigh) - y})
		lo, hi = math.Min(lo, l), math.Max(hi, pt.StaleHigh)
	}
	ref := rec.Reference
	xlo, xhi = math.Min(xlo, ref.DelayRatio), math.Max(xhi, ref.DelayRatio)
	var theory plotter.XYs
	for x := math.Log10(xlo) - 0.2; x <= math.Log10(xhi)+0.2; x += 0.02 {
		theory = append(theory, plotter.XY{X: x, Y: math.Log10(-math.Expm1(-math.Pow(10, x)))})
	}
	tl, err := plotter.NewLine(theory)
	if err != nil {
		return fmt.Errorf("plot stale: %w", err)
	}
	tl.Color, tl.Width = colTheory, vg.Points(1.5)
	p.Add(tl)
	p.Legend.Add("theory 1 − e^(−τ/T)", tl)
	if len(pts) > 0 {
		eb, err := plotter.NewYErrorBars(errPoints{pts, errs})
		if err != nil {
			return fmt.Errorf("plot stale: %w", err)
		}
		eb.Color, eb.Width, eb.CapWidth = colMeasured, vg.Points(1.4), vg.Points(7)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot stale: %w", err)
		}
		sc.GlyphStyle = glyph(colMeasured, vg.Points(3.5), draw.CircleGlyph{})
		p.Add(eb, sc)
		p.Legend.Add(fmt.Sprintf("%s, %.0f%% Wilson interval", kind, 100*rec.Config.Confidence), sc)
	}
	if ref.DelayRatio > 0 && ref.StaleRate > 0 {
		rs, err := plotter.NewScatter(plotter.XYs{{X: math.Log10(ref.DelayRatio), Y: math.Log10(ref.StaleRate)}})
		if err != nil {
			return fmt.Errorf("plot stale: %w", err)
		}
		rs.GlyphStyle = glyph(colMedian, vg.Points(6), draw.PyramidGlyph{})
		p.Add(rs)
		p.Legend.Add("Bitcoin 2013, measured (Decker & Wattenhofer)", rs)
		lo = math.Min(lo, ref.StaleRate)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-6)
	p.X.Min, p.X.Max = math.Floor(math.Log10(xlo)), math.Ceil(math.Log10(xhi))
	logAxis(p, lo, hi, 1)
	return savePlot(p, path)
}

// PlotSelfish draws a selfish sweep: the pool's share of the chain against
// its hashrate share, one colour per gamma, with Eyal & Sirer's curve, the
// honest line y = α and each gamma's threshold.
func PlotSelfish(rec *Selfish, path string) error {
	if err := CheckFigurePath(path); err != nil {
		return err
	}
	if len(rec.Points) == 0 {
		return errors.New("plot selfish: the record has no points")
	}
	p := newPlot(fmt.Sprintf("Selfish mining: the pool's revenue, simulated (%d blocks per point)", rec.Config.Blocks),
		"pool's share of the hashrate, α", "pool's share of the blocks on the final chain")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 0.5, 0, 1
	honest, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0.5, Y: 0.5}})
	if err != nil {
		return fmt.Errorf("plot selfish: %w", err)
	}
	honest.Color, honest.Dashes = color.Gray{Y: 100}, []vg.Length{vg.Points(5), vg.Points(4)}
	p.Add(honest)
	p.Legend.Add("honest mining: revenue α", honest)
	for gi, th := range rec.Thresholds {
		col := plotutil.Color(gi)
		var curve plotter.XYs
		for a := 0.0; a <= 0.4951; a += 0.005 {
			curve = append(curve, plotter.XY{X: a, Y: esRevenue(a, th.Gamma)})
		}
		cl, err := plotter.NewLine(clampY(curve, 0, 1))
		if err != nil {
			return fmt.Errorf("plot selfish: %w", err)
		}
		cl.Color, cl.Width = col, vg.Points(1.3)
		var pts plotter.XYs
		var errs plotter.YErrors
		for _, pt := range rec.Points {
			if pt.Gamma != th.Gamma {
				continue
			}
			pts = append(pts, plotter.XY{X: pt.Alpha, Y: pt.Revenue})
			l, h := pt.RevenueLow, pt.RevenueHigh
			if math.IsNaN(l) || math.IsNaN(h) {
				l, h = pt.Revenue, pt.Revenue
			}
			errs = append(errs, struct{ Low, High float64 }{pt.Revenue - l, h - pt.Revenue})
		}
		p.Add(cl)
		if len(pts) > 0 {
			eb, err := plotter.NewYErrorBars(errPoints{pts, errs})
			if err != nil {
				return fmt.Errorf("plot selfish: %w", err)
			}
			eb.Color, eb.CapWidth = col, vg.Points(5)
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("plot selfish: %w", err)
			}
			sc.GlyphStyle = glyph(col, vg.Points(3), draw.CircleGlyph{})
			p.Add(eb, sc)
			p.Legend.Add(fmt.Sprintf("γ = %g: simulated, %.0f%% CI", th.Gamma, 100*rec.Config.Confidence), sc)
		}
		p.Legend.Add(fmt.Sprintf("γ = %g: Eyal & Sirer", th.Gamma), cl)
		if th.Alpha > 0 {
			tl, err := plotter.NewLine(plotter.XYs{{X: th.Alpha, Y: 0}, {X: th.Alpha, Y: th.Alpha}})
			if err != nil {
				return fmt.Errorf("plot selfish: %w", err)
			}
			tl.Color, tl.Dashes = col, []vg.Length{vg.Points(2), vg.Points(3)}
			lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: th.Alpha, Y: 0.02}}, Labels: []string{fmt.Sprintf(" %.3g", th.Alpha)}})
			if err != nil {
				return fmt.Errorf("plot selfish: %w", err)
			}
			p.Add(tl, lbl)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-6)
	return savePlot(p, path)
}

// esRevenue is Eyal & Sirer's closed form, equation (8), as
// netlab.SelfishRevenue computes it (results imports no experiment
// package); tests check both against the paper's thresholds.
func esRevenue(a, g float64) float64 {
	return (a*(1-a)*(1-a)*(4*a+g*(1-2*a)) - a*a*a) / (1 - a*(1+(2-a)*a))
}

func clampY(xy plotter.XYs, lo, hi float64) plotter.XYs {
	out := xy[:0:0]
	for _, v := range xy {
		if v.Y >= lo && v.Y <= hi {
			out = append(out, v)
		}
	}
	return out
}
