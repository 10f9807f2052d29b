package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

// Scale says what a difficulty number means.
type Scale string

const (
	// ScalePrefix: difficulty k means the hex digest starts with k zeros
	// (the tutorial's rule), p = 16^-k.
	ScalePrefix Scale = "prefix"
	// ScaleBits: difficulty k means k leading zero bits, p = 2^-k.
	ScaleBits Scale = "bits"
)

// MaxDifficulty is the largest difficulty each scale accepts. Past it the
// expected attempts approach the 64-bit nonce range itself.
func (s Scale) MaxDifficulty() int {
	if s == ScaleBits {
		return 60
	}
	return 15
}

// Target is the target of difficulty k on this scale.
func (s Scale) Target(k int) (miner.Target, error) {
	if k < 1 || k > s.MaxDifficulty() {
		return miner.Target{}, fmt.Errorf("difficulty %d: the %s scale goes from 1 to %d", k, s, s.MaxDifficulty())
	}
	switch s {
	case ScalePrefix:
		return miner.ParsePrefix(strings.Repeat("0", k))
	case ScaleBits:
		return miner.ZeroBitsTarget(k)
	}
	return miner.Target{}, fmt.Errorf("unknown difficulty scale %q", s)
}

// Confidence is the level of every interval in an attempts record.
const Confidence = 0.95

// PercentileMethod describes Percentile for records.
const PercentileMethod = "linear interpolation between order statistics, h = (n-1)q (Hyndman-Fan 7, as R and NumPy)"

// AttemptsConfig describes an attempts-vs-difficulty experiment.
type AttemptsConfig struct {
	Scale        Scale
	Difficulties []int // each 1..Scale.MaxDifficulty(), run in this order
	Trials       int   // per difficulty
	Seed         uint64
	Kernel       *sha256x.Kernel // nil: sha256x.Best()
	Workers      int             // 0: every CPU
	Command      []string
	// Progress, if set, is called after every trial.
	Progress func(AttemptsEvent)
	// SearchProgress, if set, is called about twice a second during each
	// search with the trial's running count (long trials at high
	// difficulty take minutes).
	SearchProgress func(difficulty, trial int, p miner.Progress)
}

// AttemptsEvent reports a finished trial.
type AttemptsEvent struct {
	Difficulty int
	Trial      int // from 1
	Trials     int
	Done       int // trials finished in the whole experiment
	Total      int
	// ExpectedAttempts is the trial's expected attempts (1/p), for
	// progress weighted by work.
	ExpectedAttempts float64
	Sample           results.AttemptsSample
}

func (cfg *AttemptsConfig) check() error {
	if cfg.Trials < 1 {
		return fmt.Errorf("attempts: %d trials per difficulty, need at least 1", cfg.Trials)
	}
	if len(cfg.Difficulties) == 0 {
		return errors.New("attempts: no difficulties")
	}
	for _, k := range cfg.Difficulties {
		if _, err := cfg.Scale.Target(k); err != nil {
			return fmt.Errorf("attempts: %w", err)
		}
	}
	if cfg.Kernel != nil && !cfg.Kernel.Available {
		return fmt.Errorf("attempts: kernel %s: %w", cfg.Kernel.Name, sha256x.ErrUnavailable)
	}
	return nil
}

// ExpectedAttempts is the experiment's expected total of sequential
// attempts: Trials · Σ 1/p. The search hashes a little more.
func (cfg *AttemptsConfig) ExpectedAttempts() float64 {
	var sum float64
	for _, k := range cfg.Difficulties {
		if t, err := cfg.Scale.Target(k); err == nil {
			sum += t.ExpectedAttempts()
		}
	}
	return sum * float64(cfg.Trials)
}

// trialChunk sizes the search's chunks for a difficulty: a search for a
// 16-attempt target must not hash 2×8192 nonces, or the seconds measured at
// small difficulties would be the chunk, not the search. About an eighth of
// the expected attempts per worker, between 64 and miner.DefaultChunk, keeps
// the overshoot small while long searches keep the default's low overhead.
func trialChunk(expected float64, workers int) uint64 {
	c := expected / 8 / float64(max(workers, 1))
	switch {
	case c < 64:
		return 64
	case c > miner.DefaultChunk:
		return miner.DefaultChunk
	}
	return uint64(c)
}

// Attempts runs the experiment. For each difficulty in order it runs Trials
// independent searches of the tutorial's puzzle sha256(decimal(last_proof)
// + decimal(nonce)), each with a distinct last proof drawn from a PCG
// generator seeded with Seed, and records the attempts to the smallest
// solving nonce. On cancellation it returns the record of the trials that
// finished (Complete false) together with ctx.Err().
func Attempts(ctx context.Context, cfg AttemptsConfig) (*results.Attempts, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	k := cfg.Kernel
	if k == nil {
		k = sha256x.Best()
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = defaultWorkers()
	}
	if err := sha256x.SelfTest(k); err != nil {
		return nil, fmt.Errorf("attempts: kernel %s: self-test: %w", k.Name, err)
	}
	rec := &results.Attempts{
		Header:              results.NewHeader(results.KindAttempts, cfg.Command),
		Puzzle:              `sha256(decimal(last_proof) + decimal(nonce)), nonce = 0, 1, 2, …; a fresh random last_proof per trial`,
		Scale:               string(cfg.Scale),
		Seed:                cfg.Seed,
		TrialsPerDifficulty: cfg.Trials,
		Kernel:              k.Name,
		Workers:             workers,
		Confidence:          Confidence,
		PercentileMethod:    PercentileMethod,
		Points:              []results.AttemptsPoint{},
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x706f776c6162)) // "powlab"
	used := map[uint64]bool{}
	total := len(cfg.Difficulties) * cfg.Trials
	done := 0
	var runErr error
