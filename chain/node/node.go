package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner/sha256x"
)

// Defaults for Config's zero fields. Each is generous for the lab's loopback
// networks and small enough that a hostile peer or client cannot pin a
// goroutine or a buffer for long.
const (
	DefaultMaxPeers         = 64
	DefaultPeerTimeout      = 10 * time.Second
	DefaultMaxResponseBytes = 64 << 20 // a 10 000-block chain is ~3 MB
	DefaultMaxTxBody        = 64 << 10 // a transaction is at most chain.MaxTxJSON
	DefaultMaxBlockBody     = 16 << 20 // a full block: up to MaxBlockTxs transactions of MaxTxJSON bytes
	DefaultMineTimeout      = 10 * time.Minute
	DefaultReadTimeout      = 30 * time.Second
	DefaultReadHeaderTime   = 5 * time.Second
	DefaultWriteTimeout     = 60 * time.Second
	DefaultIdleTimeout      = 120 * time.Second
	// DefaultMaxConns bounds open client connections; more wait in the
	// kernel's accept queue instead of costing goroutines and buffers.
	DefaultMaxConns = 512
	// shutdownGrace is how long Close lets in-flight requests finish.
	shutdownGrace = 2 * time.Second
	// maxParallelFetches bounds concurrent chain downloads in Resolve.
	maxParallelFetches = 8
)

// MinerOptions tune the node's miner.
type MinerOptions struct {
	// Workers is the number of search goroutines (0: every CPU).
	Workers int
	// Kernel is the SHA-256 kernel (nil: the fastest available).
	Kernel *sha256x.Kernel
	// MaxRate, when above 0, caps attempts per second: the search runs in
	// slices and sleeps between them (for simulated slower miners).
	MaxRate float64
	// Selfish makes the miner withhold its blocks and publish them only to
	// match or override the honest chain (Eyal & Sirer's strategy; see
	// selfishState for what differs from the simulation's).
	Selfish bool
}

// Events are callbacks a harness can count. They run on the node's
// goroutines, outside its locks; they must return quickly and may be nil.
type Events struct {
	// Mined: this node's miner (or GET /mine) found b and it became the tip.
	Mined func(b *chain.Block)
	// Accepted: a block or a chain from a peer became the tip (b is the new
	// tip; from is the peer, "" when unknown).
	Accepted func(b *chain.Block, from string)
	// Reorg: the main chain switched branches; depth blocks of the old chain
	// are no longer on it.
	Reorg func(depth int, oldTip, newTip chain.Hash)
}

// Config describes a node. Zero fields take the defaults above.
type Config struct {
	// DataDir keeps the chain on disk (created if new). "" keeps it in a
	// temporary directory removed by Close (in-process test networks).
	DataDir string
	// Chain are the consensus options for chain.Open: rules, target,
	// reward. Set fields must agree with an existing chain's.
	Chain chain.Options
	// Address receives the mining reward ("": the chain's stored address).
	Address string
	// Peers are registered at start (URLs or host:port).
	Peers []string
	// Mine starts the continuous miner with Start.
	Mine  bool
	Miner MinerOptions

	Logger *slog.Logger
	Events Events
	// GossipDelay, if set, holds each announcement to peer for the
	// returned duration (simulated network latency).
	GossipDelay func(peer string) time.Duration

	MaxPeers         int
	PeerTimeout      time.Duration
	MaxResponseBytes int64
	MaxTxBody        int64
	MaxBlockBody     int64
	MineTimeout      time.Duration
	ReadTimeout      time.Duration
	WriteTimeout     time.Duration
	IdleTimeout      time.Duration
	MaxConns         int
}

