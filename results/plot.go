package results

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ErrFigureFormat is returned for a chart path whose extension is neither
// .png nor .svg.
var ErrFigureFormat = errors.New("chart files must end in .png or .svg")

// Figure size and resolution: 9×6 inches at 120 dpi is a 1080×720 PNG,
// legible in a README at its natural width.
const (
	figWidth  = 9 * vg.Inch
	figHeight = 6 * vg.Inch
)

// figDPI is the PNG resolution; tests lower it, since rasterising is most
// of their run time under the race detector.
var figDPI = 120

// CheckFigurePath reports ErrFigureFormat for a path that is not .png or .svg.
func CheckFigurePath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg":
		return nil
	}
	return fmt.Errorf("%s: %w", path, ErrFigureFormat)
}

// SecondsPath is the path of the seconds figure drawn next to an attempts
// figure: attempts.png → attempts-seconds.png.
func SecondsPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-seconds" + ext
}

// saveFigure draws with draw into a w×h canvas and writes it to path as PNG
// or SVG by extension, through a temporary file so a reader never sees half
// a figure.
func saveFigure(path string, wd, ht vg.Length, drawFn func(draw.Canvas)) error {
	if err := CheckFigurePath(path); err != nil {
		return err
	}
	err := writeAtomic(path, func(w io.Writer) error {
		if strings.ToLower(filepath.Ext(path)) == ".svg" {
			c := vgsvg.New(wd, ht)
			drawFn(draw.New(c))
			_, err := c.WriteTo(w)
			return err
		}
		c := vgimg.NewWith(vgimg.UseWH(wd, ht), vgimg.UseDPI(figDPI))
		drawFn(draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("write chart %s: %w", path, err)
	}
	return nil
}

func savePlot(p *plot.Plot, path string) error {
	return saveFigure(path, figWidth, figHeight, p.Draw)
}

// Colours: a dark blue for measurements, a red for theory, grey for trials.
var (
	colMeasured = color.RGBA{R: 0x1f, G: 0x4e, B: 0x9a, A: 0xff}
	colMedian   = color.RGBA{R: 0xe0, G: 0x8a, B: 0x00, A: 0xff}
	colTheory   = color.RGBA{R: 0xc0, G: 0x20, B: 0x20, A: 0xff}
	colTrial    = color.NRGBA{R: 0x40, G: 0x40, B: 0x40, A: 0x70}
)

// intTicks puts a labelled tick at every whole number in range.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	step := math.Max(1, math.Ceil((hi-lo)/16))
	for v := math.Ceil(lo); v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ts
}

// log10Ticks is the tick marker of an axis whose values are log10 of the
// data: it labels whole powers of ten (1, 10, 100, 1000, then 1e4 …) with
// unlabelled minor ticks at 2…9. powlab plots log10(data) on a linear axis
// rather than using plot.LogScale, whose axis-label box is misplaced (the
// label's glyph box sits at the mean of the raw range, near the top, and
// squeezes the data area) and which panics on values <= 0.
type log10Ticks struct{}

func (log10Ticks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		if e >= lo-1e-9 && e <= hi+1e-9 {
			ts = append(ts, plot.Tick{Value: e, Label: powLabel(e)})
		}
		for m := 2.0; m < 10; m++ {
			if v := e + math.Log10(m); v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v})
			}
		}
	}
	return ts
}

// logAxis sets a plot's Y axis to show log10 values as powers of ten over
// whole decades covering [lo, hi] (data units, > 0), plus extra decades
// above for the legend.
func logAxis(p *plot.Plot, lo, hi float64, extra float64) {
	p.Y.Tick.Marker = log10Ticks{}
	p.Y.Min = math.Floor(math.Log10(lo))
	p.Y.Max = math.Ceil(math.Log10(hi)) + extra
}

