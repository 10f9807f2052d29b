package netlab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

// Config describes a mini network of competing miners.
type Config struct {
	// Miners mine on nodes 1..len(Miners).
	Miners []MinerSpec
	// Nodes is the network's size: the nodes after the miners relay
	// blocks without mining (0: len(Miners); at most MaxRealMiners).
	Nodes int
	// Rules are chain.RulesPowlab ("" too), chain.RulesTutorial or
	// chain.RulesBitcoin.
	Rules string
	// Target is the genesis block's target (required; the CLI picks
	// DefaultBits for about one block per second when none is given). It
	// stays fixed unless Difficulty names an adjustment algorithm.
	Target miner.Target
	// Difficulty sets the nodes' difficulty algorithm (chain.Options'
	// DAA, RetargetInterval, BlockTime and HalfLife; its Rules and Target
	// are ignored): the zero value keeps the rules' default, which for
	// powlab rules is a fixed target.
	Difficulty chain.Options
	// RateSteps change every capped miner's cap during the run: once the
	// best chain reaches a step's height, each miner mines at Factor × its
	// cap (a step in hashrate, for difficulty algorithms to follow). In
	// process only, every miner capped, heights increasing.
	RateSteps []RateStep
	// Blocks stops the run when the best chain holds this many blocks after
	// genesis; Duration stops it after that long. At least one must be set.
	Blocks   int
	Duration time.Duration
	// Latency is drawn once per link from the seeded RNG.
	Latency   Latency
	Topology  Topology // "" is a full mesh
	Partition *Partition
	// Seed fixes every random choice: latencies, reward addresses.
	Seed uint64
	// Spawn runs each node as its own `powlab node` process (Executable,
	// default os.Executable()) instead of in this process.
	Spawn      bool
	Executable string
	// Command is recorded in the header.
	Command []string
	// Progress, if set, is called about every ProgressInterval (default
	// 250 ms) from the run's goroutine.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// ConvergeTimeout bounds the wait for one tip after the miners stop
	// (default 20 s).
	ConvergeTimeout time.Duration
	Logger          *slog.Logger
}

// Progress is a snapshot of a running network.
type Progress struct {
	Elapsed     time.Duration
	Phase       string // "mining", then "converging"
	Height      int    // best chain, blocks after genesis
	Mined       int    // blocks mined so far (all nodes)
	Reorgs      int    // reorganisations so far (all nodes)
	Partitioned bool
	Rates       []float64 // attempts/s per node, latest sample
	// SimTime is the simulated clock (simulation only; Elapsed is then
	// the wall time).
	SimTime time.Duration
}

// Defaults and tuning of a network run.
const (
	// DefaultBlocks keeps a default run under a minute at about one
	// block per second (DefaultBlockTime, what the default target aims at).
	DefaultBlocks    = 20
	DefaultBlockTime = time.Second
	// Progress four times a second is smooth on a terminal and cheap.
	defaultProgressInterval = 250 * time.Millisecond
	// Convergence takes a few gossip latencies, or one block after a tie;
	// 20 s leaves room for slow blocks on a busy machine.
	defaultConvergeTimeout = 20 * time.Second
	// netTick: stop checks and convergence polls; 20 ms is small against a
	// block interval and against the convergence times being measured.
	netTick = 20 * time.Millisecond
	// rateSampleInterval: per-node attempts/s samples; a few per block.
	rateSampleInterval = 250 * time.Millisecond
	// resolveEvery: while converging, in case a gossip message was lost.
	resolveEvery = time.Second
	// tieWait: after this long without one tip, assume a tie and mine on.
	tieWait = 2 * time.Second
	// calibrationTime per uncapped spec: enough chunks for a stable rate.
	calibrationTime = 300 * time.Millisecond
	// maxNetBits bounds the default target (2^60 attempts is days anywhere).
	maxNetBits = 60
	// netPeerTimeout: loopback answers in milliseconds; a stuck peer must
	// not hold a resolve for the node package's default 10 s.
	netPeerTimeout = 5 * time.Second
	// interruptedConvergeBudget: after Ctrl-C, report quickly.
	interruptedConvergeBudget = 5 * time.Second
)

