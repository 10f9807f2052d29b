package netlab

import (
	"container/heap"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/powlab/powlab/results"
)

func simulate(t *testing.T, cfg SimConfig) *results.Net {
	t.Helper()
	rec, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Simulate: %v", err)
	}
	if !rec.Simulated {
		t.Fatal("record not marked simulated")
	}
	return rec
}

// within fails unless got is within tol of want.
func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.5f, want %.5f ± %.5f", what, got, want, tol)
	} else {
		t.Logf("%s = %.5f, want %.5f ± %.5f", what, got, want, tol)
	}
}

// Without delay there are no forks, and each miner wins blocks in
// proportion to its hashrate: a binomial share.
func TestSimTwoMinerRace(t *testing.T) {
	const n = 20000
	rec := simulate(t, SimConfig{Miners: mustSpecs(t, "3M,1M"), Blocks: n, Seed: 11})
	if rec.StaleBlocks != 0 || rec.Reorgs != 0 || !rec.Converged || rec.Height != n {
		t.Fatalf("stale %d, reorgs %d, converged %v, height %d; want 0, 0, true, %d", rec.StaleBlocks, rec.Reorgs, rec.Converged, rec.Height, n)
	}
	sd := math.Sqrt(0.75 * 0.25 / n)
	within(t, "share of the 3M miner", rec.Nodes[0].BlockShare, 0.75, 4*sd)
	// Exponential intervals with the block time as their mean.
	within(t, "mean interval / block time", rec.MeanIntervalSeconds/DefaultSimBlockTime.Seconds(), 1, 4/math.Sqrt(n))
}

// Two equal miners across one link of delay τ: a block is stale when the
// other node finds one before it has heard of the last (first order: the
// next block comes from the other node, 1 − Σ s² = 1/2 of the time, within
// τ, 1 − e^(−τ/T)). The tolerance is four standard deviations of the
// count plus 3% for the second-order terms the formula leaves out.
func TestSimOneLinkStaleRate(t *testing.T) {
	const n = 60000
	for _, tc := range []struct {
		name  string
		ratio float64
	}{{"tau/T 0.01", 0.01}, {"tau/T 0.05", 0.05}} {
		t.Run(tc.name, func(t *testing.T) {
			tau := time.Duration(tc.ratio * float64(DefaultSimBlockTime))
			rec := simulate(t, SimConfig{Miners: mustSpecs(t, "1M,1M"), Blocks: n, Seed: 5, Latency: Latency{tau, tau}})
			want := 0.5 * StaleTheory(tc.ratio)
			sd := math.Sqrt(want / float64(rec.MinedBlocks))
			within(t, "stale rate", rec.StaleRate, want, 4*sd+0.03*want)
			if rec.DeepestReorg < 1 || !rec.Converged {
				t.Errorf("deepest reorg %d, converged %v", rec.DeepestReorg, rec.Converged)
			}
		})
	}
}

// A selfish pool against one honest node, no delay: its share of the
// final chain follows Eyal & Sirer's closed form. The runs are long so
// the tolerance (about four standard deviations of the share, measured
// over seeds) is tight enough to tell a wrong state machine apart: an
// honest pool would earn alpha, 0.05 to 0.18 away.
func TestSimSelfishRevenue(t *testing.T) {
	const n = 60000
	for _, tc := range []struct {
		name         string
		alpha, gamma float64
	}{
		{"threshold at gamma 0", 1.0 / 3, 0},
		{"alpha 0.4 gamma 1", 0.4, 1},
		{"alpha 0.2 gamma 0", 0.2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			specs := []MinerSpec{{Text: "selfish", Share: tc.alpha, Strategy: Selfish}, {Text: "honest", Share: 1 - tc.alpha}}
			rec := simulate(t, SimConfig{Miners: specs, Blocks: n, Seed: 2, Gamma: tc.gamma, UseGamma: true})
			within(t, "selfish revenue", rec.Nodes[0].BlockShare, SelfishRevenue(tc.alpha, tc.gamma), 0.012)
			if rec.Nodes[0].Strategy != "selfish" || rec.Nodes[1].Strategy != "" {
				t.Errorf("strategies %q, %q", rec.Nodes[0].Strategy, rec.Nodes[1].Strategy)
			}
		})
	}
}

func TestSelfishRevenueFormula(t *testing.T) {
	// The thresholds of Eyal & Sirer: revenue equals alpha there.
	for _, g := range []float64{0, 0.5, 1} {
		if a := SelfishThreshold(g); a > 0 && math.Abs(SelfishRevenue(a, g)-a) > 1e-12 {
			t.Errorf("gamma %g: revenue at the threshold %g is %g", g, a, SelfishRevenue(a, g))
		}
	}
	if got := SelfishThreshold(0.5); got != 0.25 {
		t.Errorf("threshold at gamma 1/2 = %g", got)
	}
	if r := SelfishRevenue(0.2, 0); r >= 0.2 {
		t.Errorf("below the threshold the pool should lose: %g", r)
	}
	within(t, "1 − e^(−0.021)", StaleTheory(12.6/600), 0.02078, 1e-5)
}