func powLabel(e float64) string {
	switch {
	case e >= 0 && e <= 3:
		return strconv.FormatFloat(math.Pow(10, e), 'f', 0, 64)
	case e < 0 && e >= -3:
		return strconv.FormatFloat(math.Pow(10, e), 'f', int(-e), 64)
	}
	return fmt.Sprintf("1e%d", int(e))
}

// jitter spreads trial i of n over ±0.2 around its difficulty, so points
// with equal values stay visible; it is deterministic.
func jitter(i, n int) float64 {
	if n <= 1 {
		return 0
	}
	return -0.2 + 0.4*float64(i)/float64(n-1)
}

func scaleLabel(scale string) string {
	if scale == "bits" {
		return "difficulty: leading zero bits (p = 2^-k)"
	}
	return "difficulty: leading zero hex digits (p = 16^-k)"
}

func envLine(h Header, kernel string, workers int) string {
	s := h.Env.CPU
	if h.Env.LogicalCores > 0 {
		s += fmt.Sprintf(" (%d cores)", h.Env.LogicalCores)
	}
	if kernel != "" {
		s += ", kernel " + kernel
	}
	if workers > 0 {
		s += fmt.Sprintf(" × %d workers", workers)
	}
	return s
}

// errPoints draws a value with an asymmetric error bar.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Label.TextStyle.Font.Size = vg.Points(12)
	p.Y.Label.TextStyle.Font.Size = vg.Points(12)
	p.X.Tick.Label.Font.Size = vg.Points(11)
	p.Y.Tick.Label.Font.Size = vg.Points(11)
	p.Legend.TextStyle.Font.Size = vg.Points(11)
	p.Legend.Padding = vg.Points(2)
	p.Add(plotter.NewGrid())
	return p
}

func glyph(c color.Color, r vg.Length, shape draw.GlyphDrawer) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: r, Shape: shape}
}

// pointsWithData returns the points that have at least one trial.
func pointsWithData(rec *Attempts) []AttemptsPoint {
	var pts []AttemptsPoint
	for _, pt := range rec.Points {
		if len(pt.Samples) > 0 && pt.Probability > 0 {
			pts = append(pts, pt)
		}
	}
	return pts
}

