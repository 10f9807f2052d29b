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

// MinerSpec is one mining node of a network: a hashrate cap, a real kernel
// and worker count, or (simulation only) a share of the total hashrate; and
// its strategy.
type MinerSpec struct {
	// Text is the miner as written, without a repetition count.
	Text string
	// RateCap > 0: the node mines at most this many attempts/s (with the
	// best kernel and one worker); in a simulation, its hashrate.
	RateCap float64
	// Kernel and Workers, when RateCap and Share are 0 (real nodes only).
	Kernel  string
	Workers int
	// Share > 0 (from "30%"): the miner has this share of the network's
	// total hashrate (simulation only).
	Share float64
	// Strategy is Honest ("") or Selfish (simulation only).
	Strategy Strategy
}

// Strategy is how a miner publishes its blocks.
type Strategy string

const (
	// Honest publishes every block at once and mines on its best tip.
	Honest Strategy = ""
	// Selfish withholds blocks as in Eyal & Sirer (2014), "Majority is not
	// enough: Bitcoin mining is vulnerable".
	Selfish Strategy = "selfish"
)

func (s Strategy) String() string {
	if s == Honest {
		return "honest"
	}
	return string(s)
}

// Limits of a miner list.
const (
	// MaxRealMiners bounds a network of real nodes (each is an HTTP server
	// with a miner goroutine on this machine). On the 2-core dev box 128
	// capped miners of 20k/s in a ring mined 20 blocks in 19.5 s with 67 MB
	// and 20% of one core; what bounds it is gossip, which grows with the
	// links: in a full mesh of 128 (8128 links, every block crossing each)
	// the same miners took 1.2 GB and 1.5 cores, and half the blocks went
	// stale while gossip lagged.
	MaxRealMiners = 128
	// MaxSpawnPeers is the peers a spawned `powlab node` keeps
	// (node.DefaultMaxPeers): spawned meshes and stars stop at 65 nodes.
	MaxSpawnPeers = 64
	// MaxSimNodes bounds a simulated network (miners and relays): 100 000
	// nodes of degree 8 took 85 MB and 0.2 s of wall time per block on the
	// 2-core dev box.
	MaxSimNodes = 100_000
	// maxRepeat bounds one COUNTx repetition.
	maxRepeat = MaxSimNodes
)

// ErrBadSpec is wrapped by the network flag parsers' errors.
var ErrBadSpec = errors.New("invalid network spec")

// MinersGrammar is the --miners grammar, for help texts and errors.
const MinersGrammar = `MINERS   = ITEM {"," ITEM}
ITEM     = [COUNT "x"] MINER          COUNT: a plain integer (100x100k)
MINER    = [STRATEGY ":"] POWER | KERNEL "x" WORKERS
POWER    = RATE | PERCENT "%"         RATE: a number with k, M or G (500k, 1.5M)
STRATEGY = "honest" | "selfish"`

// ParseMinerSpecs parses a --miners list (see MinersGrammar): "4M,2M,500k",
// "avx512x1,genericx2", "100x100k", "4M,3x1M", "selfish:30%,4M,3M". A
// repetition COUNTxMINER is recognised only when COUNT is a plain integer
// and the rest is itself a miner; KERNELxWORKERS names a kernel, which never
// is a plain integer. It accepts 2 to MaxSimNodes miners; Config.check and
// SimConfig.check apply each mode's own limits.
func ParseMinerSpecs(s string) ([]MinerSpec, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: --miners: empty", ErrBadSpec)
	}
	var out []MinerSpec
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		count := 1
		if c, rest, ok := strings.Cut(part, "x"); ok && isPlainInt(c) {
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 || n > maxRepeat {
				return nil, fmt.Errorf("%w: miner %q: a repetition count must be from 1 to %d", ErrBadSpec, part, maxRepeat)
			}
			if r, _, ok := strings.Cut(rest, "x"); ok && isPlainInt(r) {
				return nil, fmt.Errorf("%w: miner %q: one repetition per item (COUNTxMINER, e.g. 100x100k)", ErrBadSpec, part)
			}
			if rest == "" {
				return nil, fmt.Errorf("%w: miner %q: a repetition needs a miner after the x, e.g. %sx100k", ErrBadSpec, part, c)
			}
			count, part = n, rest
		}
		m, err := ParseMinerSpec(part)
		if err != nil {
			return nil, err
		}
		if len(out)+count > MaxSimNodes {
			return nil, fmt.Errorf("%w: --miners %q: more than %d miners", ErrBadSpec, s, MaxSimNodes)
		}
		for range count {
			out = append(out, m)
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("%w: --miners %q: a network needs at least 2 miners, got %d", ErrBadSpec, s, len(out))
	}
	return out, nil
}