// netGenesisTime is every network's genesis timestamp: all nodes share one
// genesis block, the same for a given rules and target on every run.
var netGenesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrConfig is wrapped by Run's errors about its configuration.
var ErrConfig = errors.New("invalid network configuration")

// DefaultBits is the number of leading zero bits whose expected attempts
// (2^bits) come closest to totalRate attempts/s × blockTime.
func DefaultBits(totalRate float64, blockTime time.Duration) int {
	a := totalRate * blockTime.Seconds()
	if !(a > 2) {
		return 1
	}
	return min(max(int(math.Round(math.Log2(a))), 1), maxNetBits)
}

// CalibrateSpecs measures, for each uncapped spec, its kernel and workers'
// attempts/s alone on this machine (about 300 ms each) on a puzzle of the
// rules' hash (sha256d for bitcoin rules, the tutorial's sha256 puzzle
// otherwise); capped specs get their cap. The sum sizes the default target.
func CalibrateSpecs(ctx context.Context, specs []MinerSpec, rules string) ([]float64, error) {
	out := make([]float64, len(specs))
	for i, m := range specs {
		if m.RateCap > 0 {
			out[i] = m.RateCap
			continue
		}
		k, err := sha256x.ByName(m.Kernel)
		if err != nil {
			return nil, fmt.Errorf("calibrate %s: %w", m.Text, err)
		}
		t, _ := miner.ZeroBitsTarget(64)
		cctx, cancel := context.WithTimeout(ctx, calibrationTime)
		p := miner.TutorialPuzzle(uint64(i))
		if rules == chain.RulesBitcoin {
			var hdr [sha256x.HeaderLen]byte // any header: the rate does not depend on it
			hdr[0] = byte(i)
			p, _ = miner.HeaderPuzzle(hdr[:], 0)
		}
		r, err := miner.Search(cctx, p, t, miner.Options{Workers: m.Workers, Kernel: k, Mode: miner.Count})
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("calibrate %s: %w", m.Text, err)
		}
		out[i] = r.Rate()
	}
	return out, nil
}