// PlotAttempts draws attempts to the first solution against difficulty on a
// log scale: every trial as a faint point, the measured mean with its
// confidence interval, the measured median, and the geometric law's mean 1/p
// and median ln2/p.
func PlotAttempts(rec *Attempts, path string) error {
	pts := pointsWithData(rec)
	if len(pts) == 0 {
		return errors.New("plot attempts: the record has no trials")
	}
	p := newPlot(
		fmt.Sprintf("Attempts to the first solution vs difficulty (%d trials each)\n%s",
			rec.TrialsPerDifficulty, envLine(rec.Header, rec.Kernel, rec.Workers)),
		scaleLabel(rec.Scale), "attempts to first solution (log scale)")
	p.X.Tick.Marker = intTicks{}

	var trials, means, medians, theoryMean, theoryMedian plotter.XYs
	var errs plotter.YErrors
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		x := float64(pt.Difficulty)
		for i, s := range pt.Samples {
			v := math.Max(float64(s.Attempts), 1)
			trials = append(trials, plotter.XY{X: x + jitter(i, len(pt.Samples)), Y: math.Log10(v)})
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		means = append(means, plotter.XY{X: x, Y: math.Log10(pt.MeanAttempts)})
		ciLo, ciHi := pt.CILow, pt.CIHigh
		if ciLo <= 0 || ciHi <= 0 { // one trial, or a CI reaching below zero
			ciLo = math.Min(math.Max(ciLo, pt.MeanAttempts/2), pt.MeanAttempts)
			ciHi = math.Max(ciHi, pt.MeanAttempts)
		}
		lm := math.Log10(pt.MeanAttempts)
		errs = append(errs, struct{ Low, High float64 }{lm - math.Log10(ciLo), math.Log10(ciHi) - lm})
		medians = append(medians, plotter.XY{X: x, Y: math.Log10(math.Max(pt.MedianAttempts, 1))})
		theoryMean = append(theoryMean, plotter.XY{X: x, Y: math.Log10(1 / pt.Probability)})
		theoryMedian = append(theoryMedian, plotter.XY{X: x, Y: math.Log10(math.Ln2 / pt.Probability)})
		lo = math.Min(lo, math.Ln2/pt.Probability)
		hi = math.Max(hi, 1/pt.Probability)
	}
	sc, err := plotter.NewScatter(trials)
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	sc.GlyphStyle = glyph(colTrial, vg.Points(1.6), draw.CircleGlyph{})

	lm, err := plotter.NewLine(theoryMean)
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	lm.Color, lm.Width = colTheory, vg.Points(1.5)
	lmed, err := plotter.NewLine(theoryMedian)
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	lmed.Color, lmed.Width, lmed.Dashes = colTheory, vg.Points(1.2), []vg.Length{vg.Points(5), vg.Points(3)}

	eb, err := plotter.NewYErrorBars(errPoints{means, errs})
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	eb.Color, eb.Width, eb.CapWidth = colMeasured, vg.Points(1.6), vg.Points(8)
	ms, err := plotter.NewScatter(means)
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	ms.GlyphStyle = glyph(colMeasured, vg.Points(3.5), draw.CircleGlyph{})
	md, err := plotter.NewScatter(medians)
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	md.GlyphStyle = glyph(colMedian, vg.Points(4), draw.TriangleGlyph{})

	p.Add(sc, lm, lmed, eb, ms, md)
	conf := rec.Confidence
	if conf == 0 {
		conf = 0.95
	}
	p.Legend.Add("one trial", sc)
	p.Legend.Add(fmt.Sprintf("measured mean, %.0f%% CI", 100*conf), ms)
	p.Legend.Add("measured median", md)
	p.Legend.Add("theory mean 1/p", lm)
	p.Legend.Add("theory median ln2/p", lmed)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-6)
	// Room above the data for the legend: the data rise to the right, so
	// the top left is empty once the axis reaches a few decades higher.
	logAxis(p, lo, hi, 1)
	p.X.Min = float64(pts[0].Difficulty) - 0.5
	p.X.Max = float64(pts[len(pts)-1].Difficulty) + 0.5

	r, err := ratioPlot(pts, conf)
	if err != nil {
		return fmt.Errorf("plot attempts: %w", err)
	}
	r.X.Min, r.X.Max = p.X.Min, p.X.Max
	r.X.Label.Text, p.X.Label.Text = p.X.Label.Text, ""
	return saveFigure(path, figWidth, figHeight*1.4, func(dc draw.Canvas) {
		// Three equal rows, aligned so the panels share their left edge:
		// the attempts panel takes the top two, the ratio panel the third.
		tiles := draw.Tiles{Rows: 3, Cols: 1, PadY: vg.Points(6), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{{p}, {p}, {r}}, tiles, dc)
		top := cs[0][0]
		top.Min.Y = cs[1][0].Min.Y
		p.Draw(top)
		r.Draw(cs[2][0])
	})
}