outer:
	for _, d := range cfg.Difficulties {
		t, _ := cfg.Scale.Target(d)
		pt := results.AttemptsPoint{Difficulty: d, Target: t.String(), Probability: t.Probability(), Samples: []results.AttemptsSample{}}
		opt := miner.Options{Workers: workers, Kernel: k, Mode: miner.Smallest, Chunk: trialChunk(t.ExpectedAttempts(), workers)}
		for i := 0; i < cfg.Trials; i++ {
			if cfg.SearchProgress != nil {
				d, trial := d, i+1
				opt.Progress = func(p miner.Progress) { cfg.SearchProgress(d, trial, p) }
			}
			lp := rng.Uint64()
			for used[lp] {
				lp = rng.Uint64()
			}
			used[lp] = true
			r, err := miner.Search(ctx, miner.TutorialPuzzle(lp), t, opt)
			if err != nil {
				if ctx.Err() != nil {
					runErr = ctx.Err()
				} else {
					runErr = fmt.Errorf("attempts: %s, last proof %d: %w", t, lp, err)
				}
				if len(pt.Samples) > 0 {
					rec.Points = append(rec.Points, pt)
				}
				break outer
			}
			s := results.AttemptsSample{LastProof: lp, Nonce: r.Nonce, Attempts: r.Index + 1, Hashed: r.Attempts, Seconds: r.Elapsed.Seconds()}
			pt.Samples = append(pt.Samples, s)
			done++
			if cfg.Progress != nil {
				cfg.Progress(AttemptsEvent{Difficulty: d, Trial: i + 1, Trials: cfg.Trials, Done: done, Total: total,
					ExpectedAttempts: t.ExpectedAttempts(), Sample: s})
			}
		}
		rec.Points = append(rec.Points, pt)
	}
	rec.Complete = runErr == nil
	Summarize(rec)
	return rec, runErr
}

// Summarize fills every point's statistics and theory from its samples, and
// the record's overall rate and projections. It is idempotent.
func Summarize(rec *results.Attempts) {
	var hashed uint64
	var secs float64
	conf := rec.Confidence
	if conf == 0 {
		conf = Confidence
	}
	for i := range rec.Points {
		SummarizePoint(&rec.Points[i], conf)
		hashed += rec.Points[i].HashedTotal
		secs += rec.Points[i].SecondsTotal
	}
	rec.AttemptsPerSec = 0
	if secs > 0 {
		rec.AttemptsPerSec = float64(hashed) / secs
	}
	for i := range rec.Points {
		p := &rec.Points[i]
		p.ProjectedSeconds = 0
		if rec.AttemptsPerSec > 0 {
			p.ProjectedSeconds = p.ExpectedAttempts / rec.AttemptsPerSec
		}
	}
}

// SummarizePoint computes one difficulty's statistics at confidence level
// conf. Values that need more trials than there are (an interval from one
// trial) are left at zero rather than NaN, which JSON cannot hold.
func SummarizePoint(pt *results.AttemptsPoint, conf float64) {
	n := len(pt.Samples)
	pt.Trials = n
	p := pt.Probability
	pt.ExpectedAttempts = GeomMean(p)
	pt.TheorySD = GeomSD(p)
	z := NormalQuantile(1 - (1-conf)/2)
	if n > 0 {
		half := z * pt.TheorySD / math.Sqrt(float64(n))
		pt.TheoryMeanLow, pt.TheoryMeanHigh = pt.ExpectedAttempts-half, pt.ExpectedAttempts+half
	}
	pt.TheoryMedian = GeomMedianApprox(p)
	pt.TheoryMedianExact = GeomMedian(p)
	if n == 0 {
		return
	}
	att := make([]float64, n)
	raw := make([]uint64, n)
	var hashed uint64
	var secs float64
	for i, s := range pt.Samples {
		att[i] = float64(s.Attempts)
		raw[i] = s.Attempts
		hashed += s.Hashed
		secs += s.Seconds
	}
	pt.MeanAttempts = Mean(att)
	pt.MedianAttempts = Median(att)
	pt.P5Attempts = Percentile(att, 0.05)
	pt.P95Attempts = Percentile(att, 0.95)
	pt.SDAttempts, pt.CILow, pt.CIHigh = 0, 0, 0
	if n >= 2 {
		pt.SDAttempts = SampleSD(att)
		pt.CILow, pt.CIHigh = MeanCI(att, conf)
	}
	pt.Ratio = pt.MeanAttempts / pt.ExpectedAttempts
	pt.KSD = KSGeometric(raw, p)
	pt.KSPValue = KSPValue(pt.KSD, n)
	pt.KSCritical = KSCritical(n, 0.05)
	pt.HashedTotal, pt.SecondsTotal = hashed, secs
	pt.MeanSeconds = secs / float64(n)
	pt.AttemptsPerSec = 0
	if secs > 0 {
		pt.AttemptsPerSec = float64(hashed) / secs
	}
}

// MeasureRate runs a counting search of the tutorial's puzzle for d and
// returns attempts per second: the rate the experiment's guard projects
// with.
func MeasureRate(ctx context.Context, k *sha256x.Kernel, workers int, d time.Duration) (float64, error) {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	t, _ := miner.ZeroBitsTarget(64)
	r, err := miner.Search(tctx, miner.TutorialPuzzle(100), t, miner.Options{Workers: workers, Kernel: k, Mode: miner.Count})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return 0, fmt.Errorf("measure rate: %w", err)
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	return r.Rate(), nil
}

func defaultWorkers() int { return runtime.NumCPU() }