func (c *Config) check() error {
	n := len(c.Miners)
	if n < 2 || n > MaxRealMiners {
		return fmt.Errorf("%w: a network of real nodes needs 2 to %d miners, got %d (larger networks: the simulation)", ErrConfig, MaxRealMiners, n)
	}
	if c.Nodes == 0 {
		c.Nodes = n
	}
	if c.Nodes < n || c.Nodes > MaxRealMiners {
		return fmt.Errorf("%w: %d nodes: a network of real nodes has from its %d miners to %d nodes", ErrConfig, c.Nodes, n, MaxRealMiners)
	}
	n = c.Nodes
	if c.Spawn && (c.Topology == "" || c.Topology == Mesh || c.Topology == Star) && n-1 > MaxSpawnPeers {
		return fmt.Errorf("%w: %d spawned nodes in a %s: a spawned node keeps at most %d peers; use a ring or run them in process", ErrConfig, n, cmpOr(c.Topology, Mesh), MaxSpawnPeers)
	}
	for _, m := range c.Miners {
		if m.Share > 0 {
			return fmt.Errorf("%w: miner %q: shares are for the simulation; real nodes take a rate or KERNELxWORKERS", ErrConfig, m.Text)
		}
		if m.Strategy == Selfish && (m.RateCap <= 0 || c.Spawn) {
			return fmt.Errorf("%w: miner %q: a real selfish miner needs a rate cap (selfish:1M) and runs in process, not spawned", ErrConfig, m.Text)
		}
	}
	switch c.Rules {
	case "":
		c.Rules = chain.RulesPowlab
	case chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin:
	default:
		return fmt.Errorf("%w: rules %q: want %s, %s or %s", ErrConfig, c.Rules, chain.RulesPowlab, chain.RulesTutorial, chain.RulesBitcoin)
	}
	if c.Blocks < 0 || c.Duration < 0 || (c.Blocks == 0 && c.Duration == 0) {
		return fmt.Errorf("%w: set a positive block count or duration", ErrConfig)
	}
	if c.Topology == "" {
		c.Topology = Mesh
	}
	if _, err := ParseTopology(string(c.Topology)); err != nil {
		return err
	}
	if c.Topology == Random {
		return fmt.Errorf("%w: a random topology is for the simulation; real nodes take mesh, ring or star", ErrConfig)
	}
	if p := c.Partition; p != nil && (p.Node < 1 || p.Node > n) {
		return fmt.Errorf("%w: partition node %d of %d", ErrConfig, p.Node, n)
	}
	if !c.Target.Valid() {
		return fmt.Errorf("%w: no target", ErrConfig)
	}
	if c.Rules == chain.RulesPowlab {
		if _, err := chain.CompactFromTarget(c.Target); err != nil {
			return fmt.Errorf("%w: powlab rules need a zero-bits or zero-prefix target: %v", ErrConfig, err)
		}
	}
	if err := c.checkRateSteps(); err != nil {
		return err
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = defaultProgressInterval
	}
	if c.ConvergeTimeout <= 0 {
		c.ConvergeTimeout = defaultConvergeTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func cmpOr(t, def Topology) Topology {
	if t == "" {
		return def
	}
	return t
}

// RateStep multiplies every miner's cap by Factor (relative to the cap
// given) from the moment the best chain reaches Height.
type RateStep struct {
	Height int
	Factor float64
}

// checkRateSteps checks c.RateSteps against the rest of c.
func (c *Config) checkRateSteps() error {
	if len(c.RateSteps) == 0 {
		return nil
	}
	if c.Spawn {
		return fmt.Errorf("%w: rate steps change caps in this process; spawned nodes cannot take them", ErrConfig)
	}
	for _, m := range c.Miners {
		if m.RateCap <= 0 {
			return fmt.Errorf("%w: rate steps need every miner capped (%q is not)", ErrConfig, m.Text)
		}
	}
	last := 0
	for _, st := range c.RateSteps {
		if st.Height <= last {
			return fmt.Errorf("%w: rate step at height %d: heights must rise from 1", ErrConfig, st.Height)
		}
		if !(st.Factor >= 0.001 && st.Factor <= 1000) {
			return fmt.Errorf("%w: rate step ×%g at height %d: want a factor from 0.001 to 1000", ErrConfig, st.Factor, st.Height)
		}
		last = st.Height
	}
	return nil
}

// capSetter is a member whose miner's cap can change while it runs.
type capSetter interface{ SetCap(rate float64) }

// member is one node of the network, in this process or spawned.
type member interface {
	URL() string
	StartMining() error
	// StopMining stops the miner (a spawned node cannot stop mining over
	// HTTP; it keeps mining until Close).
	StopMining()
	// Tip is the node's tip hash and chain index.
	Tip(ctx context.Context) (string, uint64, error)
	// Rate is the node's latest attempts/s.
	Rate(ctx context.Context) float64
	Chain(ctx context.Context) ([]*chain.Block, error)
	Resolve(ctx context.Context)
	Close() error
}

// relayNode is a node that does not mine: it relays, resolves and
// reorganises like the others.
type relayNode struct{ member }

func (relayNode) StartMining() error           { return nil }
func (relayNode) StopMining()                  {}
func (relayNode) Rate(context.Context) float64 { return 0 }

// observer collects what the nodes report while the network runs.
type observer struct {
	start    atomic.Int64 // unix nanoseconds; 0 before mining starts
	healed   atomic.Bool  // the partition is over (or the run is)
	part     *Partition
	lat      [][]time.Duration
	hash     func(*chain.Block) chain.Hash
	byAddr   map[string]int
	urlIndex atomic.Pointer[map[string]int]

	mu        sync.Mutex
	minedAt   map[chain.Hash]minedBlock
	mined     []int
	reorgs    []int
	deepest   []int
	depths    map[int]int // reorganisations by depth, all nodes
	lastMined time.Time
	rateSum   []float64
	rateN     []int
	rateLast  []float64
	// calibrated are the specs' rates measured alone before the run (nil
	// when every node is capped).
	calibrated []float64
}

type minedBlock struct {
	node int
	at   time.Time
}

func newObserver(n int, addrs []string, lat [][]time.Duration, part *Partition, hash func(*chain.Block) chain.Hash) *observer {
	o := &observer{
		part: part, lat: lat, hash: hash, byAddr: map[string]int{},
		minedAt: map[chain.Hash]minedBlock{}, depths: map[int]int{},
		mined: make([]int, n), reorgs: make([]int, n), deepest: make([]int, n),
		rateSum: make([]float64, n), rateN: make([]int, n), rateLast: make([]float64, n),
	}
	for i, a := range addrs {
		o.byAddr[a] = i
	}
	empty := map[string]int{}
	o.urlIndex.Store(&empty)
	return o
}

func (o *observer) elapsed() time.Duration {
	s := o.start.Load()
	if s == 0 {
		return 0
	}
	return time.Duration(time.Now().UnixNano() - s)
}

// cut reports whether the link between nodes i and j (0-based) is down now.
func (o *observer) cut(i, j int) bool {
	if o.part == nil || o.start.Load() == 0 || o.healed.Load() {
		return false
	}
	return o.part.Cut(i+1, j+1, o.elapsed())
}

// delay is node i's GossipDelay: the link's latency, or -1 across a cut.
func (o *observer) delay(i int) func(string) time.Duration {
	return func(peer string) time.Duration {
		j, ok := (*o.urlIndex.Load())[peer]
		if !ok {
			return 0
		}
		if o.cut(i, j) {
			return -1
		}
		return o.lat[i][j]
	}
}

func (o *observer) onMined(i int, b *chain.Block) {
	h := o.hash(b)
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, seen := o.minedAt[h]; seen {
		return
	}
	o.minedAt[h] = minedBlock{node: i, at: now}
	o.mined[i]++
	o.lastMined = now
}

func (o *observer) onReorg(i, depth int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reorgs[i]++
	o.deepest[i] = max(o.deepest[i], depth)
	o.depths[depth]++
}

func (o *observer) sampleRate(i int, r float64, limit float64) {
	// A rate-capped node reports attempts/s measured just after a slice,
	// before its sleep, so its samples run above the cap early in each
	// search; a sample above the cap means the node keeps up with it.
	if limit > 0 {
		r = min(r, limit)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rateLast[i] = r
	if r > 0 {
		o.rateSum[i] += r
		o.rateN[i]++
	}
}

func (o *observer) totals() (mined, reorgs int, rates []float64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.mined {
		mined += o.mined[i]
		reorgs += o.reorgs[i]
	}
	return mined, reorgs, append([]float64(nil), o.rateLast...)
}

// drawAddresses gives each node a reward address (32 hex digits, as
// chain.NewAddress writes them) from rng.
func drawAddresses(rng *rand.Rand, n int) []string {
	const hx = "0123456789abcdef"
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 32)
		for k := range b {
			b[k] = hx[rng.IntN(16)]
		}
		out[i] = string(b)
	}
	return out
}

// drawLatencies draws one delay per link of the topology, in a fixed order
// (i < j), the same both ways.
func drawLatencies(rng *rand.Rand, top Topology, n int, l Latency) [][]time.Duration {
	lat := make([][]time.Duration, n)
	for i := range lat {
		lat[i] = make([]time.Duration, n)
	}
	for i := 0; i < n; i++ {
		for _, j := range top.Peers(i, n) {
			if j > i {
				d := l.Draw(rng)
				lat[i][j], lat[j][i] = d, d
			}
		}
	}
	return lat
}

// makeGenesis creates one chain (with netGenesisTime as its clock under a
// fixed target, now under a difficulty algorithm) and
// copies its store into a data directory per node, so all nodes share one
// genesis block.
func makeGenesis(ctx context.Context, root string, n int, opts chain.Options) ([]string, error) {
	tmpl := filepath.Join(root, "genesis")
	o := opts
	if o.DAA == "" {
		// A fixed target: one genesis block for every run of a seed.
		o.Now = func() time.Time { return netGenesisTime }
	}
	// Under a difficulty algorithm the genesis block is stamped now: the
	// algorithms read the time since it (asert's anchor, the first window).
	c, err := chain.Open(ctx, tmpl, o)
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if err := c.Close(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	db, err := os.ReadFile(filepath.Join(tmpl, "chain.db"))
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("node%d", i+1))
		if err := os.MkdirAll(dirs[i], 0o700); err != nil {
			return nil, fmt.Errorf("node %d data: %w", i+1, err)
		}
		if err := os.WriteFile(filepath.Join(dirs[i], "chain.db"), db, 0o600); err != nil {
			return nil, fmt.Errorf("node %d data: %w", i+1, err)
		}
	}
	return dirs, nil
}