// ratioPlot is the attempts figure's lower panel: each difficulty's mean
// divided by the theory's 1/p, with its confidence interval, against 1 and
// the band in which the mean of that many draws falls if the theory holds.
func ratioPlot(pts []AttemptsPoint, conf float64) (*plot.Plot, error) {
	r := newPlot("", "", "mean ÷ (1/p)")
	r.X.Tick.Marker = intTicks{}
	var xy, bandLo, bandHi, one plotter.XYs
	var errs plotter.YErrors
	lo, hi := 1.0, 1.0
	for _, pt := range pts {
		x := float64(pt.Difficulty)
		e := 1 / pt.Probability
		m := pt.MeanAttempts / e
		xy = append(xy, plotter.XY{X: x, Y: m})
		cl, ch := m, m
		if pt.Trials >= 2 && pt.CIHigh > 0 {
			cl, ch = pt.CILow/e, pt.CIHigh/e
		}
		errs = append(errs, struct{ Low, High float64 }{m - cl, ch - m})
		lo, hi = math.Min(lo, cl), math.Max(hi, ch)
		if pt.TheoryMeanHigh > 0 {
			bandLo = append(bandLo, plotter.XY{X: x, Y: pt.TheoryMeanLow / e})
			bandHi = append(bandHi, plotter.XY{X: x, Y: pt.TheoryMeanHigh / e})
			lo, hi = math.Min(lo, pt.TheoryMeanLow/e), math.Max(hi, pt.TheoryMeanHigh/e)
		}
		one = append(one, plotter.XY{X: x, Y: 1})
	}
	l1, err := plotter.NewLine(one)
	if err != nil {
		return nil, err
	}
	l1.Color, l1.Width = colTheory, vg.Points(1.5)
	r.Add(l1)
	r.Legend.Add("theory", l1)
	if len(bandLo) > 0 {
		bl, err := plotter.NewLine(bandLo)
		if err != nil {
			return nil, err
		}
		bh, err := plotter.NewLine(bandHi)
		if err != nil {
			return nil, err
		}
		for _, l := range []*plotter.Line{bl, bh} {
			l.Color, l.Width, l.Dashes = colTheory, vg.Points(1), []vg.Length{vg.Points(2), vg.Points(3)}
		}
		r.Add(bl, bh)
		r.Legend.Add(fmt.Sprintf("theory %.0f%% range of a mean", 100*conf), bl)
	}
	eb, err := plotter.NewYErrorBars(errPoints{xy, errs})
	if err != nil {
		return nil, err
	}
	eb.Color, eb.Width, eb.CapWidth = colMeasured, vg.Points(1.6), vg.Points(8)
	ms, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, err
	}
	ms.GlyphStyle = glyph(colMeasured, vg.Points(3.5), draw.CircleGlyph{})
	r.Add(eb, ms)
	r.Legend.Add(fmt.Sprintf("measured mean ÷ 1/p, %.0f%% CI", 100*conf), ms)
	r.Legend.Top, r.Legend.Left = true, true
	r.Legend.XOffs, r.Legend.YOffs = vg.Points(8), vg.Points(-4)
	span := hi - lo
	r.Y.Min = math.Max(0, lo-0.1*span)
	r.Y.Max = hi + 0.9*span // the upper part holds the legend
	return r, nil
}

