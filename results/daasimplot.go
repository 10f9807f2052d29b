package results

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SolveTimesPath is the path of the solve-time chart drawn next to a
// difficulty-simulation chart: sim.png → sim-solvetimes.png.
func SolveTimesPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-solvetimes" + ext
}

// algoColors tell up to ten algorithms apart (the widely used "tab10"
// palette, chosen to stay distinct for most colour-blind readers in
// print); further algorithms reuse them with dashes.
var algoColors = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, color.RGBA{0xbc, 0xbd, 0x22, 0xff},
	color.RGBA{0x17, 0xbe, 0xcf, 0xff},
}

func styleAlgoLine(l *plotter.Line, i int) {
	l.Color = algoColors[i%len(algoColors)]
	l.Width = vg.Points(1.4)
	if i >= len(algoColors) {
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
}

// ScenarioLine describes a simulation's scenario in words, for titles.
func (s DAASimSpec) ScenarioLine() string {
	switch s.Scenario {
	case "step":
		return fmt.Sprintf("step: hashrate ×%g at block %d, back at %d", s.StepFactor, s.StepAt, s.StepBack)
	case "onoff":
		return fmt.Sprintf("onoff: an attacker with %g× the hashrate mines while the difficulty is below its %d-block mean", s.AttackHashrate, s.AttackWindow)
	case "ramp":
		return fmt.Sprintf("ramp: hashrate ×%g over the run", s.RampFactor)
	}
	return "steady hashrate"
}

// RunLine is "100000 blocks, T = 10m0s, seed 1".
func (s DAASimSpec) RunLine() string {
	return fmt.Sprintf("%d blocks, T = %s, seed %d", s.Blocks, time.Duration(s.BlockTimeMs)*time.Millisecond, s.Seed)
}

// Sizes of the difficulty-simulation charts.
const (
	daaChartWidth  = 10 * vg.Inch
	daaChartHeight = 6 * vg.Inch
)

// bucketX is the middle height of series point i.
func bucketX(s DAASeries, i int) float64 {
	from := i*s.BucketBlocks + 1
	to := min((i+1)*s.BucketBlocks, s.Blocks)
	return float64(from+to) / 2
}

// DAASimDifficultyPlot draws each algorithm's difficulty ÷ (hashrate × T)
// by height against the ideal 1, with the scenario's step heights marked.
func DAASimDifficultyPlot(rec *DAASim) (*plot.Plot, error) {
	if len(rec.Series) == 0 {
		return nil, errors.New("difficulty chart: the record has no algorithms")
	}
	sp := rec.Spec
	p := newPlot(fmt.Sprintf("Difficulty relative to the true hashrate × T\n%s (%s)", sp.ScenarioLine(), sp.RunLine()),
		"block height", "difficulty ÷ (hashrate × T)")
	// An interrupted run's axis ends at the last block simulated.
	last := 1
	for _, s := range rec.Series {
		last = max(last, s.Blocks)
	}
	hi, xMax := 1.0, float64(last)
	ideal, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 1}, {X: xMax, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("difficulty chart: %w", err)
	}
	ideal.Color, ideal.Width, ideal.Dashes = color.Black, vg.Points(1), []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(ideal)
	lines := make([]plot.Plotter, len(rec.Series))
	for i, s := range rec.Series {
		if len(s.RelDifficulty) == 0 {
			continue
		}
		l, err := relLine(s, i)
		if err != nil {
			return nil, fmt.Errorf("difficulty chart: %w", err)
		}
		for _, v := range s.RelDifficulty {
			hi = math.Max(hi, v)
		}
		lines[i] = l
		p.Legend.Add(s.Name, l)
		if s.BucketBlocks > 1 {
			p.Y.Label.Text = fmt.Sprintf("difficulty ÷ (hashrate × T), means of %d blocks", s.BucketBlocks)
		}
	}
	for _, i := range noisiestFirst(rec) {
		if lines[i] != nil {
			p.Add(lines[i])
		}
	}
	p.Legend.Add("ideal: difficulty = hashrate × T", ideal)
	top := hi * 1.55 // the upper third holds the legend
	if sp.Scenario == "step" {
		for _, h := range []int{sp.StepAt, sp.StepBack} {
			v, err := plotter.NewLine(plotter.XYs{{X: float64(h), Y: 0}, {X: float64(h), Y: top}})
			if err != nil {
				return nil, fmt.Errorf("difficulty chart: %w", err)
			}
			v.Color, v.Width, v.Dashes = color.Gray{Y: 120}, vg.Points(0.8), []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(v)
		}
	}
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, top
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(-6), vg.Points(-6)
	return p, nil
}

