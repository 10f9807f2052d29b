package daasim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/results"
)

// CompareConfig is a real run of one difficulty algorithm (from a
// `powlab net --daa` record) to set beside the simulator.
type CompareConfig struct {
	// Algo, Window and HalfLife are the algorithm and its parameters as
	// the real chains held them; BlockTime is T.
	Algo      string
	Window    uint64
	HalfLife  time.Duration
	BlockTime time.Duration
	// Solvetimes are the real run's block intervals in seconds, in chain
	// order.
	Solvetimes []float64
	// InitialRatio is the first block's difficulty ÷ (hashrate × T).
	InitialRatio float64
	// Difficulties, if given, are the real blocks' difficulties (expected
	// attempts), one per solve time, for the difficulty-by-block chart.
	Difficulties []float64
	// StepAt, StepBack and StepFactor, when StepFactor is set, are a step
	// in hashrate as the simulator's step scenario has it: ×StepFactor for
	// the compared blocks StepAt to StepBack−1 (counted from 1).
	StepAt, StepBack int
	StepFactor       float64
	// Hashrate and Source are recorded.
	Hashrate float64
	Source   string
	// Runs is the number of simulated runs (default DefaultCompareRuns).
	Runs int
	Seed uint64
	// Command is recorded in the header.
	Command []string
}

// DefaultCompareRuns is how many simulated runs a comparison draws.
const DefaultCompareRuns = 400

// minCompareBlocks is the fewest solve times a comparison takes.
const minCompareBlocks = 10

// bootstrapResamples estimate the real SD's interval.
const bootstrapResamples = 2000

