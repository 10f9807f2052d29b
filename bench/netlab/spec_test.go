package netlab

import (
	"errors"
	"math/rand/v2"
	"reflect"
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
		{"one miner", "4M", nil, true},
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
	if _, err := ParseTopology("tree"); err == nil {
		t.Fatal("tree accepted")
	}
}