func (c *Config) fill() {
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	def(&c.PeerTimeout, DefaultPeerTimeout)
	def(&c.MineTimeout, DefaultMineTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxPeers <= 0 {
		c.MaxPeers = DefaultMaxPeers
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.MaxTxBody <= 0 {
		c.MaxTxBody = DefaultMaxTxBody
	}
	if c.MaxBlockBody <= 0 {
		c.MaxBlockBody = DefaultMaxBlockBody
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Node is a running chain with its HTTP routes, peers, gossip and miner.
type Node struct {
	cfg    Config
	log    *slog.Logger
	c      *chain.Chain
	rules  chain.Rules
	tmpDir string // removed by Close
	client *Client
	peers  peerSet

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	gossip *gossiper
	wg     sync.WaitGroup // background goroutines

	docMu  sync.Mutex // the cached /chain document, keyed by its tip block
	docTip *chain.Block
	doc    []byte

	mining      atomic.Bool
	rateBits    atomic.Uint64 // float64 bits of the last attempts/s
	fetching    sync.Map      // peer -> struct{}: a chain fetch under way
	resolveMu   sync.Mutex    // one resolveNow at a time
	bgMu        sync.Mutex    // orders spawn's check-and-Add with Close's cancel; guards calls
	calls       map[string]*resolveCall
	mineSem     chan struct{} // one GET /mine search at a time
	startOnce   sync.Once
	closeOnce   sync.Once
	closeErr    error
	srvMu       sync.Mutex
	srv         *http.Server
	addr        string
	serveDone   chan struct{}
	minerMu     sync.Mutex
	minerCancel context.CancelFunc
	minerDone   chan struct{}
	searchTip   atomic.Pointer[chain.Hash] // the tip the miner builds on
	minerOpts   atomic.Pointer[MinerOptions]
	selfish     selfishState
}

// New builds a node: it opens (or creates) the chain and registers the
// configured peers. Nothing runs until Start, Listen or Serve.
func New(ctx context.Context, cfg Config) (*Node, error) {
	cfg.fill()
	dir, tmp := cfg.DataDir, ""
	if dir == "" {
		var err error
		if tmp, err = os.MkdirTemp("", "powlab-node-"); err != nil {
			return nil, fmt.Errorf("temporary data directory: %w", err)
		}
		dir = tmp
	}
	c, err := chain.Open(ctx, dir, cfg.Chain)
	if err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return nil, err
	}
	if cfg.Address == "" {
		cfg.Address = c.Address()
	}
	n := &Node{
		cfg:     cfg,
		log:     cfg.Logger,
		c:       c,
		rules:   c.Rules(),
		tmpDir:  tmp,
		client:  NewClient(cfg.PeerTimeout, cfg.MaxResponseBytes),
		peers:   peerSet{max: cfg.MaxPeers},
		mineSem: make(chan struct{}, 1),
		calls:   map[string]*resolveCall{},
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.gossip = newGossiper(n.ctx, n.client, n.log, cfg.GossipDelay)
	if len(cfg.Peers) > 0 {
		if _, err := n.AddPeers(cfg.Peers...); err != nil {
			n.Close()
			return nil, err
		}
	}
	return n, nil
}

// Chain is the node's chain engine.
func (n *Node) Chain() *chain.Chain { return n.c }

// Rules are the node's consensus rules.
func (n *Node) Rules() chain.Rules { return n.rules }

// Address is the reward address.
func (n *Node) Address() string { return n.cfg.Address }

// Listen binds addr ("127.0.0.1:0" for an ephemeral port) and serves in the
// background, so Addr is known when it returns; it starts the miner when
// Config.Mine is set. Serving errors are logged.
func (n *Node) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv, done, err := n.setup(ln)
	if err != nil {
		return err
	}
	go func() {
		if err := n.run(srv, ln, done); err != nil {
			n.log.Error("serve", "err", err)
		}
	}()
	return nil
}

// Serve answers HTTP on ln until Close; it starts the miner when
// Config.Mine is set. It returns nil after Close.
func (n *Node) Serve(ln net.Listener) error {
	srv, done, err := n.setup(ln)
	if err != nil {
		return err
	}
	return n.run(srv, ln, done)
}

// setup builds the server for ln and records the node's address.
func (n *Node) setup(ln net.Listener) (*http.Server, chan struct{}, error) {
	n.srvMu.Lock()
	defer n.srvMu.Unlock()
	if n.srv != nil {
		ln.Close()
		return nil, nil, errors.New("node already serving")
	}
	if n.ctx.Err() != nil {
		ln.Close()
		return nil, nil, ErrClosed
	}
	n.addr = "http://" + ln.Addr().String()
	n.peers.setSelf(n.addr)
	n.srv = &http.Server{
		Handler:           logRequests(n.log, n.Handler()),
		ReadTimeout:       n.cfg.ReadTimeout,
		ReadHeaderTimeout: DefaultReadHeaderTime,
		WriteTimeout:      n.cfg.WriteTimeout,
		IdleTimeout:       n.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return n.ctx },
	}
	n.serveDone = make(chan struct{})
	return n.srv, n.serveDone, nil
}

// run serves until Close; Close waits for done.
func (n *Node) run(srv *http.Server, ln net.Listener, done chan struct{}) error {
	defer close(done)
	n.Start()
	n.log.Info("node listening", "addr", n.Addr(), "rules", n.rules.Name(), "target", n.rules.Params().Target.String(), "height", n.Height())
	err := srv.Serve(netutil.LimitListener(ln, n.cfg.MaxConns))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Addr is the node's base URL ("http://127.0.0.1:5005") once serving.
func (n *Node) Addr() string {
	n.srvMu.Lock()
	defer n.srvMu.Unlock()
	return n.addr
}

// Start starts the background work: a first Resolve against the
// configured peers (a node back from being offline catches up) and the
// miner when Config.Mine is set. Serve calls it; call it yourself to run a
// node without HTTP. Later calls do nothing.
func (n *Node) Start() {
	n.startOnce.Do(func() {
		if len(n.peers.list()) > 0 {
			n.spawn(func() {
				rep, err := n.Resolve(n.ctx)
				if err != nil {
					if n.ctx.Err() == nil {
						n.log.Warn("initial sync", "err", err)
					}
					return
				}
				n.log.Info("initial sync", "replaced", rep.Replaced, "height", rep.Height)
			})
		}
		if n.cfg.Mine {
			n.StartMiner()
		}
	})
}

// StartMiner starts the continuous miner; it does nothing if it runs.
func (n *Node) StartMiner() {
	n.minerMu.Lock()
	defer n.minerMu.Unlock()
	if n.minerDone != nil {
		return
	}
	ctx, cancel := context.WithCancel(n.ctx)
	done := make(chan struct{})
	if !n.spawn(func() {
		defer close(done)
		n.mineLoop(ctx)
	}) {
		cancel()
		return
	}
	n.minerCancel, n.minerDone = cancel, done
}

// spawn runs f in a goroutine Close waits for; it reports false, running
// nothing, once the node is closing.
func (n *Node) spawn(f func()) bool {
	n.bgMu.Lock()
	defer n.bgMu.Unlock()
	return n.spawnLocked(f)
}

func (n *Node) spawnLocked(f func()) bool {
	if n.ctx.Err() != nil {
		return false
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f()
	}()
	return true
}

// MinerOptions are the miner's current options.
func (n *Node) MinerOptions() MinerOptions {
	if p := n.minerOpts.Load(); p != nil {
		return *p
	}
	return n.cfg.Miner
}

// SetMinerOptions changes the miner's options (a harness's hashrate cap);
// searches started from now on use them.
func (n *Node) SetMinerOptions(o MinerOptions) { n.minerOpts.Store(&o) }

// StopMiner stops the continuous miner and waits for it.
func (n *Node) StopMiner() {
	n.minerMu.Lock()
	cancel, done := n.minerCancel, n.minerDone
	n.minerCancel, n.minerDone = nil, nil
	n.minerMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	// A selfish miner that stops publishes what it withheld.
	n.publish(n.selfish.release())
}

// Close stops the miner, the gossip and the server (in-flight requests get
// a few seconds), then closes the chain. It is safe to call more than once.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		// Cancelling under bgMu orders it with spawn's check-and-Add: no
		// goroutine is added to wg after this point.
		n.bgMu.Lock()
		n.cancel()
		n.bgMu.Unlock()
		n.srvMu.Lock()
		srv, done := n.srv, n.serveDone
		n.srvMu.Unlock()
		if srv != nil {
			// Handlers see n.ctx cancelled and return at once; what Shutdown
			// may wait for is connections a client opened but has not used
			// yet (it waits up to 5 s for their first request), so cut it short.
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
			}
			cancel()
			<-done
		}
		n.wg.Wait()
		n.gossip.close()
		n.client.CloseIdle()
		n.closeErr = n.c.Close()
		if n.tmpDir != "" {
			os.RemoveAll(n.tmpDir)
		}
		n.log.Info("node stopped")
	})
	return n.closeErr
}