// A random network with relays: every node agrees, relays are summed up,
// the shares add up, and blocks spread in a few hops.
func TestSimRandomNetworkWithRelays(t *testing.T) {
	rec := simulate(t, SimConfig{
		Miners: mustSpecs(t, "selfish:20%,4x1M"), Nodes: 300, Topology: Random, Degree: 4, Blocks: 200, Seed: 3,
		Latency: Latency{20 * time.Millisecond, 200 * time.Millisecond}, BlockSize: 1e6, Bandwidth: 100e6,
		ValidationDelay: 10 * time.Millisecond, Gamma: 0.5, UseGamma: true,
	})
	if !rec.Converged || rec.Height < 200 || rec.Relays == nil || rec.Relays.Count != 295 || len(rec.Nodes) != 5 {
		t.Fatalf("converged %v height %d relays %+v nodes %d", rec.Converged, rec.Height, rec.Relays, len(rec.Nodes))
	}
	won := 0
	for _, nd := range rec.Nodes {
		won += nd.BlocksWon
		if nd.Tip != rec.Tip {
			t.Errorf("node %d on %s, best %s", nd.ID, nd.Tip, rec.Tip)
		}
	}
	if won != rec.Height || len(rec.Blocks) != rec.Height {
		t.Errorf("won %d, blocks %d, height %d", won, len(rec.Blocks), rec.Height)
	}
	// One hop costs 20..200 ms + 80 ms transfer + 10 ms validation.
	if h, a := rec.PropagationHalfSecs, rec.PropagationAllSecs; !(h > 0.11 && h <= a && a < 10) {
		t.Errorf("propagation half %g s, all %g s", h, a)
	}
	// 4 outbound links per node, fewer where two nodes picked each other.
	if c := rec.Config; c.Nodes != 300 || c.Degree != 4 || c.Gamma == nil || c.LinkCount > 300*4 || c.LinkCount < 300*4*9/10 || len(c.Links) != c.LinkCount {
		t.Errorf("config: nodes %d, degree %d, gamma %v, %d links (%d listed)", c.Nodes, c.Degree, c.Gamma, c.LinkCount, len(c.Links))
	}
}

// A partitioned node mines its own branch, then loses it after the cut.
func TestSimPartition(t *testing.T) {
	rec := simulate(t, SimConfig{
		Miners: mustSpecs(t, "1M,1M,1M"), Duration: 3 * time.Hour, BlockTime: time.Minute, Seed: 4,
		Latency: Latency{time.Second, time.Second}, Partition: &Partition{Node: 3, From: time.Hour, Till: 2 * time.Hour},
	})
	if !rec.Converged || rec.Stopped != "duration" || rec.DeepestReorg < 3 {
		t.Fatalf("converged %v stopped %q deepest reorg %d", rec.Converged, rec.Stopped, rec.DeepestReorg)
	}
	n, deepest := 0, 0
	for d, k := range rec.ReorgDepths {
		n += k
		deepest = max(deepest, d)
	}
	if n != rec.Reorgs || deepest != rec.DeepestReorg {
		t.Errorf("reorgs by depth %v: %d in all, deepest %d; want %d, %d", rec.ReorgDepths, n, deepest, rec.Reorgs, rec.DeepestReorg)
	}
}

// The same seed gives the same run; another seed another one.
func TestSimDeterministic(t *testing.T) {
	cfg := func(seed uint64) SimConfig {
		return SimConfig{Miners: mustSpecs(t, "selfish:30%,3x1M"), Nodes: 50, Topology: Random, Blocks: 300, Seed: seed,
			Latency: Latency{time.Second, 20 * time.Second}}
	}
	strip := func(r *results.Net) *results.Net {
		r.Header, r.WallSeconds = results.Header{}, 0
		return r
	}
	a, b := strip(simulate(t, cfg(9))), strip(simulate(t, cfg(9)))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of one seed differ")
	}
	if c := strip(simulate(t, cfg(10))); reflect.DeepEqual(a.Blocks, c.Blocks) {
		t.Fatal("two seeds gave the same chain")
	}
}

func TestSimCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec, err := Simulate(ctx, SimConfig{Miners: mustSpecs(t, "1M,1M"), Blocks: 10_000_000, Seed: 1})
	if !errors.Is(err, context.Canceled) || rec == nil || rec.Stopped != "interrupted" {
		t.Fatalf("err %v, record %v", err, rec != nil)
	}
	if rec.MinedBlocks > 2*simCheckEvery {
		t.Fatalf("ran on for %d blocks after the cancel", rec.MinedBlocks)
	}
}

