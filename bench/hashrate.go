package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

// DefaultHashratePrefix is the default difficulty of a hashrate sweep
// (powlab bench, powlab chart hashrate): the tutorial's six hex zeros.
const DefaultHashratePrefix = "000000"

// HashrateConfig describes a sweep.
type HashrateConfig struct {
	Puzzle   miner.Puzzle
	Target   miner.Target
	Kernels  []*sha256x.Kernel // must be available on this CPU
	Workers  []int
	Duration time.Duration // per configuration
	Command  []string      // recorded in the header
	// Progress, if set, is told when each configuration starts and ends.
	Progress func(HashrateEvent)
}

// HashrateEvent reports one configuration's start (Run == nil) or end.
type HashrateEvent struct {
	Kernel  string
	Workers int
	Index   int // configuration number, from 0
	Total   int
	Run     *results.BenchRun
}

// Hashrate runs the sweep. The search in each configuration is a real search
// for the target (every solution is counted, none stops it), so the kernels'
// target checks are part of what is timed.
func Hashrate(ctx context.Context, cfg HashrateConfig) (*results.Bench, error) {
	if len(cfg.Kernels) == 0 || len(cfg.Workers) == 0 {
		return nil, errors.New("hashrate: no kernels or no worker counts")
	}
	if cfg.Duration <= 0 {
		return nil, errors.New("hashrate: duration must be positive")
	}
	if _, err := cfg.Puzzle.Job(cfg.Target); err != nil {
		return nil, fmt.Errorf("hashrate: %w", err)
	}
	for _, k := range cfg.Kernels {
		if err := sha256x.SelfTest(k); err != nil {
			return nil, fmt.Errorf("hashrate: kernel %s: self-test: %w", k.Name, err)
		}
	}
	rec := &results.Bench{
		Header:           results.NewHeader(results.KindBench, cfg.Command),
		Algo:             cfg.Puzzle.Algo.String(),
		Puzzle:           cfg.Puzzle.String(),
		Target:           cfg.Target.String(),
		Probability:      cfg.Target.Probability(),
		ExpectedAttempts: cfg.Target.ExpectedAttempts(),
		DurationSeconds:  cfg.Duration.Seconds(),
		Runs:             []results.BenchRun{},
	}
	total := len(cfg.Kernels) * len(cfg.Workers)
	n := 0
	for _, k := range cfg.Kernels {
		for _, w := range cfg.Workers {
			if cfg.Progress != nil {
				cfg.Progress(HashrateEvent{Kernel: k.Name, Workers: w, Index: n, Total: total})
			}
			run, err := measure(ctx, cfg, k, w)
			if err != nil {
				Annotate(rec)
				return rec, err
			}
			rec.Runs = append(rec.Runs, run)
			if cfg.Progress != nil {
				cfg.Progress(HashrateEvent{Kernel: k.Name, Workers: w, Index: n, Total: total, Run: &rec.Runs[len(rec.Runs)-1]})
			}
			n++
		}
	}
	Annotate(rec)
	return rec, nil
}

func measure(ctx context.Context, cfg HashrateConfig, k *sha256x.Kernel, workers int) (results.BenchRun, error) {
	tctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	r, err := miner.Search(tctx, cfg.Puzzle, cfg.Target, miner.Options{Workers: workers, Kernel: k, Mode: miner.Count})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return results.BenchRun{}, err
	}
	if ctx.Err() != nil {
		return results.BenchRun{}, ctx.Err()
	}
	run := results.BenchRun{
		Kernel:         k.Name,
		Lanes:          k.Lanes,
		Workers:        workers,
		Attempts:       r.Attempts,
		Solutions:      r.Solutions,
		Seconds:        r.Elapsed.Seconds(),
		AttemptsPerSec: r.Rate(),
	}
	return run, nil
}

// Annotate fills the derived columns of a sweep's runs: speedup over the
// stdlib kernel at one worker, scaling efficiency against the same kernel at
// one worker, and the expected seconds to a solution.
func Annotate(rec *results.Bench) {
	var stdlib1 float64
	one := map[string]float64{}
	for _, r := range rec.Runs {
		if r.Workers == 1 {
			one[r.Kernel] = r.AttemptsPerSec
			if r.Kernel == "stdlib" {
				stdlib1 = r.AttemptsPerSec
			}
		}
	}
	for i := range rec.Runs {
		r := &rec.Runs[i]
		r.SpeedupVsStdlib, r.Efficiency, r.ExpectedSecondsToSolution = 0, 0, 0
		if stdlib1 > 0 {
			r.SpeedupVsStdlib = r.AttemptsPerSec / stdlib1
		}
		if base := one[r.Kernel]; base > 0 && r.Workers > 0 {
			r.Efficiency = r.AttemptsPerSec / (float64(r.Workers) * base)
		}
		if r.AttemptsPerSec > 0 {
			r.ExpectedSecondsToSolution = rec.ExpectedAttempts / r.AttemptsPerSec
		}
	}
}