// Blocks is the main chain, genesis first (shared, read-only).
func (n *Node) Blocks() []*chain.Block { return n.c.Blocks() }

// Height is the tip's index.
func (n *Node) Height() uint64 { return n.c.Tip().Height }

// Tip describes the main chain's last block.
func (n *Node) Tip() chain.Tip { return n.c.Tip() }

// Peers lists the registered peers' URLs.
func (n *Node) Peers() []string {
	p := n.peers.list()
	if p == nil {
		p = []string{}
	}
	return p
}

// AddPeers registers peers (URLs or host:port). All are checked before any
// is added; it returns those that were new.
func (n *Node) AddPeers(addrs ...string) ([]string, error) {
	norm := make([]string, 0, len(addrs))
	for _, a := range addrs {
		u, err := ParsePeer(a)
		if err != nil {
			return nil, err
		}
		norm = append(norm, u)
	}
	added, err := n.peers.add(norm)
	if err != nil {
		return nil, err
	}
	for _, p := range added {
		n.log.Info("peer registered", "peer", p)
	}
	return added, nil
}

// AddTransaction queues tx and returns the index of the block it will go into.
func (n *Node) AddTransaction(tx chain.Tx) (uint64, error) {
	if n.ctx.Err() != nil {
		return 0, ErrClosed
	}
	return n.c.AddTx(tx)
}

