package netlab

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

// StaleSweepConfig is the stale-rate experiment: for each delay ratio,
// Miners equal miners in a full mesh whose links all delay a block by
// ratio × BlockTime, simulated for Blocks blocks.
type StaleSweepConfig struct {
	Ratios    []float64
	Miners    int
	Blocks    int
	BlockTime time.Duration // 0: DefaultSimBlockTime
	Seed      uint64
	Command   []string
	// Progress, if set, is called before each point.
	Progress func(done, total int, ratio float64)
}

// Defaults of the sweeps: a few seconds on a small machine.
var (
	DefaultStaleRatios   = []float64{0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3}
	DefaultSelfishAlphas = []float64{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 1.0 / 3, 0.35, 0.4, 0.45}
	DefaultSelfishGammas = []float64{0, 0.5, 1}
)

const (
	// DefaultStaleMiners: with n equal miners, a block meets a rival from
	// another node (1 − 1/n) of the time the classic formula assumes; 20
	// miners keep that within 5% and a point under half a second.
	DefaultStaleMiners = 20
	DefaultStaleBlocks = 20000
	// DefaultSelfishBlocks per point: the revenue's interval is then about
	// ±0.01 (wider near alpha 1/2, where the pool's runs are long).
	DefaultSelfishBlocks = 20000
	// selfishBatches: stretches of the chain whose shares give the
	// revenue's interval.
	selfishBatches  = 20
	sweepConfidence = 0.95
)

// Bitcoin's measured figures (Decker & Wattenhofer 2013, "Information
// propagation in the Bitcoin network"): 12.6 s mean time for a block to
// reach a node, a fork rate of 1.69% at 600 s blocks.
const (
	deckerDelaySecs = 12.6
	deckerForkRate  = 0.0169
)

// StaleSweep runs the stale-rate experiment. On cancel it returns the
// points finished so far with ctx.Err().
func StaleSweep(ctx context.Context, cfg StaleSweepConfig) (*results.Stale, error) {
	if cfg.BlockTime == 0 {
		cfg.BlockTime = DefaultSimBlockTime
	}
	if cfg.Miners < 2 || cfg.Miners > MaxMeshNodes || cfg.Blocks < 1 || len(cfg.Ratios) == 0 {
		return nil, fmt.Errorf("%w: a stale sweep needs 2 to %d miners, a positive block count and delay ratios", ErrConfig, MaxMeshNodes)
	}
	for _, r := range cfg.Ratios {
		if !(r > 0 && r <= 10) {
			return nil, fmt.Errorf("%w: delay ratio %g: want above 0, at most 10", ErrConfig, r)
		}
	}
	rec := &results.Stale{
		Header:    results.NewHeader(results.KindStale, cfg.Command),
		Simulated: true,
		Config: results.StaleConfig{Miners: cfg.Miners, Topology: string(Mesh), BlockTimeSecs: cfg.BlockTime.Seconds(),
			Blocks: cfg.Blocks, Seed: cfg.Seed, Ratios: cfg.Ratios, Confidence: sweepConfidence},
		Reference: deckerReference(),
	}
	miners := make([]MinerSpec, cfg.Miners)
	for i := range miners {
		miners[i] = MinerSpec{Text: "1", RateCap: 1}
	}
	for i, ratio := range cfg.Ratios {
		if cfg.Progress != nil {
			cfg.Progress(i, len(cfg.Ratios), ratio)
		}
		tau := time.Duration(ratio * float64(cfg.BlockTime))
		net, err := Simulate(ctx, SimConfig{Miners: miners, Blocks: cfg.Blocks, BlockTime: cfg.BlockTime,
			Latency: Latency{tau, tau}, Seed: cfg.Seed + uint64(i)})
		if err != nil {
			if ctx.Err() != nil {
				return rec, ctx.Err()
			}
			return nil, err
		}
		lo, hi := bench.Wilson(net.StaleBlocks, net.MinedBlocks, sweepConfidence)
		rec.Points = append(rec.Points, results.StalePoint{
			DelayRatio: ratio, DelaySecs: tau.Seconds(), Mined: net.MinedBlocks, Stale: net.StaleBlocks,
			StaleRate: net.StaleRate, StaleLow: lo, StaleHigh: hi, Theory: StaleTheory(ratio), WallSeconds: net.WallSeconds,
		})
	}
	return rec, nil
}