func isPlainInt(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseMinerSpec parses one miner: a rate with a k, M or G suffix (or none),
// a share such as 30%, either after "selfish:" or "honest:", or
// KERNELxWORKERS.
func ParseMinerSpec(s string) (MinerSpec, error) {
	if s == "" {
		return MinerSpec{}, fmt.Errorf("%w: empty miner in --miners", ErrBadSpec)
	}
	text := s
	var strat Strategy
	if name, power, ok := strings.Cut(s, ":"); ok {
		switch name {
		case "honest":
		case string(Selfish):
			strat = Selfish
		default:
			return MinerSpec{}, fmt.Errorf("%w: miner %q: strategy %q: want honest or selfish", ErrBadSpec, text, name)
		}
		s = power
		if s == "" {
			return MinerSpec{}, fmt.Errorf("%w: miner %q: give a rate or a share after the colon, e.g. %s:30%%", ErrBadSpec, text, name)
		}
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(pct, 64)
		if err != nil || !(v > 0 && v < 100) || !isDecimal(pct) {
			return MinerSpec{}, fmt.Errorf("%w: miner %q: a share must be a percentage above 0 and below 100", ErrBadSpec, text)
		}
		return MinerSpec{Text: text, Share: v / 100, Strategy: strat}, nil
	}
	if r, ok := parseRate(s); ok {
		if !(r >= 1 && r <= 1e12) {
			return MinerSpec{}, fmt.Errorf("%w: miner %q: a rate must be from 1 to 1T attempts/s", ErrBadSpec, text)
		}
		return MinerSpec{Text: text, RateCap: r, Strategy: strat}, nil
	}
	if strat != Honest {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: a %s miner takes a rate or a share (selfish:30%%, selfish:2M)", ErrBadSpec, text, strat)
	}
	i := strings.LastIndexByte(s, 'x')
	if i <= 0 {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: want a rate such as 2M or 500k, a share such as 30%%, COUNTxMINER such as 3x1M, or KERNELxWORKERS such as avx512x1", ErrBadSpec, text)
	}
	name, ws := s[:i], s[i+1:]
	w, err := strconv.Atoi(ws)
	if err != nil || w < 1 || w > 256 {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: %q is not a worker count from 1 to 256", ErrBadSpec, text, ws)
	}
	if _, err := sha256x.ByName(name); err != nil {
		return MinerSpec{}, fmt.Errorf("%w: miner %q: %v", ErrBadSpec, text, err)
	}
	return MinerSpec{Text: text, Kernel: name, Workers: w}, nil
}

// isDecimal reports whether s is a plain decimal number (digits and at most
// one point): strconv.ParseFloat alone would take "0x1p3", "1e3" or "inf".
func isDecimal(s string) bool {
	dot := false
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
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
	digits := strings.TrimLeft(num, "+-") // a signed rate is parsed, then refused by its range
	if len(num)-len(digits) > 1 || !isDecimal(digits) {
		return 0, false
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	return v * mult, true
}

// Shares gives each miner's share of the total hashrate: a percentage as
// given, the rest split among the rated miners in proportion to their
// rates. Kernel miners (no known rate) are refused, so are shares that add
// up to 100% or more beside rated miners, or to other than 100% alone.
func Shares(specs []MinerSpec) ([]float64, error) {
	var pct, rate float64
	for _, m := range specs {
		switch {
		case m.Share > 0:
			pct += m.Share
		case m.RateCap > 0:
			rate += m.RateCap
		default:
			return nil, fmt.Errorf("%w: miner %q: a simulated miner needs a rate (2M) or a share (30%%); KERNELxWORKERS is for real nodes", ErrBadSpec, m.Text)
		}
	}
	const eps = 1e-9
	switch {
	case rate == 0 && math.Abs(pct-1) > eps:
		return nil, fmt.Errorf("%w: --miners: the shares add up to %.4g%%; alone they must add up to 100%%", ErrBadSpec, 100*pct)
	case rate > 0 && pct >= 1-eps:
		return nil, fmt.Errorf("%w: --miners: the shares add up to %.4g%%, leaving nothing for the miners given as rates", ErrBadSpec, 100*pct)
	}
	out := make([]float64, len(specs))
	for i, m := range specs {
		if m.Share > 0 {
			out[i] = m.Share
		} else {
			out[i] = (1 - pct) * m.RateCap / rate
		}
	}
	return out, nil
}

// ParseBytes parses a size in bytes with an optional k, M or G (powers of
// 1000) and an optional B: "1MB", "500k", "0".
func ParseBytes(flag, s string) (int64, error) {
	t := strings.TrimSuffix(s, "B")
	if t == "" {
		return 0, fmt.Errorf("%w: %s %q: want a size such as 1MB, 500kB or 0", ErrBadSpec, flag, s)
	}
	v, ok := parseRate(t)
	if !ok || v < 0 || v > 1e12 {
		return 0, fmt.Errorf("%w: %s %q: want a size from 0 to 1TB, such as 1MB or 500kB", ErrBadSpec, flag, s)
	}
	return int64(math.Round(v)), nil
}

// ParseBandwidth parses a link bandwidth in bits per second with an
// optional k, M or G and an optional "bit/s" or "bps": "100M", "8Mbit/s",
// "1Gbps"; "0" is unlimited.
func ParseBandwidth(s string) (float64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(s, "bit/s"), "bps")
	if t == "" {
		return 0, fmt.Errorf("%w: --bandwidth %q: want bits per second such as 100M, 8Mbit/s or 0 (unlimited)", ErrBadSpec, s)
	}
	v, ok := parseRate(t)
	if !ok || v < 0 || v > 1e15 {
		return 0, fmt.Errorf("%w: --bandwidth %q: want bits per second from 0 (unlimited) to 1P, such as 100M or 8Mbit/s", ErrBadSpec, s)
	}
	return v, nil
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
	// Random: each node keeps Degree outbound links to peers drawn at
	// random; the links are undirected, so a node has Degree or more.
	Random Topology = "random"
)

// DefaultDegree is the outbound links per node of a random topology:
// Bitcoin Core's eight outbound full-relay connections.
const DefaultDegree = 8

// ParseTopology checks a topology name.
func ParseTopology(s string) (Topology, error) {
	switch Topology(s) {
	case Mesh, Ring, Star, Random:
		return Topology(s), nil
	}
	return "", fmt.Errorf("%w: --topology %q: want mesh, ring, star or random", ErrBadSpec, s)
}

// Peers returns, for node i (0-based) of n, the indexes it connects to in
// a mesh, ring or star (a random topology is drawn by BuildGraph).
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