// netSetup is what both ways of running nodes need.
type netSetup struct {
	cfg   *Config
	dirs  []string
	addrs []string
	chain chain.Options
	obs   *observer
}

// Run starts the network, lets it mine until the block count or the
// duration is reached (or ctx is cancelled: the record then says
// "interrupted" and ctx's error is returned with it), stops the miners,
// waits for one tip and reports who won what. Every node is closed (every
// spawned process killed) before it returns.
func Run(ctx context.Context, cfg Config) (rec *results.Net, err error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.Nodes
	rules, err := chain.NewRules(chainParams(cfg))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x706f776c61626e65)) // "powlabne"
	addrs := drawAddresses(rng, n)
	lat := drawLatencies(rng, cfg.Topology, n, cfg.Latency)
	obs := newObserver(n, addrs, lat, cfg.Partition, rules.Hash)
	for _, m := range cfg.Miners {
		if m.RateCap <= 0 {
			// An uncapped node reports its rate only after searches of
			// 100 ms or more; with faster blocks this calibration stands in.
			if obs.calibrated, err = CalibrateSpecs(ctx, cfg.Miners, cfg.Rules); err != nil {
				return nil, err
			}
			break
		}
	}

	root, err := os.MkdirTemp("", "powlab-net-")
	if err != nil {
		return nil, fmt.Errorf("network data directory: %w", err)
	}
	defer os.RemoveAll(root)
	copts := chainOptions(cfg)
	dirs, err := makeGenesis(ctx, root, n, copts)
	if err != nil {
		return nil, err
	}
	setup := &netSetup{cfg: &cfg, dirs: dirs, addrs: addrs, chain: copts, obs: obs}
	var members []member
	if cfg.Spawn {
		members, err = startSpawned(ctx, setup)
	} else {
		members, err = startInProcess(ctx, setup)
	}
	defer func() {
		if cerr := closeMembers(members); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err != nil {
		return nil, err
	}
	for i := len(cfg.Miners); i < n; i++ {
		members[i] = relayNode{members[i]}
	}
	urls := make([]string, n)
	for i, m := range members {
		urls[i] = m.URL()
	}
	return runNetwork(ctx, &cfg, obs, members, urls, addrs, lat)
}

