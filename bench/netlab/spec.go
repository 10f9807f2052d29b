package netlab

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/powlab/powlab/miner/sha256x"
)

// MinerSpec is one node of a mini network: either a hashrate cap or a real
// kernel and worker count.
type MinerSpec struct {
	Text string
	// RateCap > 0: the node mines at most this many attempts/s (with the
	// best kernel and one worker).
	RateCap float64
	// Kernel and Workers, when RateCap is 0.
	Kernel  string
	Workers int
}

// ErrBadSpec is wrapped by the network flag parsers' errors.
var ErrBadSpec = errors.New("invalid network spec")

// ParseMinerSpecs parses "4M,2M,500k" or "avx512x1,genericx2".
func ParseMinerSpecs(s string) ([]MinerSpec, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: --miners: empty", ErrBadSpec)
	}
	var out []MinerSpec
	for _, part := range strings.Split(s, ",") {
		m, err := ParseMinerSpec(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if len(out) < 2 || len(out) > 32 {
		return nil, fmt.Errorf("%w: --miners %q: a network needs 2 to 32 miners, got %d", ErrBadSpec, s, len(out))
	}
	return out, nil
}

// ParseMinerSpec parses one miner: a rate with a k, M or G suffix (or none),
// or KERNELxWORKERS.
func ParseMinerSpec(s string) (MinerSpec, error) {
	if s == "" {
		return MinerSpec{}, fmt.Errorf("%w: empty miner in --miners", ErrBadSpec)
	}
	if r, ok := parseRate(s); ok {
		if !(r >= 1 && r <= 1e12) {
			return MinerSpec{}, fmt.Errorf("%w: miner %q: a rate must be from 1 to 1T attempts/s", ErrBadSpec, s)
		}
		return MinerSpec{Text: s, RateCap: r}, nil
	}
	i := strings.LastIndexByte(s, 'x')
	if i <= 0 {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: want a rate such as 2M or 500k, or KERNELxWORKERS such as avx512x1", ErrBadSpec, s)
	}
	name, ws := s[:i], s[i+1:]
	w, err := strconv.Atoi(ws)
	if err != nil || w < 1 || w > 256 {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: %q is not a worker count from 1 to 256", ErrBadSpec, s, ws)
	}
	if _, err := sha256x.ByName(name); err != nil {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: %v", ErrBadSpec, s, err)
	}
	return MinerSpec{Text: s, Kernel: name, Workers: w}, nil
}

func parseRate(s string) (float64, bool) {
	mult := 1.0
	switch s[len(s)-1] {
	case 'k', 'K':
		mult = 1e3
	case 'm', 'M':
		mult = 1e6
	case 'g', 'G':
		mult = 1e9
	}
	num := s
	if mult != 1 {
		num = s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v * mult, true
}

// Latency is a per-link gossip delay: fixed (Min == Max) or uniform in
// [Min, Max].
type Latency struct{ Min, Max time.Duration }

// ParseLatency parses "50ms", "0" or "20ms..200ms".
func ParseLatency(s string) (Latency, error) {
	if s == "" || s == "0" {
		return Latency{}, nil
	}
	lo, hi, isRange := strings.Cut(s, "..")
	a, err := time.ParseDuration(lo)
	if err != nil {
		return Latency{}, fmt.Errorf("%w: --latency %q: %v", ErrBadSpec, s, err)
	}
	b := a
	if isRange {
		if b, err = time.ParseDuration(hi); err != nil {
			return Latency{}, fmt.Errorf("%w: --latency %q: %v", ErrBadSpec, s, err)
		}
	}
	if a < 0 || b < a || b > time.Minute {
		return Latency{}, fmt.Errorf("%w: --latency %q: want 0 <= min <= max <= 1m", ErrBadSpec, s)
	}
	return Latency{a, b}, nil
}

// Draw picks one delay.
func (l Latency) Draw(rng *rand.Rand) time.Duration {
	if l.Max <= l.Min {
		return l.Min
	}
	return l.Min + time.Duration(rng.Int64N(int64(l.Max-l.Min)+1))
}

func (l Latency) String() string {
	if l.Min == l.Max {
		return l.Min.String()
	}
	return l.Min.String() + ".." + l.Max.String()
}

// Partition cuts one node off from every other for a window of the run.
type Partition struct {
	Node       int // 1-based
	From, Till time.Duration
}

// ParsePartition parses "2@10s..20s" for a network of n nodes ("" is none).
func ParsePartition(s string, n int) (*Partition, error) {
	if s == "" {
		return nil, nil
	}
	node, win, ok := strings.Cut(s, "@")
	lo, hi, ok2 := strings.Cut(win, "..")
	if !ok || !ok2 {
		return nil, fmt.Errorf("%w: --partition %q: want NODE@FROM..TILL, e.g. 2@10s..20s", ErrBadSpec, s)
	}
	id, err := strconv.Atoi(node)
	if err != nil || id < 1 || id > n {
		return nil, fmt.Errorf("%w: --partition %q: node must be from 1 to %d", ErrBadSpec, s, n)
	}
	from, err1 := time.ParseDuration(lo)
	till, err2 := time.ParseDuration(hi)
	if err1 != nil || err2 != nil || from < 0 || till <= from {
		return nil, fmt.Errorf("%w: --partition %q: want 0 <= FROM < TILL, as durations", ErrBadSpec, s)
	}
	return &Partition{Node: id, From: from, Till: till}, nil
}

// Cut reports whether the link between nodes a and b (1-based) is down at
// time t into the run.
func (p *Partition) Cut(a, b int, t time.Duration) bool {
	if p == nil || t < p.From || t >= p.Till {
		return false
	}
	return (a == p.Node) != (b == p.Node)
}

// Topology names which nodes are peers.
type Topology string

const (
	Mesh Topology = "mesh"
	Ring Topology = "ring"
	Star Topology = "star"
)

// ParseTopology checks a topology name.
func ParseTopology(s string) (Topology, error) {
	switch Topology(s) {
	case Mesh, Ring, Star:
		return Topology(s), nil
	}
	return "", fmt.Errorf("%w: --topology %q: want mesh, ring or star", ErrBadSpec, s)
}

// Peers returns, for node i (0-based) of n, the indexes it connects to.
func (t Topology) Peers(i, n int) []int {
	var out []int
	switch t {
	case Ring:
		if n == 2 {
			return []int{1 - i}
		}
		out = []int{(i + n - 1) % n, (i + 1) % n}
	case Star:
		if i == 0 {
			for j := 1; j < n; j++ {
				out = append(out, j)
			}
		} else {
			out = []int{0}
		}
	default:
		for j := 0; j < n; j++ {
			if j != i {
				out = append(out, j)
			}
		}
	}
	return out
}