// Compare runs the simulator Runs times with the real run's algorithm,
// parameters, block count and starting difficulty under its hashrate
// (steady, or the step of StepFactor),
// and sets the real run's mean and SD of solve times (÷ T) beside the
// distribution of the same statistics over the simulated runs. Each
// simulated run uses seed Seed+k, so the record is the same for a seed.
func Compare(ctx context.Context, cfg CompareConfig) (*results.DAACompare, error) {
	n := len(cfg.Solvetimes)
	if n < minCompareBlocks {
		return nil, fmt.Errorf("%w: %d solve times; a comparison needs at least %d", ErrConfig, n, minCompareBlocks)
	}
	if cfg.Runs == 0 {
		cfg.Runs = DefaultCompareRuns
	}
	if cfg.Runs < 20 || cfg.Runs > 100000 {
		return nil, fmt.Errorf("%w: --runs %d: want 20 to 100000", ErrConfig, cfg.Runs)
	}
	T := cfg.BlockTime.Seconds()
	if !(T > 0) {
		return nil, fmt.Errorf("%w: block time %s", ErrConfig, cfg.BlockTime)
	}
	real := make([]float64, n)
	for i, s := range cfg.Solvetimes {
		if !(s >= 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%w: solve time %d is %g s", ErrConfig, i+1, s)
		}
		real[i] = s / T
	}
	rec := &results.DAACompare{
		Header: results.NewHeader(results.KindDAACompare, cfg.Command),
		Source: cfg.Source, Algo: cfg.Algo, Window: cfg.Window, HalfLifeSeconds: cfg.HalfLife.Seconds(),
		BlockTimeSeconds: T, Hashrate: cfg.Hashrate, InitialRatio: cfg.InitialRatio,
		Blocks: n, Runs: cfg.Runs, Seed: cfg.Seed, RealSolve: real,
	}
	rec.Real = realStats(real, cfg.Seed)

	sc := Config{Algos: []string{cfg.Algo}, Scenario: Steady, Blocks: n, BlockTime: cfg.BlockTime,
		HalfLife: cfg.HalfLife, InitialRatio: cfg.InitialRatio}
	if cfg.StepFactor > 0 {
		sc.Scenario, sc.StepAt, sc.StepBack, sc.StepFactor = Step, cfg.StepAt, cfg.StepBack, cfg.StepFactor
		rec.StepAt, rec.StepBack, rec.StepFactor = cfg.StepAt, cfg.StepBack, cfg.StepFactor
	}
	if cfg.Window > 0 {
		sc.Windows = map[string]uint64{cfg.Algo: cfg.Window}
	}
	var pooled []float64
	rel := make([][]float64, n) // rel[block][run]
	for k := range cfg.Runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		run := sc
		run.Seed = cfg.Seed + uint64(k)
		solve := make([]float64, 0, n)
		run.OnBlock = func(_ string, b BlockStat) {
			if i := len(solve); i < n {
				rel[i] = append(rel[i], b.Difficulty/(b.Hashrate*T))
			}
			solve = append(solve, float64(b.SolveTicks)/1000/T)
		}
		if _, err := Run(ctx, run); err != nil {
			return nil, err
		}
		rec.SimMeans = append(rec.SimMeans, bench.Mean(solve))
		rec.SimSDs = append(rec.SimSDs, bench.SampleSD(solve))
		pooled = append(pooled, solve...)
	}
	rec.Sim = results.DAACompareStat{
		Mean: bench.Median(rec.SimMeans), MeanLow: bench.Percentile(rec.SimMeans, 0.025), MeanHigh: bench.Percentile(rec.SimMeans, 0.975),
		SD: bench.Median(rec.SimSDs), SDLow: bench.Percentile(rec.SimSDs, 0.025), SDHigh: bench.Percentile(rec.SimSDs, 0.975),
	}
	rec.MeanAgrees = rec.Real.Mean >= rec.Sim.MeanLow && rec.Real.Mean <= rec.Sim.MeanHigh
	rec.SDAgrees = rec.Real.SD >= rec.Sim.SDLow && rec.Real.SD <= rec.Sim.SDHigh
	slices.Sort(pooled)
	rec.KS = ksTwoSample(real, pooled)
	rec.KSP = bench.KSPValue(rec.KS, effectiveN(n, len(pooled)))
	rec.SimCCDF = ccdfPoints(pooled, 200)
	rec.SimRel = make([]results.DAARelPoint, n)
	for i, r := range rel {
		rec.SimRel[i] = results.DAARelPoint{Median: bench.Median(r), Low: bench.Percentile(r, 0.025), High: bench.Percentile(r, 0.975)}
	}
	if len(cfg.Difficulties) == n {
		for i, d := range cfg.Difficulties {
			rate := cfg.Hashrate
			if cfg.StepFactor > 0 && i+1 >= cfg.StepAt && i+1 < cfg.StepBack {
				rate *= cfg.StepFactor
			}
			rec.RealRel = append(rec.RealRel, d/(rate*T))
		}
	}
	return rec, nil
}

// realStats are the real run's mean and SD of solve times with 95%
// intervals: Student's t for the mean, a seeded percentile bootstrap for
// the SD (solve times are far from normal, so the chi-square interval
// would be too narrow).
func realStats(x []float64, seed uint64) results.DAACompareStat {
	s := results.DAACompareStat{Mean: bench.Mean(x), SD: bench.SampleSD(x)}
	s.MeanLow, s.MeanHigh = bench.MeanCI(x, 0.95)
	rng := rand.New(rand.NewPCG(seed, 0x626f6f7473747270)) // "bootstrp"
	sds := make([]float64, bootstrapResamples)
	re := make([]float64, len(x))
	for i := range sds {
		for j := range re {
			re[j] = x[rng.IntN(len(x))]
		}
		sds[i] = bench.SampleSD(re)
	}
	s.SDLow, s.SDHigh = bench.Percentile(sds, 0.025), bench.Percentile(sds, 0.975)
	return s
}