// chainOptions are the options every node's chain is created with.
func chainOptions(cfg Config) chain.Options {
	o := chain.Options{Rules: cfg.Rules, Target: cfg.Target, DAA: cfg.Difficulty.DAA,
		RetargetInterval: cfg.Difficulty.RetargetInterval, BlockTime: cfg.Difficulty.BlockTime, HalfLife: cfg.Difficulty.HalfLife}
	return o
}

// difficultyNote describes a difficulty algorithm set in cfg ("" for
// none).
func difficultyNote(cfg Config) string {
	if cfg.Difficulty.DAA == "" {
		return ""
	}
	return chainParams(cfg).DAAString()
}

// netRateSteps is the record's form of rate steps.
func netRateSteps(steps []RateStep) []results.NetRateStep {
	var out []results.NetRateStep
	for _, st := range steps {
		out = append(out, results.NetRateStep{Height: st.Height, Factor: st.Factor})
	}
	return out
}

// netDAA is the record's form of a difficulty algorithm set in cfg.
func netDAA(cfg Config) *results.NetDAA {
	if cfg.Difficulty.DAA == "" {
		return nil
	}
	p := chainParams(cfg)
	return &results.NetDAA{Name: p.DAAName(), Window: p.RetargetInterval, HalfLifeSeconds: p.HalfLife.Seconds(),
		BlockTimeSeconds: p.BlockTime.Seconds()}
}

// chainParams are the parameters the nodes' chains hold.
func chainParams(cfg Config) chain.Params {
	rules := cfg.Rules
	if rules == "" {
		rules = chain.RulesPowlab
	}
	return chainOptions(cfg).Apply(chain.DefaultParams(rules)).Resolved()
}

func closeMembers(ms []member) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ms))
	for i, m := range ms {
		if m == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.Close()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func parallel(ms []member, f func(i int, m member)) {
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i, m)
		}()
	}
	wg.Wait()
}