// SelfishSweepConfig is the selfish-mining experiment: for each gamma and
// alpha, a selfish pool of share alpha against one honest node, no delay,
// simulated for Blocks blocks.
type SelfishSweepConfig struct {
	Alphas   []float64
	Gammas   []float64
	Blocks   int
	Seed     uint64
	Command  []string
	Progress func(done, total int, alpha, gamma float64)
}

// SelfishSweep runs the selfish-mining experiment. On cancel it returns
// the points finished so far with ctx.Err().
func SelfishSweep(ctx context.Context, cfg SelfishSweepConfig) (*results.Selfish, error) {
	if cfg.Blocks < selfishBatches || len(cfg.Alphas) == 0 || len(cfg.Gammas) == 0 {
		return nil, fmt.Errorf("%w: a selfish sweep needs alphas, gammas and at least %d blocks", ErrConfig, selfishBatches)
	}
	for _, a := range cfg.Alphas {
		if !(a > 0 && a < 0.5) {
			return nil, fmt.Errorf("%w: alpha %g: want above 0 and below 0.5", ErrConfig, a)
		}
	}
	for _, g := range cfg.Gammas {
		if !(g >= 0 && g <= 1) {
			return nil, fmt.Errorf("%w: gamma %g: want 0 to 1", ErrConfig, g)
		}
	}
	rec := &results.Selfish{
		Header:    results.NewHeader(results.KindSelfish, cfg.Command),
		Simulated: true,
		Config: results.SelfishConfig{Blocks: cfg.Blocks, Seed: cfg.Seed, Alphas: cfg.Alphas, Gammas: cfg.Gammas,
			Batches: selfishBatches, Confidence: sweepConfidence},
	}
	for _, g := range cfg.Gammas {
		rec.Thresholds = append(rec.Thresholds, results.SelfishThreshold{Gamma: g, Alpha: SelfishThreshold(g)})
	}
	total, k := len(cfg.Alphas)*len(cfg.Gammas), 0
	for gi, g := range cfg.Gammas {
		for ai, a := range cfg.Alphas {
			if cfg.Progress != nil {
				cfg.Progress(k, total, a, g)
			}
			k++
			miners := []MinerSpec{{Text: fmt.Sprintf("selfish:%g%%", 100*a), Share: a, Strategy: Selfish}, {Text: fmt.Sprintf("%g%%", 100*(1-a)), Share: 1 - a}}
			net, err := Simulate(ctx, SimConfig{Miners: miners, Blocks: cfg.Blocks, Gamma: g, UseGamma: true,
				Seed: cfg.Seed + uint64(gi*len(cfg.Alphas)+ai)})
			if err != nil {
				if ctx.Err() != nil {
					return rec, ctx.Err()
				}
				return nil, err
			}
			lo, hi := batchShare(net.Blocks, 1, selfishBatches)
			rec.Points = append(rec.Points, results.SelfishPoint{
				Alpha: a, Gamma: g, Revenue: net.Nodes[0].BlockShare, RevenueLow: lo, RevenueHigh: hi,
				Theory: SelfishRevenue(a, g), Blocks: net.Height, StaleRate: net.StaleRate, WallSeconds: net.WallSeconds,
			})
		}
	}
	return rec, nil
}

// batchShare is the confidence interval of miner's share of blocks: the
// chain is cut into batches stretches and the interval is that of the mean
// of their shares.
func batchShare(blocks []results.NetBlock, miner, batches int) (lo, hi float64) {
	if len(blocks) < batches {
		return math.NaN(), math.NaN()
	}
	shares := make([]float64, batches)
	for b := range batches {
		part := blocks[b*len(blocks)/batches : (b+1)*len(blocks)/batches]
		won := 0
		for _, x := range part {
			if x.Miner == miner {
				won++
			}
		}
		shares[b] = float64(won) / float64(len(part))
	}
	return bench.MeanCI(shares, sweepConfidence)
}

// deckerReference is Bitcoin's measured propagation and fork rate.
func deckerReference() results.StaleReference {
	return results.StaleReference{
		Source:     "Decker & Wattenhofer 2013, Information propagation in the Bitcoin network",
		DelayRatio: deckerDelaySecs / 600, StaleRate: deckerForkRate,
		Note: "12.6 s mean propagation, 1.69% fork rate at 600 s blocks",
	}
}