// Status is GET /status's answer.
type Status struct {
	Height         uint64     `json:"height"`
	Tip            string     `json:"tip"`
	Work           float64    `json:"work"` // for reading; WorkExact is exact
	WorkExact      chain.Work `json:"work_exact"`
	Difficulty     string     `json:"difficulty"` // the next block's target
	ExpectedWork   float64    `json:"expected_attempts"`
	Rules          string     `json:"rules"`
	Mining         bool       `json:"mining"`
	MiningOn       string     `json:"mining_on,omitempty"` // the tip the miner's search builds on
	AttemptsPerSec float64    `json:"attempts_per_sec"`
	Peers          []string   `json:"peers"`
	Mempool        int        `json:"mempool"`
	Orphans        int        `json:"orphans"`
	Address        string     `json:"address"`
	GossipSent     uint64     `json:"gossip_sent"`
	GossipFailed   uint64     `json:"gossip_failed"`
	GossipDropped  uint64     `json:"gossip_dropped"`
}

// Status reports the node's state.
func (n *Node) Status() Status {
	tip := n.c.Tip()
	t := n.rules.NextTarget(tip.Node)
	return Status{
		Height: tip.Height, Tip: tip.Hash.String(), Work: tip.Work.Float64(), WorkExact: tip.Work,
		Difficulty: t.String(), ExpectedWork: t.ExpectedAttempts(),
		Rules: n.rules.Name(), Mining: n.mining.Load(), MiningOn: n.miningOn(), AttemptsPerSec: n.rate(),
		Peers: n.Peers(), Mempool: n.c.PendingCount(), Orphans: n.c.OrphanCount(), Address: n.cfg.Address,
		GossipSent: n.gossip.sent.Load(), GossipFailed: n.gossip.failed.Load(), GossipDropped: n.gossip.dropped.Load(),
	}
}

// chainDocument is the /chain answer, re-encoded only when the tip moves.
func (n *Node) chainDocument() []byte {
	tip := n.c.Tip().Block
	n.docMu.Lock()
	defer n.docMu.Unlock()
	if n.doc == nil || n.docTip != tip {
		blocks := n.c.Blocks()
		n.doc = chain.EncodeChainJSON(blocks)
		n.docTip = blocks[len(blocks)-1]
	}
	return n.doc
}

// reorgDepth is how many blocks of the chain ending at old are no longer on
// the main chain.
func (n *Node) reorgDepth(old chain.Tip) int {
	h, height := old.Hash, old.Height
	for height >= 1 {
		if _, mh, err := n.c.BlockAt(height); err == nil && mh == h {
			break
		}
		b, err := n.c.Block(h)
		if err != nil {
			break
		}
		h = b.PrevHash
		height--
	}
	return int(old.Height - height)
}

// tipMoved reports a tip change from old: a reorg when old left the main
// chain, then Mined or Accepted.
func (n *Node) tipMoved(old chain.Tip, from string, mined bool) {
	now := n.c.Tip()
	if now.Hash == old.Hash {
		return
	}
	if d := n.reorgDepth(old); d > 0 {
		n.log.Info("reorg", "depth", d, "old_tip", old.Hash.String(), "new_tip", now.Hash.String(), "height", now.Height, "from", from)
		if f := n.cfg.Events.Reorg; f != nil {
			f(d, old.Hash, now.Hash)
		}
	}
	if mined {
		if f := n.cfg.Events.Mined; f != nil {
			f(now.Block)
		}
	} else if f := n.cfg.Events.Accepted; f != nil {
		f(now.Block, from)
	}
}

// miningOn is the tip the continuous miner's search builds on ("" if none).
func (n *Node) miningOn() string {
	if h := n.searchTip.Load(); h != nil && n.mining.Load() {
		return h.String()
	}
	return ""
}

func (n *Node) rate() float64 {
	return float64frombits(n.rateBits.Load())
}

func (n *Node) workers() int {
	if w := n.MinerOptions().Workers; w > 0 {
		return w
	}
	return runtime.NumCPU()
}

// ErrClosed: the node was closed.
var ErrClosed = errors.New("node closed")