func runNetwork(ctx context.Context, cfg *Config, obs *observer, members []member, urls, addrs []string, lat [][]time.Duration) (*results.Net, error) {
	n := len(members)
	rec := &results.Net{
		Header: results.NewHeader(results.KindNet, cfg.Command),
		Config: results.NetConfig{
			Rules: cfg.Rules, Target: cfg.Target.String(), Difficulty: difficultyNote(*cfg), DAA: netDAA(*cfg), RateSteps: netRateSteps(cfg.RateSteps), Topology: string(cfg.Topology),
			Latency: cfg.Latency.String(), Blocks: cfg.Blocks, Duration: cfg.Duration.Seconds(),
			Seed: cfg.Seed, Spawn: cfg.Spawn, ExpectedAttempts: cfg.Target.ExpectedAttempts(),
		},
	}
	for _, m := range cfg.Miners {
		rec.Config.Miners = append(rec.Config.Miners, m.Text)
	}
	if n > len(cfg.Miners) {
		rec.Config.Nodes = n
	}
	if p := cfg.Partition; p != nil {
		rec.Config.Partition = fmt.Sprintf("%d@%s..%s", p.Node, p.From, p.Till)
	}
	for i := range lat {
		for _, j := range cfg.Topology.Peers(i, n) {
			if j > i {
				rec.Config.Links = append(rec.Config.Links, results.NetLink{A: i + 1, B: j + 1, LatencySeconds: lat[i][j].Seconds()})
			}
		}
	}

	// Every miner starts at once; the clock starts with them.
	start := time.Now()
	obs.start.Store(start.UnixNano())
	var startErr error
	var startMu sync.Mutex
	parallel(members, func(i int, m member) {
		if err := m.StartMining(); err != nil {
			startMu.Lock()
			startErr = errors.Join(startErr, fmt.Errorf("node %d: start miner: %w", i+1, err))
			startMu.Unlock()
		}
	})
	if startErr != nil {
		return nil, startErr
	}

	progress := func(phase string, height int) {
		if cfg.Progress == nil {
			return
		}
		mined, reorgs, rates := obs.totals()
		cfg.Progress(Progress{Elapsed: time.Since(start), Phase: phase, Height: height, Mined: mined,
			Reorgs: reorgs, Partitioned: cfg.Partition != nil && !obs.healed.Load() && obs.cut(cfg.Partition.Node-1, cfg.Partition.Node%n), Rates: rates[:len(cfg.Miners)]})
	}
	var resolving sync.WaitGroup
	defer resolving.Wait()
	resolveAll := func(ctx context.Context) {
		resolving.Add(1)
		go func() {
			defer resolving.Done()
			parallel(members, func(_ int, m member) { m.Resolve(ctx) })
		}()
	}

	tick := time.NewTicker(netTick)
	defer tick.Stop()
	var lastSample, lastProgress time.Time
	healed := cfg.Partition == nil
	stopped := ""
	best := 0
	nextStep := 0
	for stopped == "" {
		select {
		case <-ctx.Done():
			stopped = "interrupted"
			continue
		case <-tick.C:
		}
		el := time.Since(start)
		best = 0
		for _, m := range members {
			if _, h, err := m.Tip(ctx); err == nil {
				best = max(best, int(h)-1)
			}
		}
		switch {
		case cfg.Blocks > 0 && best >= cfg.Blocks:
			stopped = "blocks"
		case cfg.Duration > 0 && el >= cfg.Duration:
			stopped = "duration"
		}
		for nextStep < len(cfg.RateSteps) && best >= cfg.RateSteps[nextStep].Height {
			f := cfg.RateSteps[nextStep].Factor
			for i, m := range members[:len(cfg.Miners)] {
				if cs, ok := m.(capSetter); ok {
					cs.SetCap(f * cfg.Miners[i].RateCap)
				}
			}
			nextStep++
		}
		if !healed && el >= cfg.Partition.Till {
			// Gossip alone would heal the fork only at the next block; a
			// resolve on every node makes the heavier side win at once.
			healed = true
			resolveAll(ctx)
		}
		if time.Since(lastSample) >= rateSampleInterval {
			lastSample = time.Now()
			parallel(members[:len(cfg.Miners)], func(i int, m member) { obs.sampleRate(i, m.Rate(ctx), cfg.Miners[i].RateCap) })
		}
		if time.Since(lastProgress) >= cfg.ProgressInterval {
			lastProgress = time.Now()
			progress("mining", best)
		}
	}
	mineEnd := time.Since(start)
	obs.healed.Store(true)
	parallel(members, func(_ int, m member) { m.StopMining() })

	// Converge: wait for one tip, resolving every node now and then.
	cctx := ctx
	budget := cfg.ConvergeTimeout
	if ctx.Err() != nil {
		cctx = context.WithoutCancel(ctx)
		budget = min(budget, interruptedConvergeBudget)
	}
	cctx, cancel := context.WithTimeout(cctx, budget)
	defer cancel()
	converged := false
	var convergedAt time.Time
	convStart := time.Now()
	nextResolve := convStart.Add(resolveEvery / 2)
	mineOn := false
	for cctx.Err() == nil {
		tips := map[string]bool{}
		for _, m := range members {
			h, height, err := m.Tip(cctx)
			if err != nil {
				h = "error"
			}
			tips[h] = true
			best = max(best, int(height)-1)
		}
		if len(tips) == 1 && !tips["error"] {
			converged, convergedAt = true, time.Now()
			break
		}
		if time.Now().After(nextResolve) {
			nextResolve = time.Now().Add(resolveEvery)
			resolveAll(cctx)
		}
		if !mineOn && stopped != "interrupted" && time.Since(convStart) > tieWait {
			// Most likely a tie: branches of equal work, which no resolve
			// breaks (a chain is adopted only with more work). A real
			// network breaks it with the next block: mine on until then.
			mineOn = true
			parallel(members, func(_ int, m member) { m.StartMining() })
		}
		if time.Since(lastProgress) >= cfg.ProgressInterval {
			lastProgress = time.Now()
			progress("converging", best)
		}
		select {
		case <-cctx.Done():
		case <-time.After(netTick):
		}
	}
	if mineOn {
		parallel(members, func(_ int, m member) { m.StopMining() })
	}
	resolving.Wait()

	rec.Stopped = stopped
	rec.MinedOnToConverge = mineOn
	rec.Seconds = mineEnd.Seconds()
	rec.Converged = converged
	// The convergence budget may be spent: reading the chains gets its own.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), netPeerTimeout*2)
	defer fcancel()
	if err := fillNetRecord(fctx, rec, cfg, obs, members, urls, addrs, start); err != nil {
		return rec, err
	}
	obs.mu.Lock()
	last := obs.lastMined
	obs.mu.Unlock()
	if converged && !last.IsZero() {
		rec.ConvergeAfterLastSecs = max(convergedAt.Sub(last).Seconds(), 0)
	}
	if stopped == "interrupted" {
		return rec, ctx.Err()
	}
	return rec, nil
}

