package daasim

import (
	"math"

	"github.com/powlab/powlab/results"
)

// BlockStat is one simulated block as the metrics see it.
type BlockStat struct {
	// Height counts the simulated blocks from 1 (the first block after the
	// genesis block, whatever the algorithm's FirstHeight), as the
	// scenarios and the record's heights do.
	Height uint64
	// SolveTicks is the time since the previous block in ticks (ms).
	SolveTicks int64
	// Difficulty is the block's expected hashes, 2^256/(target+1).
	Difficulty float64
	// Hashrate is the total hashrate (hashes/s) while it was mined.
	Hashrate float64
	// AttackOn is true when the attacker was mining (onoff); Attacker
	// when the attacker found this block.
	AttackOn, Attacker bool
}

// step is a change of hashrate whose settling the metrics time: from the
// block at height At until the block before End.
type step struct{ At, End uint64 }

// tally accumulates the metrics block by block in constant memory.
// metricsOf is its slow twin over a whole slice.
type tally struct {
	name       string
	tSec       float64 // T in seconds
	tTicks     float64 // T in ticks
	onoff      bool
	n          int
	mean, m2   float64 // Welford's running mean and sum of squares of solve ticks
	delays     int
	relErr     float64 // Σ |D/(H·T) − 1|
	sumD       float64
	attackerN  int
	sumDAttack float64
	steps      []settle
}

// settle follows one step: the run of in-band blocks and, once it has
// lasted SettleHold blocks, the settle time.
type settle struct {
	step
	run      int
	runStart uint64
	done     bool
	blocks   int
}

func newTally(name string, blockTimeTicks int64, onoff bool, steps []step) *tally {
	t := &tally{name: name, tSec: float64(blockTimeTicks) / 1000, tTicks: float64(blockTimeTicks), onoff: onoff}
	for _, s := range steps {
		t.steps = append(t.steps, settle{step: s})
	}
	return t
}

// add counts one block. Blocks come in height order.
func (t *tally) add(b BlockStat) {
	t.n++
	x := float64(b.SolveTicks)
	d := x - t.mean
	t.mean += d / float64(t.n)
	t.m2 += d * (x - t.mean)
	if x > DelayFactor*t.tTicks {
		t.delays++
	}
	rel := b.Difficulty / (b.Hashrate * t.tSec)
	t.relErr += math.Abs(rel - 1)
	t.sumD += b.Difficulty
	if b.Attacker {
		t.attackerN++
		t.sumDAttack += b.Difficulty
	}
	for i := range t.steps {
		s := &t.steps[i]
		if s.done || b.Height < s.At || b.Height >= s.End {
			continue
		}
		if math.Abs(rel-1) <= SettleBand {
			if s.run == 0 {
				s.runStart = b.Height
			}
			s.run++
			if s.run >= SettleHold {
				s.done, s.blocks = true, int(s.runStart-s.At)
			}
		} else {
			s.run = 0
		}
	}
}

// metrics are the results so far.
func (t *tally) metrics() (results.DAAMetrics, []*int) {
	m := results.DAAMetrics{Name: t.name}
	if t.n == 0 {
		return m, nil
	}
	n := float64(t.n)
	m.MeanSolvetimeRatio = t.mean / t.tTicks
	if t.n > 1 {
		m.SolvetimeSDRatio = math.Sqrt(t.m2/(n-1)) / t.tTicks
	}
	m.DelaysPct = 100 * float64(t.delays) / n
	m.DifficultyError = t.relErr / n
	if t.onoff {
		stolen := 0.0
		if t.attackerN > 0 {
			stolen = 100 * (1 - (t.sumDAttack/float64(t.attackerN))/(t.sumD/n))
		}
		share := 100 * float64(t.attackerN) / n
		m.StolenPct, m.AttackerBlocksPct = &stolen, &share
	}
	var each []*int
	if len(t.steps) > 0 {
		sum, all := 0, true
		for _, s := range t.steps {
			if !s.done {
				all = false
				each = append(each, nil)
				continue
			}
			v := s.blocks
			each = append(each, &v)
			sum += v
		}
		if all {
			mean := float64(sum) / float64(len(t.steps))
			m.SettleBlocks = &mean
		}
	}
	return m, each
}

// metricsOf computes the metrics of a whole run straight from their
// definitions: the slow, obviously correct twin of tally.
func metricsOf(name string, blockTimeTicks int64, onoff bool, steps []step, blocks []BlockStat) (results.DAAMetrics, []*int) {
	m := results.DAAMetrics{Name: name}
	n := len(blocks)
	if n == 0 {
		return m, nil
	}
	T := float64(blockTimeTicks)
	var sum, sumD, relErr float64
	delays := 0
	for _, b := range blocks {
		sum += float64(b.SolveTicks)
		sumD += b.Difficulty
		relErr += math.Abs(b.Difficulty/(b.Hashrate*T/1000) - 1)
		if float64(b.SolveTicks) > DelayFactor*T {
			delays++
		}
	}
	mean := sum / float64(n)
	m.MeanSolvetimeRatio = mean / T
	if n > 1 {
		var ss float64
		for _, b := range blocks {
			d := float64(b.SolveTicks) - mean
			ss += d * d
		}
		m.SolvetimeSDRatio = math.Sqrt(ss/float64(n-1)) / T
	}
	m.DelaysPct = 100 * float64(delays) / float64(n)
	m.DifficultyError = relErr / float64(n)
	if onoff {
		var att []float64
		for _, b := range blocks {
			if b.Attacker {
				att = append(att, b.Difficulty)
			}
		}
		stolen := 0.0
		if len(att) > 0 {
			var s float64
			for _, d := range att {
				s += d
			}
			stolen = 100 * (1 - (s/float64(len(att)))/(sumD/float64(n)))
		}
		share := 100 * float64(len(att)) / float64(n)
		m.StolenPct, m.AttackerBlocksPct = &stolen, &share
	}
	if len(steps) == 0 {
		return m, nil
	}
	var each []*int
	total, all := 0, true
	for _, s := range steps {
		// The first height k in [At, End) from which SettleHold blocks in a
		// row (all within the phase) are in the band.
		var found *int
		for k := s.At; k+SettleHold <= s.End && found == nil; k++ {
			ok := true
			for j := k; j < k+SettleHold; j++ {
				b, have := blockAt(blocks, j)
				if !have || math.Abs(b.Difficulty/(b.Hashrate*T/1000)-1) > SettleBand {
					ok = false
					break
				}
			}
			if ok {
				v := int(k - s.At)
				found = &v
			}
		}
		each = append(each, found)
		if found == nil {
			all = false
		} else {
			total += *found
		}
	}
	if all {
		mean := float64(total) / float64(len(steps))
		m.SettleBlocks = &mean
	}
	return m, each
}

