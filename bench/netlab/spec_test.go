package netlab

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestParseMinerSpecs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []MinerSpec
		err  bool
	}{
		{"caps", "4M,2M,1M,500k", []MinerSpec{{Text: "4M", RateCap: 4e6}, {Text: "2M", RateCap: 2e6}, {Text: "1M", RateCap: 1e6}, {Text: "500k", RateCap: 5e5}}, false},
		{"plain and fractional", "1500,1.5k", []MinerSpec{{Text: "1500", RateCap: 1500}, {Text: "1.5k", RateCap: 1500}}, false},
		{"kernels", "genericx1,stdlibx2", []MinerSpec{{Text: "genericx1", Kernel: "generic", Workers: 1}, {Text: "stdlibx2", Kernel: "stdlib", Workers: 2}}, false},
		{"repeated", "3x100k", []MinerSpec{{Text: "100k", RateCap: 1e5}, {Text: "100k", RateCap: 1e5}, {Text: "100k", RateCap: 1e5}}, false},
		{"repeated beside one", "4M,2x1M", []MinerSpec{{Text: "4M", RateCap: 4e6}, {Text: "1M", RateCap: 1e6}, {Text: "1M", RateCap: 1e6}}, false},
		{"repeated kernel", "2xgenericx1", []MinerSpec{{Text: "genericx1", Kernel: "generic", Workers: 1}, {Text: "genericx1", Kernel: "generic", Workers: 1}}, false},
		{"count times plain rate", "2x1", []MinerSpec{{Text: "1", RateCap: 1}, {Text: "1", RateCap: 1}}, false},
		{"selfish share", "selfish:30%,4M,3M", []MinerSpec{{Text: "selfish:30%", Share: 0.3, Strategy: Selfish}, {Text: "4M", RateCap: 4e6}, {Text: "3M", RateCap: 3e6}}, false},
		{"selfish rate, honest share", "selfish:2M,honest:50%", []MinerSpec{{Text: "selfish:2M", RateCap: 2e6, Strategy: Selfish}, {Text: "honest:50%", Share: 0.5}}, false},
		{"shares", "60%,40%", []MinerSpec{{Text: "60%", Share: 0.6}, {Text: "40%", Share: 0.4}}, false},
		{"one miner", "4M", nil, true},
		{"one repeated to one", "1x4M", nil, true},
		{"nested repetition", "2x3x1M", nil, true},
		{"repetition of nothing", "10x,1M", nil, true},
		{"zero repetitions", "0x1M,1M", nil, true},
		{"too many", "100001x1k", nil, true},
		{"hex float", "0x1p3,1M", nil, true},
		{"exponent", "1e3,1M", nil, true},
		{"infinite", "inf,1M", nil, true},
		{"selfish kernel", "selfish:genericx1,1M", nil, true},
		{"unknown strategy", "greedy:30%,1M", nil, true},
		{"strategy without power", "selfish:,1M", nil, true},
		{"share 100", "100%,1M", nil, true},
		{"share 0", "0%,1M", nil, true},
		{"share garbage", "x%,1M", nil, true},
		{"capital X", "3X1M", nil, true},
		{"empty", "", nil, true},
		{"bad kernel", "warpx1,1M", nil, true},
		{"bad workers", "genericx0,1M", nil, true},
		{"garbage", "fast,slow", nil, true},
		{"nan", "NaN,1M", nil, true},
		{"negative", "-1M,1M", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMinerSpecs(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("err %v", err)
			}
			if err != nil && !errors.Is(err, ErrBadSpec) {
				t.Fatalf("err %v is not ErrBadSpec", err)
			}
			if !tc.err && !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseLatencyAndPartition(t *testing.T) {
	l, err := ParseLatency("20ms..200ms")
	if err != nil || l.Min != 20*time.Millisecond || l.Max != 200*time.Millisecond {
		t.Fatalf("%v %v", l, err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 1000; i++ {
		if d := l.Draw(rng); d < l.Min || d > l.Max {
			t.Fatalf("draw %v outside %v", d, l)
		}
	}
	for _, bad := range []string{"fast", "200ms..20ms", "-5ms", "1h"} {
		if _, err := ParseLatency(bad); err == nil {
			t.Errorf("latency %q accepted", bad)
		}
	}
	p, err := ParsePartition("2@10s..20s", 3)
	if err != nil || p.Node != 2 || p.From != 10*time.Second || p.Till != 20*time.Second {
		t.Fatalf("%+v %v", p, err)
	}
	if !p.Cut(2, 1, 15*time.Second) || p.Cut(1, 3, 15*time.Second) || p.Cut(2, 1, 25*time.Second) {
		t.Fatal("Cut wrong")
	}
	for _, bad := range []string{"4@1s..2s", "2@2s..1s", "x@1s..2s", "2@1s", "2"} {
		if _, err := ParsePartition(bad, 3); err == nil {
			t.Errorf("partition %q accepted", bad)
		}
	}
}

func TestTopologyPeers(t *testing.T) {
	if got := Mesh.Peers(1, 4); !reflect.DeepEqual(got, []int{0, 2, 3}) {
		t.Fatal(got)
	}
	if got := Ring.Peers(0, 4); !reflect.DeepEqual(got, []int{3, 1}) {
		t.Fatal(got)
	}
	if got := Star.Peers(2, 4); !reflect.DeepEqual(got, []int{0}) {
		t.Fatal(got)
	}
	if top, err := ParseTopology("random"); err != nil || top != Random {
		t.Fatal(top, err)
	}
	if _, err := ParseTopology("tree"); err == nil {
		t.Fatal("tree accepted")
	}
}

func TestShares(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []float64
		err  bool
	}{
		{"rates", "3M,1M", []float64{0.75, 0.25}, false},
		{"share beside rates", "selfish:30%,4M,3M", []float64{0.3, 0.4, 0.3}, false},
		{"shares alone", "60%,40%", []float64{0.6, 0.4}, false},
		{"shares alone short of 100", "60%,30%", nil, true},
		{"shares leave nothing", "60%,40%,1M", nil, true},
		{"kernel", "genericx1,1M", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Shares(mustSpecs(t, tc.in))
			if (err != nil) != tc.err {
				t.Fatalf("err %v", err)
			}
			if err != nil && !errors.Is(err, ErrBadSpec) {
				t.Fatalf("err %v is not ErrBadSpec", err)
			}
			for i := range tc.want {
				if math.Abs(got[i]-tc.want[i]) > 1e-12 {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"1MB", 1e6}, {"500k", 5e5}, {"500kB", 5e5}, {"0", 0}, {"285", 285}, {"1.5M", 1.5e6}} {
		if got, err := ParseBytes("--block-size", tc.in); err != nil || got != tc.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "B", "-1MB", "1TBB", "lots", "2T"} {
		if _, err := ParseBytes("--block-size", bad); !errors.Is(err, ErrBadSpec) {
			t.Errorf("ParseBytes(%q) accepted (%v)", bad, err)
		}
	}
	for _, tc := range []struct {
		in   string
		want float64
	}{{"100M", 1e8}, {"8Mbit/s", 8e6}, {"1Gbps", 1e9}, {"0", 0}, {"56k", 56e3}} {
		if got, err := ParseBandwidth(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseBandwidth(%q) = %g, %v; want %g", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "bps", "-1M", "fast", "1MB/s"} {
		if _, err := ParseBandwidth(bad); !errors.Is(err, ErrBadSpec) {
			t.Errorf("ParseBandwidth(%q) accepted (%v)", bad, err)
		}
	}
}

func TestBuildGraph(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	g, err := BuildGraph(Random, 200, 8, rng)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Connected() {
		t.Fatal("a random 8-out graph of 200 nodes should be connected")
	}
	seen := map[[2]int32]bool{}
	for _, l := range g.Links {
		if l[0] >= l[1] || seen[l] {
			t.Fatalf("link %v repeated or not ordered", l)
		}
		seen[l] = true
	}
	for i := range g.Nodes() {
		row := g.Neighbors(i)
		if len(row) < 8 {
			t.Fatalf("node %d has %d neighbours, want at least its 8 outbound", i, len(row))
		}
		for k, j := range row {
			if int(j) == i || (k > 0 && row[k-1] >= j) {
				t.Fatalf("node %d: row %v not ascending without self", i, row)
			}
			l := g.Links[g.LinkOf[int(g.Off[i])+k]]
			if !(l == [2]int32{int32(min(i, int(j))), int32(max(i, int(j)))}) {
				t.Fatalf("node %d neighbour %d: link %v", i, j, l)
			}
			if !slices.Contains(g.Neighbors(int(j)), int32(i)) {
				t.Fatalf("link %d-%d is one-way", i, j)
			}
		}
	}
	// The same seed draws the same graph.
	g2, _ := BuildGraph(Random, 200, 8, rand.New(rand.NewPCG(7, 7)))
	if !reflect.DeepEqual(g, g2) {
		t.Fatal("same seed, different graph")
	}
	ring, _ := BuildGraph(Ring, 5, 0, nil)
	if len(ring.Links) != 5 || !ring.Connected() {
		t.Fatalf("ring links %v", ring.Links)
	}
	star, _ := BuildGraph(Star, 5, 0, nil)
	if !reflect.DeepEqual(star.Neighbors(0), []int32{1, 2, 3, 4}) || !reflect.DeepEqual(star.Neighbors(3), []int32{0}) {
		t.Fatal("star wrong")
	}
	for _, tc := range []struct {
		top       Topology
		n, degree int
	}{{Random, 10, 0}, {Random, 10, 10}, {Mesh, MaxMeshNodes + 1, 0}, {Random, 1, 1}, {"tree", 4, 0}} {
		if _, err := BuildGraph(tc.top, tc.n, tc.degree, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, ErrBadSpec) {
			t.Errorf("BuildGraph(%s, %d, %d): %v", tc.top, tc.n, tc.degree, err)
		}
	}
}

// FuzzParseMinerSpecs: any input parses or fails with ErrBadSpec, never
// panics, and a parsed miner is exactly one of a rate, a share or a kernel.
func FuzzParseMinerSpecs(f *testing.F) {
	for _, s := range []string{"4M,2M", "100x100k", "4M,3x1M", "selfish:30%,4M,3M", "avx512x1,genericx2", "2x2x1M", "0x1p3,1", "honest:50%,50%", "x,", "9999999x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			return // a repetition of 100 000 miners is legal and large; keep each case cheap
		}
		specs, err := ParseMinerSpecs(s)
		if err != nil {
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("%q: error %v is not ErrBadSpec", s, err)
			}
			return
		}
		if len(specs) < 2 || len(specs) > MaxSimNodes {
			t.Fatalf("%q: %d miners", s, len(specs))
		}
		for _, m := range specs {
			kinds := 0
			if m.RateCap > 0 {
				kinds++
			}
			if m.Share > 0 {
				kinds++
			}
			if m.Kernel != "" {
				kinds++
			}
			if kinds != 1 || (m.Kernel != "" && m.Strategy != Honest) || !(m.Share < 1) {
				t.Fatalf("%q: miner %+v", s, m)
			}
		}
	})
}