// PlotAttemptsSeconds draws seconds to the first solution against
// difficulty: every trial, the mean, and the time the geometric mean 1/p
// takes at the record's measured hashrate.
func PlotAttemptsSeconds(rec *Attempts, path string) error {
	pts := pointsWithData(rec)
	if len(pts) == 0 {
		return errors.New("plot seconds: the record has no trials")
	}
	rate := rec.AttemptsPerSec
	p := newPlot(
		fmt.Sprintf("Seconds to the first solution vs difficulty (%d trials each)\n%s",
			rec.TrialsPerDifficulty, envLine(rec.Header, rec.Kernel, rec.Workers)),
		scaleLabel(rec.Scale), "seconds to first solution (log scale)")
	p.X.Tick.Marker = intTicks{}
	const floor = 1e-7 // a trial is never faster than 0.1 µs
	var trials, means, proj plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		x := float64(pt.Difficulty)
		for i, s := range pt.Samples {
			v := math.Max(s.Seconds, floor)
			trials = append(trials, plotter.XY{X: x + jitter(i, len(pt.Samples)), Y: math.Log10(v)})
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		means = append(means, plotter.XY{X: x, Y: math.Log10(math.Max(pt.MeanSeconds, floor))})
		if rate > 0 {
			v := math.Max(1/pt.Probability/rate, floor)
			proj = append(proj, plotter.XY{X: x, Y: math.Log10(v)})
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	sc, err := plotter.NewScatter(trials)
	if err != nil {
		return fmt.Errorf("plot seconds: %w", err)
	}
	sc.GlyphStyle = glyph(colTrial, vg.Points(1.6), draw.CircleGlyph{})
	ms, err := plotter.NewScatter(means)
	if err != nil {
		return fmt.Errorf("plot seconds: %w", err)
	}
	ms.GlyphStyle = glyph(colMeasured, vg.Points(3.5), draw.CircleGlyph{})
	p.Add(sc, ms)
	p.Legend.Add("one trial", sc)
	p.Legend.Add("measured mean", ms)
	if len(proj) > 0 {
		l, err := plotter.NewLine(proj)
		if err != nil {
			return fmt.Errorf("plot seconds: %w", err)
		}
		l.Color, l.Width = colTheory, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("projected (1/p) ÷ %s attempts/s", HumanCount(rate)), l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-6)
	logAxis(p, lo, hi, 1)
	p.X.Min = float64(pts[0].Difficulty) - 0.5
	p.X.Max = float64(pts[len(pts)-1].Difficulty) + 0.5
	return savePlot(p, path)
}

// PlotBench draws a hashrate sweep as grouped bars: one group per kernel,
// one bar per worker count, in millions of attempts per second.
func PlotBench(rec *Bench, path string) error {
	if len(rec.Runs) == 0 {
		return errors.New("plot hashrate: the record has no runs")
	}
	var kernels []string
	var workers []int
	kSeen, wSeen := map[string]int{}, map[int]bool{}
	for _, r := range rec.Runs {
		if _, ok := kSeen[r.Kernel]; !ok {
			kSeen[r.Kernel] = len(kernels)
			kernels = append(kernels, r.Kernel)
		}
		if !wSeen[r.Workers] {
			wSeen[r.Workers] = true
			workers = append(workers, r.Workers)
		}
	}
	sort.Ints(workers)
	p := newPlot(
		fmt.Sprintf("Hashrate by kernel and workers (%s, %.3g s per run)\n%s",
			rec.Target, rec.DurationSeconds, envLine(rec.Header, "", 0)),
		"kernel", "million attempts per second")
	width := vg.Points(math.Min(60, 240/float64(len(workers))))
	var top float64
	for wi, w := range workers {
		vals := make(plotter.Values, len(kernels))
		for _, r := range rec.Runs {
			if r.Workers == w {
				vals[kSeen[r.Kernel]] = r.AttemptsPerSec / 1e6
				top = math.Max(top, r.AttemptsPerSec/1e6)
			}
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return fmt.Errorf("plot hashrate: %w", err)
		}
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(wi)
		bars.Offset = (vg.Length(wi) - vg.Length(len(workers)-1)/2) * width
		p.Add(bars)
		name := fmt.Sprintf("%d workers", w)
		if w == 1 {
			name = "1 worker"
		}
		p.Legend.Add(name, bars)
		// The value above each bar.
		var xys plotter.XYs
		var labels []string
		for ki := range kernels {
			if vals[ki] > 0 {
				xys = append(xys, plotter.XY{X: float64(ki), Y: vals[ki]})
				labels = append(labels, fmt.Sprintf("%.1f", vals[ki]))
			}
		}
		if len(xys) > 0 {
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
			if err != nil {
				return fmt.Errorf("plot hashrate: %w", err)
			}
			for i := range lb.TextStyle {
				lb.TextStyle[i].XAlign = draw.XCenter
				lb.TextStyle[i].Font.Size = vg.Points(10)
			}
			lb.Offset = vg.Point{X: bars.Offset, Y: vg.Points(3)}
			p.Add(lb)
		}
	}
	p.NominalX(kernels...)
	p.X.Min, p.X.Max = -0.6, float64(len(kernels))-0.4
	p.Y.Min, p.Y.Max = 0, math.Max(top*1.25, 1e-6)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-6)
	return savePlot(p, path)
}

// PlotBlockTime draws two panels over block height: the seconds since the
// previous block (with their mean and the retarget's aim, when known), and
// the difficulty each block was mined at (expected attempts, log scale).
func PlotBlockTime(rec *BlockTime, path string) error {
	if len(rec.Blocks) < 2 {
		return fmt.Errorf("plot blocktime: %d blocks, need at least 2", len(rec.Blocks))
	}
	top := newPlot(fmt.Sprintf("Block intervals and difficulty by height (%d blocks)\n%s", len(rec.Blocks), shortSource(rec.Source)),
		"", "seconds since previous block")
	var iv plotter.XYs
	for _, b := range rec.Blocks[1:] {
		iv = append(iv, plotter.XY{X: float64(b.Height), Y: b.IntervalSeconds})
	}
	l, s, err := plotter.NewLinePoints(iv)
	if err != nil {
		return fmt.Errorf("plot blocktime: %w", err)
	}
	l.Color, l.Width = colMeasured, vg.Points(1)
	s.GlyphStyle = glyph(colMeasured, vg.Points(2.2), draw.CircleGlyph{})
	top.Add(l, s)
	top.Legend.Add("interval", l, s)
	x0, x1 := float64(rec.Blocks[0].Height), float64(rec.Blocks[len(rec.Blocks)-1].Height)
	hline := func(y float64, c color.Color, dashed bool, name string) error {
		h, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
		if err != nil {
			return err
		}
		h.Color, h.Width = c, vg.Points(1.3)
		if dashed {
			h.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		top.Add(h)
		top.Legend.Add(name, h)
		return nil
	}
	if err := hline(rec.MeanIntervalSeconds, colMedian, true, fmt.Sprintf("mean %.3g s", rec.MeanIntervalSeconds)); err != nil {
		return fmt.Errorf("plot blocktime: %w", err)
	}
	if rec.TargetIntervalSeconds > 0 {
		if err := hline(rec.TargetIntervalSeconds, colTheory, false, fmt.Sprintf("target %.3g s", rec.TargetIntervalSeconds)); err != nil {
			return fmt.Errorf("plot blocktime: %w", err)
		}
	}
	top.Legend.Top = true
	top.Y.Min = math.Min(0, rec.MinIntervalSeconds) // clocks can step back
	top.Y.Max = rec.MaxIntervalSeconds * 1.45       // headroom for the legend
	if top.Y.Max <= 0 {
		top.Y.Max = 1
	}

	bottom := newPlot("", "block height", "difficulty: expected attempts")
	var dd plotter.XYs
	for _, b := range rec.Blocks {
		if b.Difficulty > 0 {
			dd = append(dd, plotter.XY{X: float64(b.Height), Y: math.Log10(b.Difficulty)})
		}
	}
	if len(dd) > 0 {
		dl, err := plotter.NewLine(dd)
		if err != nil {
			return fmt.Errorf("plot blocktime: %w", err)
		}
		dl.StepStyle = plotter.PostStep
		dl.Color, dl.Width = colTheory, vg.Points(1.5)
		bottom.Add(dl)
		bottom.Legend.Add("difficulty (1/p)", dl)
		dmin, dmax := math.Inf(1), math.Inf(-1)
		for _, d := range dd {
			dmin, dmax = math.Min(dmin, d.Y), math.Max(dmax, d.Y)
		}
		logAxis(bottom, math.Pow(10, dmin), math.Pow(10, dmax), 0)
		if bottom.Y.Max < dmax+0.3 {
			bottom.Y.Max++ // room for the legend
		}
	} else {
		bottom.Title.Text = "difficulty unknown for these blocks"
	}
	bottom.Legend.Top = true
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = x0, x1
		p.X.Tick.Marker = intTicks{}
	}
	return saveFigure(path, figWidth, figHeight*1.3, func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Points(4), PadY: vg.Points(10), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
		top.Draw(cs[0][0])
		bottom.Draw(cs[1][0])
	})
}

// shortSource is "store node1" for "store /long/path/node1".
func shortSource(src string) string {
	kind, path, ok := strings.Cut(src, " ")
	if !ok {
		return filepath.Base(src)
	}
	return kind + " " + filepath.Base(path)
}