func TestSimConfigErrors(t *testing.T) {
	two := mustSpecs(t, "1M,1M")
	for _, tc := range []struct {
		name string
		cfg  SimConfig
	}{
		{"one miner", SimConfig{Miners: two[:1], Blocks: 1}},
		{"fewer nodes than miners", SimConfig{Miners: two, Nodes: 1, Blocks: 1}},
		{"too many nodes", SimConfig{Miners: two, Nodes: MaxSimNodes + 1, Blocks: 1}},
		{"kernel miner", SimConfig{Miners: mustSpecs(t, "genericx1,1M"), Blocks: 1}},
		{"no stop", SimConfig{Miners: two}},
		{"degree without random", SimConfig{Miners: two, Degree: 3, Blocks: 1}},
		{"degree too high", SimConfig{Miners: two, Nodes: 4, Topology: Random, Degree: 4, Blocks: 1}},
		{"gamma", SimConfig{Miners: two, Gamma: 1.5, UseGamma: true, Blocks: 1}},
		{"negative bandwidth", SimConfig{Miners: two, Bandwidth: -1, Blocks: 1}},
		{"partition node", SimConfig{Miners: two, Partition: &Partition{Node: 3, Till: time.Second}, Blocks: 1}},
		{"huge mesh", SimConfig{Miners: two, Nodes: MaxMeshNodes + 1, Blocks: 1}},
		{"disconnected", SimConfig{Miners: two, Nodes: 1000, Topology: Random, Degree: 1, Blocks: 1, Seed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Simulate(context.Background(), tc.cfg); !errors.Is(err, ErrConfig) {
				t.Fatalf("err %v, want ErrConfig", err)
			}
		})
	}
}

// BenchmarkSimulate: a random network of 2000 nodes, 20 miners, degree 8,
// 50 blocks per op; events/s is the simulator's throughput.
func BenchmarkSimulate(b *testing.B) {
	specs, err := ParseMinerSpecs("20x1M")
	if err != nil {
		b.Fatal(err)
	}
	var events int64
	for b.Loop() {
		rec, err := Simulate(context.Background(), SimConfig{Miners: specs, Nodes: 2000, Topology: Random, Degree: 8, Blocks: 50,
			Latency: Latency{20 * time.Millisecond, 200 * time.Millisecond}, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		events += rec.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// Keeping only each node's earliest arrival of a block (the fast path)
// gives the same run as delivering every copy and dropping the late ones
// on arrival (its slow twin), on random networks with relays, bandwidth,
// validation and a selfish miner.
func TestSimEarliestArrivalMatchesEveryCopy(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		cfg := SimConfig{
			Miners: mustSpecs(t, "selfish:30%,6x1M"), Nodes: 120, Topology: Random, Degree: 3, Blocks: 150, Seed: seed,
			BlockTime: time.Minute, Latency: Latency{100 * time.Millisecond, 5 * time.Second}, BlockSize: 2e6, Bandwidth: 20e6,
			ValidationDelay: 200 * time.Millisecond, Gamma: 0.5, UseGamma: true,
		}
		fast := simulate(t, cfg)
		cfg.everyCopy = true
		slow := simulate(t, cfg)
		if slow.Events <= fast.Events {
			t.Errorf("seed %d: every copy ran %d events, earliest only %d", seed, slow.Events, fast.Events)
		}
		for _, r := range []*results.Net{fast, slow} {
			r.Header, r.WallSeconds, r.Events = results.Header{}, 0, 0
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("seed %d: the runs differ: stale %d/%d, reorgs %d/%d, height %d/%d", seed,
				fast.StaleBlocks, slow.StaleBlocks, fast.Reorgs, slow.Reorgs, fast.Height, slow.Height)
		}
		if fast.StaleBlocks == 0 || fast.Reorgs == 0 {
			t.Errorf("seed %d: no stale blocks or reorganisations to compare", seed)
		}
	}
}

// The simulator's push and pop (heap.Fix, no boxing) give the order of
// container/heap's own Push and Pop: by time, then by scheduling order.
func TestEventQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &simulator{}
	var ref eventQueue
	var seq uint64
	var got, want []uint64
	for range 5000 {
		if rng.IntN(3) > 0 || len(s.q) == 0 {
			e := simEvent{At: float64(rng.IntN(50))} // many equal times
			s.push(e)
			seq++
			e.Seq = seq
			heap.Push(&ref, e)
			continue
		}
		got = append(got, s.pop().Seq)
		want = append(want, heap.Pop(&ref).(simEvent).Seq)
	}
	for len(s.q) > 0 {
		got = append(got, s.pop().Seq)
		want = append(want, heap.Pop(&ref).(simEvent).Seq)
	}
	if !slices.Equal(got, want) {
		t.Fatal("push/pop order differs from container/heap's")
	}
}