// relLine is series s's difficulty ÷ (hashrate × T) by height, in
// algorithm i's style.
func relLine(s DAASeries, i int) (*plotter.Line, error) {
	xy := make(plotter.XYs, len(s.RelDifficulty))
	for k, v := range s.RelDifficulty {
		xy[k] = plotter.XY{X: bucketX(s, k), Y: v}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	styleAlgoLine(l, i)
	return l, nil
}

// detailLine is a close-up's difficulty ÷ (hashrate × T) by height, in
// algorithm i's style.
func detailLine(d DAADetail, i int) (*plotter.Line, error) {
	xy := make(plotter.XYs, len(d.RelDifficulty))
	for k, v := range d.RelDifficulty {
		xy[k] = plotter.XY{X: float64(d.From) + float64(k*d.BucketBlocks) + float64(d.BucketBlocks-1)/2, Y: v}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, err
	}
	styleAlgoLine(l, i)
	return l, nil
}

// niceTop rounds a chart's upper bound up to a multiple of 0.5 (of 1 past 4).
func niceTop(v float64) float64 {
	step := 0.5
	if v > 4 {
		step = 1
	}
	return math.Ceil(v/step) * step
}

// blankTicks keeps an axis's ticks but drops their labels (stacked panels
// label only the bottom axis).
type blankTicks struct{ plot.Ticker }

func (b blankTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := b.Ticker.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// DAASimOnOffPanels draws the onoff difficulty chart: one panel per
// algorithm, stacked over the run's close-up (block by block): its
// difficulty ÷ (hashrate × T) against the ideal 1, over a shading of the
// blocks its attacker mined.
func DAASimOnOffPanels(rec *DAASim) ([]*plot.Plot, error) {
	if len(rec.Series) == 0 {
		return nil, errors.New("difficulty chart: the record has no algorithms")
	}
	sp := rec.Spec
	hi := 1.0
	var from, to uint64
	for _, s := range rec.Series {
		for _, d := range s.Details {
			f, t := d.Heights()
			if from == 0 || f < from {
				from = f
			}
			to = max(to, t)
			for _, v := range d.RelDifficulty {
				hi = math.Max(hi, v)
			}
		}
	}
	if to == 0 {
		return nil, errors.New("difficulty chart: the onoff record has no close-up")
	}
	top := niceTop(hi * 1.05)
	var out []*plot.Plot
	for i, s := range rec.Series {
		title := ""
		if i == 0 {
			title = fmt.Sprintf("Difficulty relative to the true hashrate × T, blocks %d to %d; shaded: the attacker mining\n%s (%s)",
				from, to, sp.ScenarioLine(), sp.RunLine())
		}
		p := newPlot(title, "", s.Name)
		p.Y.Label.TextStyle.Font.Size = vg.Points(11)
		if i == len(rec.Series)-1 {
			p.X.Label.Text = "block height"
		} else {
			p.X.Tick.Marker = blankTicks{plot.DefaultTicks{}}
		}
		sh := spans{col: shade(i)}
		ideal, err := plotter.NewLine(plotter.XYs{{X: float64(from), Y: 1}, {X: float64(to), Y: 1}})
		if err != nil {
			return nil, fmt.Errorf("difficulty chart: %w", err)
		}
		ideal.Color, ideal.Width, ideal.Dashes = color.Black, vg.Points(0.8), []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(&sh, ideal)
		for _, d := range s.Details {
			// Runs of points with the attacker on become one span, so
			// neighbours leave no hairline gap between them.
			for k := 0; k < len(d.AttackShare); k++ {
				if d.AttackShare[k] < 0.5 {
					continue
				}
				j := k
				for j+1 < len(d.AttackShare) && d.AttackShare[j+1] >= 0.5 {
					j++
				}
				x0 := float64(d.From) + float64(k*d.BucketBlocks)
				x1 := float64(d.From) + float64((j+1)*d.BucketBlocks)
				sh.add(span{from: x0 - 0.5, to: x1 - 0.5})
				k = j
			}
			l, err := detailLine(d, i)
			if err != nil {
				return nil, fmt.Errorf("difficulty chart: %s: %w", s.Name, err)
			}
			p.Add(l)
		}
		p.X.Min, p.X.Max = float64(from)-0.5, float64(to)+0.5
		p.Y.Min, p.Y.Max = 0, top
		out = append(out, p)
	}
	return out, nil
}

// DAASimStepPanels draws the close-ups of a step run: one panel per step,
// every algorithm's difficulty ÷ (hashrate × T) from a little before the
// step to well after it.
func DAASimStepPanels(rec *DAASim) ([]*plot.Plot, error) {
	n := 0
	for _, s := range rec.Series {
		n = max(n, len(s.Details))
	}
	if n == 0 {
		return nil, errors.New("difficulty chart: the step record has no close-ups")
	}
	sp := rec.Spec
	var out []*plot.Plot
	for k := range n {
		at, what := sp.StepAt, fmt.Sprintf("×%g", sp.StepFactor)
		if k == 1 {
			at, what = sp.StepBack, "back to ×1"
		}
		p := newPlot(fmt.Sprintf("Close-up: hashrate %s at block %d", what, at), "block height", "")
		if k == 0 {
			p.Y.Label.Text = "difficulty ÷ (hashrate × T)"
		}
		hi := 1.0
		var from, to uint64
		lines := make([]plot.Plotter, len(rec.Series))
		for i, s := range rec.Series {
			if k >= len(s.Details) {
				continue
			}
			d := s.Details[k]
			f, t := d.Heights()
			if from == 0 || f < from {
				from = f
			}
			to = max(to, t)
			for _, v := range d.RelDifficulty {
				hi = math.Max(hi, v)
			}
			l, err := detailLine(d, i)
			if err != nil {
				return nil, fmt.Errorf("difficulty chart: %s: %w", s.Name, err)
			}
			lines[i] = l
		}
		for _, i := range noisiestFirst(rec) {
			if lines[i] != nil {
				p.Add(lines[i])
			}
		}
		ideal, err := plotter.NewLine(plotter.XYs{{X: float64(from), Y: 1}, {X: float64(to), Y: 1}})
		if err != nil {
			return nil, fmt.Errorf("difficulty chart: %w", err)
		}
		ideal.Color, ideal.Width, ideal.Dashes = color.Black, vg.Points(0.8), []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(ideal)
		mark, err := plotter.NewLine(plotter.XYs{{X: float64(at), Y: 0}, {X: float64(at), Y: 1e9}})
		if err != nil {
			return nil, fmt.Errorf("difficulty chart: %w", err)
		}
		mark.Color, mark.Width, mark.Dashes = color.Gray{Y: 120}, vg.Points(0.8), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(mark)
		p.X.Min, p.X.Max = float64(from), float64(to)
		p.Y.Min, p.Y.Max = 0, niceTop(hi*1.05)
		out = append(out, p)
	}
	return out, nil
}

// shade is a light tint of algorithm i's colour.
func shade(i int) color.Color {
	r, g, b, _ := algoColors[i%len(algoColors)].RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8)*30/100 + 255*70/100) }
	return color.RGBA{mix(r), mix(g), mix(b), 0xff}
}

