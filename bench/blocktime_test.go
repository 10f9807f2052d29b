package bench

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// stepClock is a clock that moves only when told.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// MakeTestChain mines n blocks on a new powlab chain in dir whose blocks
// come every step while retargeting aims at 10 s every 4 blocks, so the
// difficulty rises.
func makeTestChain(t *testing.T, dir string, n int, step time.Duration) {
	t.Helper()
	ctx := context.Background()
	clk := &stepClock{t: time.Unix(1_700_000_000, 0)}
	target, _ := miner.ZeroBitsTarget(6)
	interval := uint64(4)
	c, err := chain.Open(ctx, dir, chain.Options{Rules: chain.RulesPowlab, Target: target, RetargetInterval: &interval,
		BlockTime: 10 * time.Second, Now: clk.now, Mine: chain.MineOptions{Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < n; i++ {
		clk.add(step)
		if _, err := c.Mine(ctx, chain.MineOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainBlockTimes(t *testing.T) {
	dir := t.TempDir()
	makeTestChain(t, dir, 12, 2*time.Second)
	rec, err := ChainBlockTimes(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Blocks) != 13 || rec.Intervals != 12 || rec.TargetIntervalSeconds != 10 {
		t.Fatalf("%d blocks, %d intervals, target %v", len(rec.Blocks), rec.Intervals, rec.TargetIntervalSeconds)
	}
	for _, b := range rec.Blocks[1:] {
		if math.Abs(b.IntervalSeconds-2) > 1e-6 {
			t.Fatalf("block %d: interval %v, want 2", b.Height, b.IntervalSeconds)
		}
	}
	first, last := rec.Blocks[1].Difficulty, rec.Blocks[len(rec.Blocks)-1].Difficulty
	if first != 64 || last <= first {
		t.Fatalf("difficulty %v → %v: blocks 5× too fast should raise it from 64", first, last)
	}
	if !strings.Contains(rec.Rules, "retarget every 4 blocks") || !strings.HasPrefix(rec.Source, "store ") {
		t.Fatalf("rules %q source %q", rec.Rules, rec.Source)
	}
}

// TestChainBlockTimesBitcoin: a bitcoin-rules block states its target as
// nBits, which the record shows (not powlab's empty target field).
func TestChainBlockTimesBitcoin(t *testing.T) {
	dir := t.TempDir()
	target, _ := miner.ZeroBitsTarget(6)
	c, err := chain.Open(context.Background(), dir, chain.Options{Rules: chain.RulesBitcoin, Target: target, Mine: chain.MineOptions{Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.Mine(context.Background(), chain.MineOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	rec, err := ChainBlockTimes(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range rec.Blocks {
		if b.Target != "bits 0x2003ffff" || b.Difficulty != 64 {
			t.Fatalf("block %d: target %q, difficulty %v", b.Height, b.Target, b.Difficulty)
		}
	}
}

func TestChainBlockTimesNoStore(t *testing.T) {
	if _, err := ChainBlockTimes(context.Background(), t.TempDir(), nil); !errors.Is(err, chain.ErrNoChain) {
		t.Fatalf("err %v", err)
	}
}

func TestReadTutorialChain(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []float64
		errHas string
	}{
		{"floats", `{"chain":[{"index":1,"timestamp":1506057125.900785},{"index":2,"timestamp":1506057130.5}],"length":2}`, []float64{1506057125.900785, 1506057130.5}, ""},
		{"flask dates", `{"chain":[{"index":1,"timestamp":"Thu, 26 Nov 2026 15:04:05 GMT"},{"index":2,"timestamp":"Thu, 26 Nov 2026 15:04:15 GMT"}]}`, []float64{1795705445, 1795705455}, ""},
		{"python str", `{"chain":[{"index":1,"timestamp":"2026-11-26 15:04:05.250000"}]}`, []float64{1795705445.25}, ""},
		{"length mismatch", `{"chain":[{"index":1,"timestamp":1}],"length":3}`, nil, "length says 3"},
		{"no chain", `{"blocks":[]}`, nil, `no "chain" array`},
		{"no index", `{"chain":[{"timestamp":1}]}`, nil, "has no index"},
		{"bad time", `{"chain":[{"index":1,"timestamp":"yesterday"}]}`, nil, "not a Unix time"},
		{"missing time", `{"chain":[{"index":1}]}`, nil, "missing"},
		{"not json", `chain`, nil, "tutorial chain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTutorialChain(strings.NewReader(tc.in))
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err %v, want %q", err, tc.errHas)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("got %v, %v", got, err)
			}
			for i, w := range tc.want {
				if math.Abs(got[i].Timestamp-w) > 1e-6 {
					t.Fatalf("block %d: %v, want %v", i, got[i].Timestamp, w)
				}
			}
		})
	}
}

func TestBlockTimesErrors(t *testing.T) {
	if _, err := BlockTimes(BlockTimeConfig{}, []BlockStamp{{Height: 1}}); err == nil {
		t.Fatal("one block accepted")
	}
	if _, err := BlockTimes(BlockTimeConfig{}, []BlockStamp{{Height: 1}, {Height: 1, Timestamp: 3}}); err == nil {
		t.Fatal("duplicate height accepted")
	}
	rec, err := BlockTimes(BlockTimeConfig{}, []BlockStamp{{Height: 3, Timestamp: 30}, {Height: 1, Timestamp: 5}, {Height: 2, Timestamp: 10}})
	if err != nil || rec.Blocks[0].Height != 1 || rec.Blocks[2].IntervalSeconds != 20 || rec.MeanIntervalSeconds != 12.5 {
		t.Fatalf("%v %+v", err, rec)
	}
}
