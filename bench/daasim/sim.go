package daasim

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holiman/uint256"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/results"
)

// checkEvery is how many blocks pass between looks at the context and
// updates of the shared counter: a few milliseconds of work at the
// simulator's speed, so Ctrl-C lands promptly and the counter is cheap.
const checkEvery = 4096

// progressTick is how often Config.Progress is called.
const progressTick = 200 * time.Millisecond

// Run simulates every algorithm of cfg on its scenario, one goroutine per
// algorithm (at most GOMAXPROCS at once), and returns the record. Each
// algorithm draws from its own PCG stream seeded from cfg.Seed and its
// name, so the record does not depend on scheduling or on which other
// algorithms run. On cancellation it returns ctx.Err() with the record of
// what was simulated (Complete false).
func Run(ctx context.Context, cfg Config) (*results.DAASim, error) {
	c, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	algs := make([]daa.Algorithm, len(c.Algos))
	for i, name := range c.Algos {
		p := c.params()
		w, set := c.Windows[name]
		if set {
			p.Window = w
		}
		a, err := daa.New(name, p)
		switch {
		case err != nil && set:
			return nil, fmt.Errorf("%w: --window %s=%d: %v", ErrConfig, name, w, err)
		case err != nil:
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		algs[i] = a
	}
	rec := &results.DAASim{
		Header: results.NewHeader(results.KindDAASim, c.Command),
		Spec:   c.spec(),
		Algos:  make([]results.DAAMetrics, len(algs)),
		Series: make([]results.DAASeries, len(algs)),
		Speed:  make([]results.DAASpeed, len(algs)),
	}

	var done atomic.Int64
	var finished atomic.Int32
	start := time.Now()
	report := func() {
		c.Progress(Progress{Blocks: done.Load(), Total: int64(c.Blocks) * int64(len(algs)),
			Done: int(finished.Load()), Algos: len(algs), Elapsed: time.Since(start)})
	}
	stopTicker := func() {}
	if c.Progress != nil {
		quit, over := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(over)
			t := time.NewTicker(progressTick)
			defer t.Stop()
			for {
				select {
				case <-quit:
					return
				case <-t.C:
					report()
				}
			}
		}()
		stopTicker = func() { close(quit); <-over }
	}

	sem := make(chan struct{}, max(1, min(runtime.GOMAXPROCS(0), len(algs))))
	errs := make([]error, len(algs))
	var wg sync.WaitGroup
	for i, a := range algs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t0 := time.Now()
			var r algoRun
			r, errs[i] = simulate(ctx, &c, c.Algos[i], a, &done)
			secs := time.Since(t0).Seconds()
			rec.Algos[i], rec.Series[i] = r.metrics, r.series
			rec.Speed[i] = results.DAASpeed{Name: c.Algos[i], Seconds: secs, Incremental: r.incremental}
			if secs > 0 {
				rec.Speed[i].BlocksPerSec = float64(r.series.Blocks) / secs
			}
			finished.Add(1)
		}()
	}
	wg.Wait()
	stopTicker()
	if c.Progress != nil {
		report()
	}
	rec.Complete = true
	for _, e := range errs {
		if e != nil {
			rec.Complete = false
			if ctx.Err() != nil {
				return rec, ctx.Err()
			}
			return rec, e
		}
	}
	return rec, nil
}

// params are the algorithms' parameters for this run: T in ticks, the
// limit, and the first target, which expects one block per T at the base
// hashrate (times InitialRatio). Windows (but for Config.Windows) and
// the half-life (but for Config.HalfLife) are the algorithms' defaults.
func (c *Config) params() daa.Params {
	return daa.Params{
		BlockTime: c.blockTimeTicks(),
		Limit:     limitTarget(),
		Initial:   c.initialTarget(),
		HalfLife:  c.HalfLife.Milliseconds(),
	}
}

func (c *Config) initialTarget() uint256.Int {
	return targetForDifficulty(c.InitialRatio * c.BaseHashrate * c.BlockTime.Seconds())
}

func (c *Config) spec() results.DAASimSpec {
	init := c.initialTarget()
	s := results.DAASimSpec{
		Algos: c.Algos, Scenario: string(c.Scenario), Blocks: c.Blocks, BlockTimeMs: c.blockTimeTicks(),
		Seed: c.Seed, BaseHashrate: c.BaseHashrate, InitialBits: daa.TargetToBits(&init), LimitBits: limitBits,
		DelayFactor: DelayFactor,
	}
	for _, name := range c.Algos {
		if w, ok := c.Windows[name]; ok {
			if s.Windows == nil {
				s.Windows = map[string]uint64{}
			}
			s.Windows[name] = w
		}
	}
	switch c.Scenario {
	case Step:
		s.StepAt, s.StepBack, s.StepFactor = c.StepAt, c.StepBack, c.StepFactor
		s.SettleBand, s.SettleHold = SettleBand, SettleHold
	case OnOff:
		s.AttackHashrate, s.AttackWindow = c.AttackHashrate, c.AttackWindow
	case Ramp:
		s.RampFactor = c.RampFactor
	}
	return s
}