// span is one shaded height range.
type span struct{ from, to float64 }

// spans shades height ranges over the full height of a plot.
type spans struct {
	ranges []span
	col    color.Color
}

func (s *spans) add(r span) { s.ranges = append(s.ranges, r) }

// Plot implements plot.Plotter.
func (s *spans) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, r := range s.ranges {
		x0, x1 := trX(r.from), trX(r.to)
		if x1-x0 < vg.Points(0.5) { // keep the shortest periods visible
			x1 = x0 + vg.Points(0.5)
		}
		c.FillPolygon(s.col, c.ClipPolygonXY([]vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}))
	}
}

// DAASimSolveTimePlot draws each algorithm's complementary CDF of solve
// time ÷ T, P(solve time > x·T) on a log scale, with the exponential law
// e^−x that a perfectly tracked hashrate gives.
func DAASimSolveTimePlot(rec *DAASim) (*plot.Plot, error) {
	if len(rec.Series) == 0 {
		return nil, errors.New("solve-time chart: the record has no algorithms")
	}
	sp := rec.Spec
	p := newPlot(fmt.Sprintf("Solve times against the exponential law\n%s (%s)", sp.ScenarioLine(), sp.RunLine()),
		"solve time ÷ T", "share of blocks slower than that (log scale)")
	p.Y.Tick.Marker = log10Ticks{}
	p.X.Tick.Marker = intTicks{}
	lo, xMax := 1.0, 4.0
	var lines []plot.Plotter
	for i, s := range rec.Series {
		h := s.SolveHist
		n := h.Total()
		if n == 0 || h.BinWidth <= 0 {
			continue
		}
		// P(X > edge k) = the counts in bins k and above, plus overflow.
		above := h.Over
		xy := make(plotter.XYs, 0, len(h.Counts)+1)
		for k := len(h.Counts); k >= 0; k-- {
			if k < len(h.Counts) {
				above += h.Counts[k]
			}
			if above == 0 {
				continue
			}
			f := float64(above) / float64(n)
			xy = append(xy, plotter.XY{X: float64(k) * h.BinWidth, Y: math.Log10(f)})
			lo = math.Min(lo, f)
			xMax = math.Max(xMax, float64(k)*h.BinWidth)
		}
		for a, b := 0, len(xy)-1; a < b; a, b = a+1, b-1 {
			xy[a], xy[b] = xy[b], xy[a]
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("solve-time chart: %s: %w", s.Name, err)
		}
		styleAlgoLine(l, i)
		lines = append(lines, l)
		p.Legend.Add(s.Name, l)
	}
	xMax = math.Min(xMax+0.5, 20)
	var th plotter.XYs
	for x := 0.0; x <= xMax; x += 0.1 {
		if x > -math.Log(lo)+1 { // stop a decade below the data
			break
		}
		th = append(th, plotter.XY{X: x, Y: -x / math.Ln10})
	}
	theory, err := plotter.NewLine(th)
	if err != nil {
		return nil, fmt.Errorf("solve-time chart: %w", err)
	}
	theory.Color, theory.Width, theory.Dashes = color.Black, vg.Points(1.6), []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(theory) // under the data
	for _, l := range lines {
		p.Add(l)
	}
	p.Legend.Add("exponential law e^−x (hashrate tracked perfectly)", theory)
	logAxis(p, lo, 1, 0)
	p.X.Min, p.X.Max = 0, xMax
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(-6), vg.Points(-6)
	return p, nil
}