// fillNetRecord reads every node's chain and fills the per-node outcome.
func fillNetRecord(ctx context.Context, rec *results.Net, cfg *Config, obs *observer, members []member, urls, addrs []string, start time.Time) error {
	n := len(members)
	chains := make([][]*chain.Block, n)
	errs := make([]error, n)
	parallel(members, func(i int, m member) { chains[i], errs[i] = m.Chain(ctx) })
	rules, err := chain.NewRules(chainParams(*cfg))
	if err != nil {
		return err
	}
	// The best chain is the one with the most exact work (the first read
	// on a tie), as the nodes' own fork choice has it.
	bestIdx := -1
	var bestWork chain.Work
	for i, c := range chains {
		if errs[i] != nil {
			continue
		}
		if w := chain.ChainWork(rules, c); bestIdx < 0 || chain.Better(w, bestWork) {
			bestIdx, bestWork = i, w
		}
	}
	if bestIdx < 0 {
		return fmt.Errorf("read the nodes' chains: %w", errors.Join(errs...))
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	best := chains[bestIdx]
	won := make([]int, n)
	for _, b := range best[1:] {
		h := obs.hash(b)
		nb := results.NetBlock{Height: int(b.Index) - 1, Hash: h.String(), Miner: 0}
		if cfg.Difficulty.DAA != "" {
			nb.Difficulty = rules.Work(b).Float64()
			nb.Timestamp = b.Timestamp.Float64()
		}
		if id, ok := obs.byAddr[rewardAddress(b)]; ok {
			nb.Miner = id + 1
			won[id]++
		}
		if mb, ok := obs.minedAt[h]; ok {
			nb.At = max(mb.at.Sub(start).Seconds(), 0)
		} else {
			nb.At = max(b.Timestamp.Float64()-float64(start.UnixNano())/1e9, 0)
		}
		rec.Blocks = append(rec.Blocks, nb)
	}
	last := best[len(best)-1]
	rec.Tip, rec.Height = obs.hash(last).String(), int(last.Index)-1

	// Hashrate: the caps when every node is capped, else measured rates.
	measured := make([]float64, n)
	var sumCap, sumMeasured float64
	allCapped := true
	for i, m := range cfg.Miners {
		if obs.rateN[i] > 0 {
			measured[i] = obs.rateSum[i] / float64(obs.rateN[i])
		} else if obs.calibrated != nil {
			measured[i] = obs.calibrated[i]
		}
		sumMeasured += measured[i]
		sumCap += m.RateCap
		if m.RateCap <= 0 {
			allCapped = false
		}
	}
	for i, m := range cfg.Miners {
		nn := results.NetNode{
			ID: i + 1, Spec: m.Text, URL: urls[i], Address: addrs[i], RateCap: m.RateCap,
			MeasuredRate: measured[i], BlocksMined: obs.mined[i], BlocksWon: won[i],
			Reorgs: obs.reorgs[i], DeepestReorg: obs.deepest[i],
		}
		if sumMeasured > 0 {
			nn.MeasuredShare = measured[i] / sumMeasured
		}
		if allCapped {
			nn.HashrateShare = m.RateCap / sumCap
		} else {
			nn.HashrateShare = nn.MeasuredShare
		}
		if len(best) > 1 {
			nn.BlockShare = float64(won[i]) / float64(len(best)-1)
		}
		nn.Stale = max(nn.BlocksMined-won[i], 0)
		if errs[i] == nil && len(chains[i]) > 0 {
			t := chains[i][len(chains[i])-1]
			nn.Tip, nn.Height = obs.hash(t).String(), int(t.Index)-1
		}
		rec.MinedBlocks += nn.BlocksMined
		rec.StaleBlocks += nn.Stale
		rec.Reorgs += nn.Reorgs
		rec.DeepestReorg = max(rec.DeepestReorg, nn.DeepestReorg)
		rec.Nodes = append(rec.Nodes, nn)
	}
	if n > len(cfg.Miners) {
		r := &results.NetRelays{Count: n - len(cfg.Miners)}
		for i := len(cfg.Miners); i < n; i++ {
			r.Reorgs += obs.reorgs[i]
			if obs.reorgs[i] > 0 {
				r.Reorged++
			}
			r.DeepestReorg = max(r.DeepestReorg, obs.deepest[i])
		}
		rec.Relays = r
		rec.Reorgs += r.Reorgs
		rec.DeepestReorg = max(rec.DeepestReorg, r.DeepestReorg)
	}
	if rec.MinedBlocks > 0 {
		rec.StaleRate = float64(rec.StaleBlocks) / float64(rec.MinedBlocks)
	}
	if len(obs.depths) > 0 {
		rec.ReorgDepths = maps.Clone(obs.depths)
	}
	rec.TotalRate, rec.TotalRateCap = sumMeasured, sumCap
	if k := len(rec.Blocks); k > 0 {
		rec.MeanIntervalSeconds = rec.Blocks[k-1].At / float64(k)
	}
	if sumMeasured > 0 {
		rec.ExpectedIntervalSecs = cfg.Target.ExpectedAttempts() / sumMeasured
	}
	if allCapped && sumCap > 0 {
		rec.ExpectedIntervalCapSecs = cfg.Target.ExpectedAttempts() / sumCap
	}
	sort.SliceStable(rec.Blocks, func(a, b int) bool { return rec.Blocks[a].Height < rec.Blocks[b].Height })
	return nil
}

// rewardAddress is the recipient of b's reward transaction ("" if none).
func rewardAddress(b *chain.Block) string {
	for _, tx := range b.Transactions {
		if tx.IsReward() {
			return tx.Recipient
		}
	}
	return ""
}