// ksTwoSample is the largest gap between the empirical CDFs of a and of
// sorted b.
func ksTwoSample(a, sortedB []float64) float64 {
	sa := slices.Clone(a)
	slices.Sort(sa)
	var d float64
	i, j := 0, 0
	for i < len(sa) && j < len(sortedB) {
		x := min(sa[i], sortedB[j])
		for i < len(sa) && sa[i] <= x {
			i++
		}
		for j < len(sortedB) && sortedB[j] <= x {
			j++
		}
		d = max(d, math.Abs(float64(i)/float64(len(sa))-float64(j)/float64(len(sortedB))))
	}
	return d
}

// effectiveN is the sample size of the two-sample KS test's p-value.
func effectiveN(n, m int) int { return int(math.Round(float64(n) * float64(m) / float64(n+m))) }

// ccdfPoints samples the share of sorted values above x at up to k points.
func ccdfPoints(sorted []float64, k int) []results.XYPoint {
	if len(sorted) == 0 {
		return nil
	}
	hi := sorted[len(sorted)-1]
	out := make([]results.XYPoint, 0, k+1)
	for i := 0; i <= k; i++ {
		x := hi * float64(i) / float64(k)
		above := len(sorted) - bench.CountAtMost(sorted, x)
		if above == 0 {
			break
		}
		out = append(out, results.XYPoint{X: x, Y: float64(above) / float64(len(sorted))})
	}
	return out
}

// CompareFromNet reads a real run from a `powlab net --daa` record: the
// algorithm, its parameters, the hashrate (the miners' caps where all are
// capped, else the measured total), the solve times (the intervals between
// the best chain's blocks as the nodes mined them, from the second block
// on: the first one's search began with the nodes' start) and the
// difficulty the first compared block was mined at.
func CompareFromNet(rec *results.Net, source string) (CompareConfig, error) {
	var c CompareConfig
	d := rec.Config.DAA
	if d == nil {
		return c, fmt.Errorf("%s: the network ran at a fixed target; record one with powlab net --daa NAME", source)
	}
	blocks := slices.Clone(rec.Blocks)
	slices.SortFunc(blocks, func(a, b results.NetBlock) int { return a.Height - b.Height })
	if len(blocks) < minCompareBlocks+1 {
		return c, fmt.Errorf("%s: %d blocks; a comparison needs at least %d", source, len(blocks), minCompareBlocks+1)
	}
	rate := rec.TotalRateCap
	if !(rate > 0) {
		rate = rec.TotalRate
	}
	T := d.BlockTimeSeconds
	if !(rate > 0) || !(T > 0) {
		return c, fmt.Errorf("%s: no hashrate or block time in the record", source)
	}
	c = CompareConfig{Algo: d.Name, Window: d.Window, HalfLife: time.Duration(d.HalfLifeSeconds * float64(time.Second)),
		BlockTime: time.Duration(T * float64(time.Second)), Hashrate: rate, Source: source,
		InitialRatio: blocks[1].Difficulty / (rate * T)}
	switch steps := rec.Config.RateSteps; {
	case len(steps) == 0:
	case len(steps) == 2 && steps[1].Factor == 1:
		// Once the best chain reached height H the miners mined block H+1
		// on at the new rate: compared block k is the real block k+1, so
		// the step starts at compared block H.
		c.StepAt, c.StepBack, c.StepFactor = steps[0].Height, steps[1].Height, steps[0].Factor
	default:
		return c, fmt.Errorf("%s: rate steps %v: a comparison takes one step and back (HEIGHT:F,HEIGHT2:1)", source, steps)
	}
	for i := 1; i < len(blocks); i++ {
		if blocks[i].Height != blocks[i-1].Height+1 {
			return c, fmt.Errorf("%s: block %d follows block %d", source, blocks[i].Height, blocks[i-1].Height)
		}
		c.Solvetimes = append(c.Solvetimes, blocks[i].At-blocks[i-1].At)
		c.Difficulties = append(c.Difficulties, blocks[i].Difficulty)
	}
	if !(c.InitialRatio > 0) {
		return c, fmt.Errorf("%s: the blocks carry no difficulty", source)
	}
	return c, nil
}