// WriteDAASimCharts draws a simulation's two charts: the difficulty chart
// at path (in onoff one panel per algorithm, its attacker's periods
// shaded) and the solve-time chart at SolveTimesPath(path), PNG or SVG by
// extension.
func WriteDAASimCharts(rec *DAASim, path string) (solvePath string, err error) {
	if err := CheckFigurePath(path); err != nil {
		return "", err
	}
	if err := writeDifficultyChart(rec, path); err != nil {
		return "", err
	}
	sp, err := DAASimSolveTimePlot(rec)
	if err != nil {
		return "", err
	}
	solvePath = SolveTimesPath(path)
	if err := saveFigure(solvePath, daaChartWidth, daaChartHeight, sp.Draw); err != nil {
		return "", err
	}
	return solvePath, nil
}

func writeDifficultyChart(rec *DAASim, path string) error {
	switch rec.Spec.Scenario {
	case "onoff":
		panels, err := DAASimOnOffPanels(rec)
		if err != nil {
			return err
		}
		// The first panel also holds the title and the last the axis label.
		wt := make([]float64, len(panels))
		for i := range wt {
			wt[i] = 1
		}
		wt[0] += 0.35
		wt[len(wt)-1] += 0.3
		ht := vg.Length(max(5, 1.4+1.25*float64(len(panels)))) * vg.Inch
		return saveFigure(path, daaChartWidth, ht, func(dc draw.Canvas) { stack(dc, panels, wt) })
	case "step":
		over, err := DAASimDifficultyPlot(rec)
		if err != nil {
			return err
		}
		close, err := DAASimStepPanels(rec)
		if err != nil {
			return err
		}
		return saveFigure(path, daaChartWidth, daaChartHeight*1.6, func(dc draw.Canvas) {
			h := dc.Max.Y - dc.Min.Y
			upper, lower := dc, dc
			upper.Min.Y = dc.Max.Y - h*0.58
			lower.Max.Y = upper.Min.Y - vg.Points(8)
			cs := plot.Align([][]*plot.Plot{close}, draw.Tiles{Rows: 1, Cols: len(close), PadX: vg.Points(14),
				PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(6), PadRight: vg.Points(12)}, lower)
			stack(upper, []*plot.Plot{over}, []float64{1})
			for i, p := range close {
				p.Draw(cs[0][i])
			}
		})
	}
	p, err := DAASimDifficultyPlot(rec)
	if err != nil {
		return err
	}
	return saveFigure(path, daaChartWidth, daaChartHeight, p.Draw)
}

