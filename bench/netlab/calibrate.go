package netlab

import (
	"fmt"
	"strings"
	"time"

	"github.com/powlab/powlab/bench"
	"github.com/powlab/powlab/results"
)

// SimLike is the simulation of a real run's network: the same miners,
// nodes, topology and links (each with the latency the real run drew),
// the block time the real nodes reached (their mean interval) and the
// real run's seed; blocks is the simulated length (many more than the
// real run's, so the simulation's own spread is small). The simulation
// adds no validation delay or bandwidth of its own unless the caller sets
// them: whatever the real nodes spent on validating and relaying shows as
// the difference.
func SimLike(real *results.Net, blocks int) (SimConfig, error) {
	var c SimConfig
	if real.Simulated {
		return c, fmt.Errorf("%w: the record is of a simulation; --like takes a run of real nodes", ErrConfig)
	}
	specs, err := ParseMinerSpecs(strings.Join(real.Config.Miners, ","))
	if err != nil {
		return c, err
	}
	if !(real.MeanIntervalSeconds > 0) || len(real.Nodes) == 0 {
		return c, fmt.Errorf("%w: the real run mined no blocks to calibrate on", ErrConfig)
	}
	nodes := len(real.Nodes)
	if real.Relays != nil {
		nodes += real.Relays.Count
	}
	lat, err := ParseLatency(real.Config.Latency)
	if err != nil {
		return c, err
	}
	c = SimConfig{Miners: specs, Nodes: nodes, Topology: Topology(real.Config.Topology), Latency: lat,
		BlockTime: time.Duration(real.MeanIntervalSeconds * float64(time.Second)), Blocks: blocks, Seed: real.Config.Seed,
		LinkLatencies: map[[2]int32]time.Duration{}}
	for _, l := range real.Config.Links {
		a, b := int32(l.A-1), int32(l.B-1)
		if a > b {
			a, b = b, a
		}
		c.LinkLatencies[[2]int32{a, b}] = time.Duration(l.LatencySeconds * float64(time.Second))
	}
	if real.Config.Partition != "" {
		if c.Partition, err = ParsePartition(real.Config.Partition, nodes); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Calibrate sets a real run beside its simulation (SimLike): each miner's
// blocks in the best chain and the stale blocks among all mined, as
// proportions with 95% Wilson intervals. A row agrees when the two
// intervals overlap.
func Calibrate(real, sim *results.Net, source string) *results.NetCalibration {
	c := &results.NetCalibration{Source: source, Agree: true}
	row := func(name string, rk, rn, sk, sn int) results.NetCalibShare {
		r := results.NetCalibShare{Name: name, RealK: rk, RealN: rn, SimK: sk, SimN: sn}
		if rn > 0 {
			r.Real = float64(rk) / float64(rn)
			r.RealLow, r.RealHigh = bench.Wilson(rk, rn, 0.95)
		}
		if sn > 0 {
			r.Sim = float64(sk) / float64(sn)
			r.SimLow, r.SimHigh = bench.Wilson(sk, sn, 0.95)
		}
		r.Agree = rn > 0 && sn > 0 && r.RealLow <= r.SimHigh && r.SimLow <= r.RealHigh
		c.Agree = c.Agree && r.Agree
		return r
	}
	realWon, simWon := 0, 0
	for i := range real.Nodes {
		realWon += real.Nodes[i].BlocksWon
	}
	for i := range sim.Nodes {
		simWon += sim.Nodes[i].BlocksWon
	}
	for i, n := range real.Nodes {
		sk := 0
		if i < len(sim.Nodes) {
			sk = sim.Nodes[i].BlocksWon
		}
		c.Miners = append(c.Miners, row(fmt.Sprintf("node %d (%s)", n.ID, n.Spec), n.BlocksWon, realWon, sk, simWon))
	}
	c.Stale = row("stale rate", real.StaleBlocks, real.MinedBlocks, sim.StaleBlocks, sim.MinedBlocks)
	return c
}