// steps are the hashrate changes whose settling is timed.
func (c *Config) steps() []step {
	if c.Scenario != Step {
		return nil
	}
	return []step{{At: uint64(c.StepAt), End: uint64(c.StepBack)}, {At: uint64(c.StepBack), End: uint64(c.Blocks) + 1}}
}

// seedFor derives an algorithm's random stream from the run's seed and
// the algorithm's name.
func seedFor(seed uint64, name string) (uint64, uint64) {
	h := fnv.New64a()
	h.Write([]byte(name))
	return seed, h.Sum64()
}

// algoRun is one algorithm's outcome.
type algoRun struct {
	metrics     results.DAAMetrics
	series      results.DAASeries
	incremental bool
}

// simulate runs one algorithm (registered as name) for c.Blocks blocks
// after the first.
//
// Block h's target is the algorithm's answer over blocks 0..h−1, rounded
// through the compact form. Its solve time is an exponential draw with
// mean difficulty ÷ hashrate, rounded to whole ticks; its time is the
// previous block's plus that. In onoff the attacker decides before each
// block: it mines block h when h's difficulty is below the mean difficulty
// of the AttackWindow blocks before it, and finds the block with
// probability attacker ÷ total hashrate.
func simulate(ctx context.Context, c *Config, name string, alg daa.Algorithm, done *atomic.Int64) (algoRun, error) {
	p := alg.Params()
	run := algoRun{series: results.DAASeries{Name: name, Window: p.Window, HalfLifeMs: p.HalfLife}}
	onoff := c.Scenario == OnOff
	tl := newTally(name, c.blockTimeTicks(), onoff, c.steps())
	sr := newSeries(c.Blocks, c.MaxPoints, c.blockTimeTicks(), onoff)
	for _, d := range c.details() {
		sr.details = append(sr.details, newDetail(d[0], d[1], DetailPoints))
	}
	rng := rand.New(rand.NewPCG(seedFor(c.Seed, name)))

	initBits := daa.TargetToBits(&p.Initial)
	initTarget, err := daa.BitsToTarget(initBits)
	if err != nil {
		return run, fmt.Errorf("%s: the first target: %w", name, err)
	}
	genesis := daa.Block{Height: p.FirstHeight, Time: 0, Target: initTarget}
	// The algorithm's own stepper when it has one; otherwise daa's, which
	// calls Next over a ring of the blocks its window reads.
	st := daa.NewStepper(alg)
	_, run.incremental = alg.(daa.Incremental)
	st.Add(genesis)

	// The attacker's moving window of difficulties (onoff).
	var win []float64
	var winSum float64
	winPos := 0
	if onoff {
		win = make([]float64, 0, c.AttackWindow)
		win = append(win, bitsDifficulty(initBits))
		winSum = win[0]
	}
	ticksPerSec := 1000.0
	attack := c.AttackHashrate * c.BaseHashrate
	now := genesis.Time
	n, reported := 0, 0
	for n < c.Blocks {
		if n%checkEvery == 0 {
			done.Add(int64(n - reported))
			reported = n
			if err = ctx.Err(); err != nil {
				break
			}
		}
		h := p.FirstHeight + uint64(n) + 1
		next := st.Next()
		bits := daa.TargetToBits(&next)
		target, berr := daa.BitsToTarget(bits)
		if berr != nil {
			err = fmt.Errorf("%s: block %d: target %#x: %w", name, h, &next, berr)
			break
		}
		d := bitsDifficulty(bits)
		k := uint64(n) + 1 // the height counted from the first block, as the scenario counts
		rate := c.honestHashrate(k)
		b := BlockStat{Height: k, Difficulty: d}
		if onoff {
			// Below the average by more than the rounding of a sum of
			// equal difficulties, so a constant difficulty never
			// draws the attacker.
			b.AttackOn = d < winSum/float64(len(win))*(1-1e-9)
			if b.AttackOn {
				rate += attack
			}
		}
		b.Hashrate = rate
		solve := int64(math.Round(rng.ExpFloat64() * d / rate * ticksPerSec))
		if b.AttackOn {
			b.Attacker = rng.Float64()*rate < attack
		}
		b.SolveTicks = solve
		now += solve
		st.Add(daa.Block{Height: h, Time: now, Target: target})
		if onoff {
			if len(win) < c.AttackWindow {
				win = append(win, d)
				winSum += d
			} else {
				winSum += d - win[winPos]
				win[winPos] = d
				winPos++
				if winPos == len(win) {
					winPos = 0
					// Resum once per lap so rounding cannot drift.
					winSum = 0
					for _, v := range win {
						winSum += v
					}
				}
			}
		}
		tl.add(b)
		sr.add(b)
		if c.OnBlock != nil {
			c.OnBlock(name, b)
		}
		n++
	}
	done.Add(int64(n - reported))
	run.metrics, run.series.SettleEach = tl.metrics()
	run.series.Blocks = n
	sr.fill(&run.series)
	return run, err
}