// stack draws plots one above the other, the first at the top, each taking
// a share of the height proportional to its weight, with their data areas'
// left and right edges aligned.
func stack(dc draw.Canvas, plots []*plot.Plot, weights []float64) {
	pad := vg.Points(6)
	dc = draw.Crop(dc, pad, -2*pad, pad, -pad)
	var total float64
	for _, w := range weights {
		total += w
	}
	h := dc.Max.Y - dc.Min.Y
	cs := make([]draw.Canvas, len(plots))
	y := dc.Max.Y
	for i := range plots {
		c := dc
		c.Max.Y = y
		y -= h * vg.Length(weights[i]/total)
		c.Min.Y = y
		cs[i] = c
	}
	// The widest left and right margins of any plot, then every plot
	// cropped to them.
	var left, right vg.Length
	for i, p := range plots {
		d := p.DataCanvas(cs[i])
		left = max(left, d.Min.X-cs[i].Min.X)
		right = max(right, cs[i].Max.X-d.Max.X)
	}
	for i, p := range plots {
		d := p.DataCanvas(cs[i])
		c := draw.Crop(cs[i], left-(d.Min.X-cs[i].Min.X), -(right - (cs[i].Max.X - d.Max.X)), 0, 0)
		p.Draw(c)
	}
}

// noisiestFirst orders the series by falling difficulty error, so the
// calmer lines are drawn last, on top of the noisy ones.
func noisiestFirst(rec *DAASim) []int {
	errOf := map[string]float64{}
	for _, m := range rec.Algos {
		errOf[m.Name] = m.DifficultyError
	}
	order := make([]int, len(rec.Series))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return errOf[rec.Series[order[a]].Name] > errOf[rec.Series[order[b]].Name]
	})
	return order
}