func blockAt(blocks []BlockStat, h uint64) (BlockStat, bool) {
	for _, b := range blocks {
		if b.Height == h {
			return b, true
		}
	}
	return BlockStat{}, false
}

// series accumulates the downsampled chart data.
type series struct {
	bucket   int // blocks per point
	tSec     float64
	tTicks   float64
	onoff    bool
	rel      []float64 // sums, then means
	on       []float64
	count    []int
	hist     []int
	histOver int
	details  []detail
}

// detail accumulates one close-up: blocks from..to in buckets.
type detail struct {
	from, to uint64
	bucket   int
	rel, on  []float64
	count    []int
}

func newDetail(from, to uint64, maxPoints int) detail {
	n := int(to - from + 1)
	b := (n + maxPoints - 1) / maxPoints
	pts := (n + b - 1) / b
	return detail{from: from, to: to, bucket: b, rel: make([]float64, pts), on: make([]float64, pts), count: make([]int, pts)}
}

func newSeries(blocks, maxPoints int, blockTimeTicks int64, onoff bool) *series {
	b := (blocks + maxPoints - 1) / maxPoints
	pts := (blocks + b - 1) / b
	s := &series{bucket: b, tSec: float64(blockTimeTicks) / 1000, tTicks: float64(blockTimeTicks), onoff: onoff,
		rel: make([]float64, pts), count: make([]int, pts), hist: make([]int, HistBins)}
	if onoff {
		s.on = make([]float64, pts)
	}
	return s
}

func (s *series) add(b BlockStat) {
	i := int((b.Height - 1) / uint64(s.bucket))
	if i >= len(s.rel) {
		return
	}
	s.rel[i] += b.Difficulty / (b.Hashrate * s.tSec)
	s.count[i]++
	if s.onoff && b.AttackOn {
		s.on[i]++
	}
	for k := range s.details {
		d := &s.details[k]
		if b.Height < d.from || b.Height > d.to {
			continue
		}
		j := int(b.Height-d.from) / d.bucket
		d.rel[j] += b.Difficulty / (b.Hashrate * s.tSec)
		d.count[j]++
		if b.AttackOn {
			d.on[j]++
		}
	}
	bin := b.SolveTicks * histBinsPerT / int64(s.tTicks)
	if bin >= 0 && bin < HistBins {
		s.hist[bin]++
	} else {
		s.histOver++
	}
}

// fill writes the means of the buckets that have blocks into r.
func (s *series) fill(r *results.DAASeries) {
	r.BucketBlocks = s.bucket
	pts := 0
	for pts < len(s.count) && s.count[pts] > 0 {
		pts++
	}
	r.RelDifficulty = make([]float64, pts)
	for i := range pts {
		r.RelDifficulty[i] = round4(s.rel[i] / float64(s.count[i]))
	}
	if s.onoff {
		r.AttackShare = make([]float64, pts)
		inRun := false
		for i := range pts {
			r.AttackShare[i] = round4(s.on[i] / float64(s.count[i]))
			from, to := uint64(i*s.bucket+1), uint64(i*s.bucket+s.count[i])
			switch {
			case r.AttackShare[i] >= 0.5 && inRun:
				r.AttackPeriods[len(r.AttackPeriods)-1].To = to
			case r.AttackShare[i] >= 0.5:
				r.AttackPeriods = append(r.AttackPeriods, results.HeightRange{From: from, To: to})
				inRun = true
			default:
				inRun = false
			}
		}
	}
	r.SolveHist = results.Histogram{BinWidth: HistBinWidth, Counts: append([]int(nil), s.hist...), Over: s.histOver}
	r.Details = nil
	for _, d := range s.details {
		out := results.DAADetail{From: d.from, BucketBlocks: d.bucket}
		for j := 0; j < len(d.count) && d.count[j] > 0; j++ {
			out.RelDifficulty = append(out.RelDifficulty, round4(d.rel[j]/float64(d.count[j])))
			if s.onoff {
				out.AttackShare = append(out.AttackShare, round4(d.on[j]/float64(d.count[j])))
			}
		}
		if len(out.RelDifficulty) > 0 {
			r.Details = append(r.Details, out)
		}
	}
}

// round4 keeps four decimals of a chart value: far below a pixel, and the
// record stays small.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