// RealStaleSweepConfig is the stale-rate sweep on real nodes: Miners
// equal capped miners (Rate attempts/s each) in a full mesh whose every link
// delays a block by the point's ratio × BlockTime, Blocks blocks a point.
type RealStaleSweepConfig struct {
	Ratios    []float64
	Miners    int
	Blocks    int
	BlockTime time.Duration
	Rate      float64
	Seed      uint64
	Command   []string
	Progress  func(done, total int, ratio float64)
}

// Defaults of the real sweep: a minute or two in all.
const (
	DefaultRealStaleMiners    = 4
	DefaultRealStaleBlocks    = 60
	DefaultRealStaleBlockTime = 500 * time.Millisecond
	DefaultRealStaleRate      = 200e3
)

// DefaultRealStaleRatios are the real sweep's points: delays a real
// network of a few nodes shows within a minute a point.
var DefaultRealStaleRatios = []float64{0.05, 0.1, 0.2}

// RealStaleSweep runs the stale-rate sweep on real nodes. The target is
// the zero bits closest to one block per BlockTime at the miners' total
// cap, and each point's delay ratio is recomputed from the interval the
// nodes reached (it includes their own validation and relay time, which a
// real network adds to the links' delay). On cancel it returns the points
// finished so far with ctx.Err().
func RealStaleSweep(ctx context.Context, cfg RealStaleSweepConfig) (*results.Stale, error) {
	if cfg.Miners < 2 || cfg.Miners > MaxRealMiners || cfg.Blocks < 1 || len(cfg.Ratios) == 0 || !(cfg.Rate > 0) || cfg.BlockTime <= 0 {
		return nil, fmt.Errorf("%w: a real stale sweep needs 2 to %d miners, a positive block count, rate and block time, and delay ratios", ErrConfig, MaxRealMiners)
	}
	for _, r := range cfg.Ratios {
		if !(r > 0 && r <= 2) {
			return nil, fmt.Errorf("%w: delay ratio %g: want above 0, at most 2 for real nodes", ErrConfig, r)
		}
	}
	miners := make([]MinerSpec, cfg.Miners)
	for i := range miners {
		miners[i] = MinerSpec{Text: strconv.FormatFloat(cfg.Rate, 'g', -1, 64), RateCap: cfg.Rate}
	}
	target, err := miner.ZeroBitsTarget(DefaultBits(cfg.Rate*float64(cfg.Miners), cfg.BlockTime))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	rec := &results.Stale{
		Header: results.NewHeader(results.KindStale, cfg.Command),
		Config: results.StaleConfig{Miners: cfg.Miners, Topology: string(Mesh), BlockTimeSecs: cfg.BlockTime.Seconds(),
			Blocks: cfg.Blocks, Seed: cfg.Seed, Ratios: cfg.Ratios, Confidence: sweepConfidence},
		Reference: deckerReference(),
	}
	for i, ratio := range cfg.Ratios {
		if cfg.Progress != nil {
			cfg.Progress(i, len(cfg.Ratios), ratio)
		}
		tau := time.Duration(ratio * float64(cfg.BlockTime))
		start := time.Now()
		net, err := Run(ctx, Config{Miners: miners, Target: target, Blocks: cfg.Blocks, Latency: Latency{tau, tau}, Seed: cfg.Seed + uint64(i)})
		if err != nil {
			if ctx.Err() != nil {
				return rec, ctx.Err()
			}
			return nil, err
		}
		measured := ratio
		if net.MeanIntervalSeconds > 0 {
			measured = tau.Seconds() / net.MeanIntervalSeconds
		}
		lo, hi := bench.Wilson(net.StaleBlocks, net.MinedBlocks, sweepConfidence)
		rec.Points = append(rec.Points, results.StalePoint{
			DelayRatio: measured, DelaySecs: tau.Seconds(), Mined: net.MinedBlocks, Stale: net.StaleBlocks,
			StaleRate: net.StaleRate, StaleLow: lo, StaleHigh: hi, Theory: StaleTheory(measured), WallSeconds: time.Since(start).Seconds(),
		})
	}
	return rec, nil
}
