package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/results"
)

// BlockStamp is what the block-time chart needs from one block.
type BlockStamp struct {
	Height    uint64
	Timestamp float64 // Unix seconds
	// Difficulty is the expected attempts (1/p) of the block's target;
	// 0 when unknown.
	Difficulty float64
	Target     string
}

// BlockTimeConfig describes where blocks came from.
type BlockTimeConfig struct {
	Source                string
	Rules                 string
	DifficultyNote        string
	TargetIntervalSeconds float64
	Command               []string
}

// BlockTimes builds a block-time record from blocks (sorted by height here):
// the interval since the previous block and their statistics.
func BlockTimes(cfg BlockTimeConfig, blocks []BlockStamp) (*results.BlockTime, error) {
	if len(blocks) < 2 {
		return nil, fmt.Errorf("block times: %d blocks, need at least 2 for an interval", len(blocks))
	}
	bs := slices.Clone(blocks)
	slices.SortStableFunc(bs, func(a, b BlockStamp) int {
		switch {
		case a.Height < b.Height:
			return -1
		case a.Height > b.Height:
			return 1
		}
		return 0
	})
	rec := &results.BlockTime{
		Header:                results.NewHeader(results.KindBlockTime, cfg.Command),
		Source:                cfg.Source,
		Rules:                 cfg.Rules,
		DifficultyNote:        cfg.DifficultyNote,
		TargetIntervalSeconds: cfg.TargetIntervalSeconds,
		Blocks:                make([]results.BlockPoint, len(bs)),
	}
	var iv []float64
	for i, b := range bs {
		if math.IsNaN(b.Timestamp) || math.IsInf(b.Timestamp, 0) {
			return nil, fmt.Errorf("block times: block %d: timestamp %v", b.Height, b.Timestamp)
		}
		if i > 0 && b.Height == bs[i-1].Height {
			return nil, fmt.Errorf("block times: two blocks at height %d", b.Height)
		}
		pt := results.BlockPoint{Height: b.Height, Timestamp: b.Timestamp, Difficulty: b.Difficulty, Target: b.Target}
		if i > 0 {
			pt.IntervalSeconds = b.Timestamp - bs[i-1].Timestamp
			iv = append(iv, pt.IntervalSeconds)
		}
		rec.Blocks[i] = pt
	}
	rec.Intervals = len(iv)
	rec.MeanIntervalSeconds = Mean(iv)
	rec.MedianIntervalSeconds = Median(iv)
	rec.MinIntervalSeconds, rec.MaxIntervalSeconds = slices.Min(iv), slices.Max(iv)
	return rec, nil
}

// maxChainFile bounds a tutorial chain file read into memory.
const maxChainFile = 512 << 20

// ReadTutorialChain reads the tutorial's GET /chain answer,
// {"chain": [{"index": …, "timestamp": …, …}, …], "length": n}, and returns
// each block's index and timestamp. A timestamp may be a number of Unix
// seconds (as the tutorial's example block) or a date string as Flask's
// jsonify writes a datetime ("Thu, 26 Nov 2026 15:04:05 GMT") or RFC 3339.
// Difficulty is left 0: the tutorial's chain does not store it.
func ReadTutorialChain(r io.Reader) ([]BlockStamp, error) {
	var doc struct {
		Chain []struct {
			Index     *uint64         `json:"index"`
			Timestamp json.RawMessage `json:"timestamp"`
		} `json:"chain"`
		Length *int `json:"length"`
	}
	dec := json.NewDecoder(io.LimitReader(r, maxChainFile))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("tutorial chain: %w", err)
	}
	if doc.Chain == nil {
		return nil, errors.New(`tutorial chain: no "chain" array`)
	}
	if doc.Length != nil && *doc.Length != len(doc.Chain) {
		return nil, fmt.Errorf("tutorial chain: length says %d, the chain holds %d blocks", *doc.Length, len(doc.Chain))
	}
	out := make([]BlockStamp, 0, len(doc.Chain))
	for i, b := range doc.Chain {
		if b.Index == nil {
			return nil, fmt.Errorf("tutorial chain: block %d has no index", i)
		}
		ts, err := parseTimestamp(b.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("tutorial chain: block %d: timestamp: %w", *b.Index, err)
		}
		out = append(out, BlockStamp{Height: *b.Index, Timestamp: ts})
	}
	return out, nil
}

func parseTimestamp(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, errors.New("missing")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%v is not a time", f)
		}
		return f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("%s is neither a number nor a string", raw)
	}
	s = strings.TrimSpace(s)
	if t, err := http.ParseTime(s); err == nil {
		return float64(t.UnixNano()) / 1e9, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return float64(t.UnixNano()) / 1e9, nil
		}
	}
	return 0, fmt.Errorf("%q is not a Unix time or a date", s)
}

// ChainBlockTimes reads the main chain of the store in data directory dir
// and builds its block-time record: each block's timestamp and the expected
// attempts of the target it was mined at (per block under powlab's rules,
// which can retarget; the fixed target under the tutorial's). It fails if
// dir holds no chain (wrapping chain.ErrNoChain), or another process holds
// the store.
func ChainBlockTimes(ctx context.Context, dir string, command []string) (*results.BlockTime, error) {
	c, err := chain.Open(ctx, dir, chain.Options{MustExist: true})
	if err != nil {
		return nil, fmt.Errorf("block times: %w", err)
	}
	defer c.Close()
	p := c.Params()
	rules := c.Rules()
	cfg := BlockTimeConfig{Source: "store " + dir, Rules: p.String(), Command: command}
	if p.Rules == chain.RulesTutorial {
		cfg.DifficultyNote = "fixed by the tutorial rules at " + p.Target.String()
	}
	if p.Rules != chain.RulesTutorial && p.Retargets() {
		cfg.TargetIntervalSeconds = p.BlockTime.Seconds()
	}
	blocks := c.Blocks()
	stamps := make([]BlockStamp, len(blocks))
	for i, b := range blocks {
		s := BlockStamp{Height: b.Index, Timestamp: b.Timestamp.Float64(), Difficulty: rules.Work(b).Float64()}
		switch p.Rules {
		case chain.RulesTutorial:
			s.Target = p.Target.String()
		case chain.RulesBitcoin:
			s.Target = fmt.Sprintf("bits %#08x", b.Bits)
		default:
			s.Target = b.Target.String()
		}
		stamps[i] = s
	}
	return BlockTimes(cfg, stamps)
}
