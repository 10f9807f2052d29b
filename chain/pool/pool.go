package pool

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/big"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner/stratum"
)

// Stratum error codes (the de-facto ones every pool and miner uses).
const (
	ErrOther         = 20
	ErrStaleJob      = 21 // job not found or stale
	ErrDuplicate     = 22
	ErrLowDifficulty = 23
	ErrUnauthorized  = 24
	ErrNotSubscribed = 25
)

// Config tunes a Pool. Zero fields take the defaults below.
type Config struct {
	Address      string        // reward address (default: the chain's node address)
	ShareDiff    float64       // starting share difficulty (default 1)
	MinDiff      float64       // vardiff and suggest_difficulty bounds
	MaxDiff      float64       //
	SharesPerMin float64       // vardiff aim (default 20)
	JobInterval  time.Duration // fresh work at least this often (default 30 s)
	MaxConns     int           // connection limit (default 1000)
	// SubscribeTimeout is how long a new connection has to subscribe
	// (default 30 s).
	SubscribeTimeout time.Duration
	// VardiffWindow is the shortest time vardiff judges a rate over
	// (default 15 s).
	VardiffWindow time.Duration
	// MaxMsgsPerSec bounds one connection's requests per second (default
	// DefaultMaxMsgsPerSec); more closes the connection as a flood.
	MaxMsgsPerSec int
	// IdleTimeout is how long a subscribed connection may stay silent
	// before it is closed (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// MaxHTTP bounds the HTTP requests served at once (default
	// DefaultMaxHTTP); more get 503 with Retry-After.
	MaxHTTP int
	Log     *slog.Logger // default: discard
	// OnShare, if set, hears every submission from an authorized worker
	// and its outcome; it runs on the connection's goroutine and must
	// return quickly.
	OnShare func(ShareEvent)
	Now     func() time.Time
}

// Defaults and limits.
const (
	DefaultShareDiff    = 1
	DefaultSharesPerMin = 20
	DefaultJobInterval  = 30 * time.Second
	DefaultMaxConns     = 1000
	// MaxLine bounds one JSON-RPC line.
	MaxLine = 16 << 10
	// firstTimeout is how long a new connection has to subscribe;
	// DefaultIdleTimeout how long an established one may stay silent (a
	// miner with nothing to submit still answers nothing, so it is long).
	firstTimeout       = 30 * time.Second
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxHTTP bounds the status and chain requests served at once.
	DefaultMaxHTTP = 64
	// retryAfter is the Retry-After of the pool's 503s, in seconds.
	retryAfter = "2"
	// writeQueue is each connection's outgoing buffer: a client that lets
	// it fill is too slow to mine usefully and is dropped, so a broadcast
	// never waits on one client.
	writeQueue = 64
	// DefaultMaxMsgsPerSec bounds one connection's requests: far above any
	// real miner's share rate (vardiff aims at a share every few seconds),
	// far below a flood.
	DefaultMaxMsgsPerSec = 200
	// keptJobs is how many jobs of the current tip stay valid for
	// submissions (fresh-time refreshes do not make older work stale).
	keptJobs = 8
	// timeWindow bounds a submitted time past the job's (Bitcoin's 2 hours).
	timeWindow = 2 * time.Hour
)

// Pool is a Stratum v1 pool over a bitcoin-rules chain.
type Pool struct {
	c   *chain.Chain
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	jobs    []*job // newest last, all on the current tip
	nextJob uint64
	conns   map[*conn]struct{}
	workers map[string]*workerStats
	start   time.Time
	totals  Totals
	nextEN1 atomic.Uint32
	closed  bool
	wg      sync.WaitGroup
}

// ShareEvent is one judged submission, for a share log.
type ShareEvent struct {
	At         time.Time
	Worker     string
	Difficulty float64 // the share difficulty it was judged at (0 when unknown)
	Result     string  // accepted, stale, duplicate, low, invalid
	Block      bool
	Hash       string // display order, when the share was rebuilt
}

// Totals count every share the pool judged.
type Totals struct {
	Accepted  uint64 `json:"accepted"`
	Rejected  uint64 `json:"rejected"` // low difficulty, bad input
	Stale     uint64 `json:"stale"`
	Duplicate uint64 `json:"duplicate"`
	Blocks    uint64 `json:"blocks"`
}

// New makes a pool on c, which must follow bitcoin rules.
func New(c *chain.Chain, cfg Config) (*Pool, error) {
	if c.Params().Rules != chain.RulesBitcoin {
		return nil, fmt.Errorf("pool: the chain follows %s rules; a Stratum pool needs bitcoin rules", c.Params().Rules)
	}
	if cfg.ShareDiff == 0 {
		cfg.ShareDiff = DefaultShareDiff
	}
	if cfg.MinDiff == 0 {
		cfg.MinDiff = min(cfg.ShareDiff, 1.0/1024)
	}
	if cfg.MaxDiff == 0 {
		cfg.MaxDiff = 1 << 40
	}
	if !(cfg.ShareDiff > 0) || cfg.MinDiff > cfg.ShareDiff || cfg.MaxDiff < cfg.ShareDiff {
		return nil, fmt.Errorf("pool: share difficulty %g outside [%g, %g]", cfg.ShareDiff, cfg.MinDiff, cfg.MaxDiff)
	}
	if cfg.SharesPerMin == 0 {
		cfg.SharesPerMin = DefaultSharesPerMin
	}
	if !(cfg.SharesPerMin > 0) {
		return nil, fmt.Errorf("pool: vardiff rate %g: must be above 0", cfg.SharesPerMin)
	}
	if cfg.JobInterval == 0 {
		cfg.JobInterval = DefaultJobInterval
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.SubscribeTimeout == 0 {
		cfg.SubscribeTimeout = firstTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxHTTP <= 0 {
		cfg.MaxHTTP = DefaultMaxHTTP
	}
	if cfg.VardiffWindow == 0 {
		cfg.VardiffWindow = 15 * time.Second
	}
	if cfg.MaxMsgsPerSec == 0 {
		cfg.MaxMsgsPerSec = DefaultMaxMsgsPerSec
	}
	if cfg.Address == "" {
		cfg.Address = c.Address()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p := &Pool{c: c, cfg: cfg, log: log, conns: map[*conn]struct{}{}, workers: map[string]*workerStats{}, start: cfg.Now()}
	if err := p.refresh(true); err != nil {
		return nil, err
	}
	return p, nil
}

// refresh makes a new job from the chain's tip; clean drops every older
// job (the tip moved). It sends the job to every subscribed miner.
func (p *Pool) refresh(clean bool) error {
	b, _, _ := p.c.Candidate(p.cfg.Address)
	p.mu.Lock()
	p.nextJob++
	j, err := newJob(p.nextJob, b, clean)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	if clean || (len(p.jobs) > 0 && p.jobs[0].height != j.height) {
		p.jobs = p.jobs[:0]
		j.clean = true
	}
	p.jobs = append(p.jobs, j)
	if len(p.jobs) > keptJobs {
		p.jobs = p.jobs[1:]
	}
	conns := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.sendJob(j)
	}
	return nil
}

// findJob returns the job called id if it is still current.
func (p *Pool) findJob(id string) *job {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range p.jobs {
		if j.id == id {
			return j
		}
	}
	return nil
}

// newVariant is the newest job under a fresh number (nil when there is
// none).
func (p *Pool) newVariant() *job {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.jobs) == 0 {
		return nil
	}
	p.nextJob++
	return p.jobs[len(p.jobs)-1].variant(p.nextJob)
}

// Serve accepts miners on ln until ctx ends, then closes every connection
// and returns after all have finished. Tip changes and the job interval
// send new work.
func (p *Pool) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, stop := p.c.Subscribe()
	defer stop()
	p.wg.Add(1)
	go func() { // new work: tip changes and the refresh ticker
		defer p.wg.Done()
		tk := time.NewTicker(p.cfg.JobInterval)
		defer tk.Stop()
		for {
			var err error
			select {
			case <-ctx.Done():
				return
			case _, ok := <-events:
				if !ok {
					return
				}
				err = p.refresh(true)
			case <-tk.C:
				err = p.refresh(false)
			}
			if err != nil {
				p.log.Error("new job", "err", err)
			}
		}
	}()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var err error
	for {
		nc, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = aerr
			}
			break
		}
		p.mu.Lock()
		full := len(p.conns) >= p.cfg.MaxConns
		var c *conn
		if !full {
			c = p.newConn(nc)
			p.conns[c] = struct{}{}
		}
		p.mu.Unlock()
		if full {
			p.log.Warn("connection refused: at the limit", "remote", nc.RemoteAddr().String(), "limit", p.cfg.MaxConns)
			nc.Close()
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			c.run(ctx)
			c.mu.Lock()
			names := make([]string, 0, len(c.workers))
			for n := range c.workers {
				names = append(names, n)
			}
			c.mu.Unlock()
			now := p.cfg.Now()
			p.mu.Lock()
			delete(p.conns, c)
			for _, n := range names {
				if w := p.workers[n]; w != nil {
					w.disconnected(now)
				}
			}
			p.mu.Unlock()
		}()
	}
	cancel()
	p.mu.Lock()
	for c := range p.conns {
		c.nc.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

// ---- connections ----

type conn struct {
	p          *Pool
	nc         net.Conn
	remote     string
	en1        []byte
	out        chan []byte
	done       chan struct{}
	once       sync.Once
	mu         sync.Mutex // guards the fields below
	subscribed bool
	workers    map[string]bool // authorized names
	diff       float64         // current share difficulty
	jobDiff    map[string]float64
	vd         vardiff
	seen       map[string]map[string]bool // job id -> submitted keys
	variants   []*job                     // this connection's variants of current jobs
	windowAt   time.Time
	windowN    int
}

func (p *Pool) newConn(nc net.Conn) *conn {
	en1 := make([]byte, Extranonce1Size)
	binary.BigEndian.PutUint32(en1, p.nextEN1.Add(1))
	now := p.cfg.Now()
	return &conn{p: p, nc: nc, remote: nc.RemoteAddr().String(), en1: en1, out: make(chan []byte, writeQueue),
		done: make(chan struct{}), workers: map[string]bool{}, diff: p.cfg.ShareDiff, jobDiff: map[string]float64{},
		vd:   vardiff{perMinute: p.cfg.SharesPerMin, min: p.cfg.MinDiff, max: p.cfg.MaxDiff, minWindow: p.cfg.VardiffWindow, since: now},
		seen: map[string]map[string]bool{}}
}

// request is one JSON-RPC call from a miner.
type request struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (c *conn) close() { c.once.Do(func() { close(c.done); c.nc.Close() }) }

// send queues one line; a full queue drops the connection.
func (c *conn) send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	select {
	case c.out <- append(b, '\n'):
	case <-c.done:
	default:
		c.p.log.Warn("dropping a slow client", "remote", c.remote)
		c.close()
	}
}

func (c *conn) reply(id json.RawMessage, result any) {
	c.send(map[string]any{"id": id, "result": result, "error": nil})
}

func (c *conn) fail(id json.RawMessage, code int, msg string) {
	c.send(map[string]any{"id": id, "result": nil, "error": []any{code, msg, nil}})
}

// sendJob notifies a subscribed connection of j, with its difficulty.
func (c *conn) sendJob(j *job) {
	c.mu.Lock()
	if !c.subscribed {
		c.mu.Unlock()
		return
	}
	d := c.diff
	c.jobDiff[j.id] = d
	if j.clean {
		c.variants = c.variants[:0]
		clear(c.seen)
		for id := range c.jobDiff {
			if id != j.id {
				delete(c.jobDiff, id)
			}
		}
	}
	for len(c.jobDiff) > 2*keptJobs { // drop the oldest ids (hex, increasing)
		oldest := ""
		for id := range c.jobDiff {
			if oldest == "" || len(id) < len(oldest) || (len(id) == len(oldest) && id < oldest) {
				oldest = id
			}
		}
		delete(c.jobDiff, oldest)
		delete(c.seen, oldest)
	}
	c.mu.Unlock()
	c.send(map[string]any{"id": nil, "method": "mining.notify", "params": j.notifyParams()})
}

// retarget makes d the connection's difficulty and sends it with a variant
// of the newest job, so it applies at once; shares of earlier jobs are still
// judged at the difficulty they were sent with.
func (c *conn) retarget(d float64) {
	c.mu.Lock()
	c.diff = d
	c.mu.Unlock()
	c.setDifficulty(d)
	v := c.p.newVariant()
	if v == nil {
		return
	}
	c.mu.Lock()
	c.variants = append(c.variants, v)
	if len(c.variants) > keptJobs {
		c.variants = c.variants[1:]
	}
	c.mu.Unlock()
	c.sendJob(v)
}

// findJob is the pool's job called id, or one of this connection's
// variants.
func (c *conn) findJob(id string) *job {
	if j := c.p.findJob(id); j != nil {
		return j
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range c.variants {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (c *conn) setDifficulty(d float64) {
	c.send(map[string]any{"id": nil, "method": "mining.set_difficulty", "params": []any{d}})
}

func (c *conn) run(ctx context.Context) {
	wrote := make(chan struct{})
	defer func() {
		// Let the writer send what is queued (a last error), then close.
		select {
		case c.out <- nil:
			select {
			case <-wrote:
			case <-time.After(time.Second):
			}
		default:
		}
		c.close()
	}()
	go func() { // the writer
		defer close(wrote)
		for {
			select {
			case b := <-c.out:
				if b == nil {
					return
				}
				c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.nc.Write(b); err != nil {
					c.close()
					return
				}
			case <-c.done:
				return
			case <-ctx.Done():
				c.close()
				return
			}
		}
	}()
	r := bufio.NewReaderSize(c.nc, 4096)
	timeout := c.p.cfg.SubscribeTimeout
	for {
		c.nc.SetReadDeadline(time.Now().Add(timeout))
		line, err := readLine(r)
		if err != nil {
			if errors.Is(err, errLongLine) {
				c.p.log.Warn("closing: line too long", "remote", c.remote, "limit", MaxLine)
				c.fail(nil, ErrOther, fmt.Sprintf("line longer than %d bytes", MaxLine))
			}
			return
		}
		if !c.allow() {
			c.p.log.Warn("closing: flood", "remote", c.remote, "limit_per_sec", c.p.cfg.MaxMsgsPerSec)
			return
		}
		if len(line) == 0 {
			continue
		}
		var req request
		if err := json.Unmarshal(line, &req); err != nil {
			c.fail(nil, ErrOther, "invalid JSON: "+err.Error())
			continue
		}
		c.handle(&req)
		c.mu.Lock()
		if c.subscribed {
			timeout = c.p.cfg.IdleTimeout
		}
		c.mu.Unlock()
	}
}

// allow counts a message against the per-second bound.
func (c *conn) allow() bool {
	now := time.Now()
	if now.Sub(c.windowAt) >= time.Second {
		c.windowAt, c.windowN = now, 0
	}
	c.windowN++
	return c.windowN <= c.p.cfg.MaxMsgsPerSec
}

var errLongLine = errors.New("line too long")

// readLine reads one line of at most MaxLine bytes, without its newline.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(line)+len(frag) > MaxLine+1 {
			return nil, errLongLine
		}
		line = append(line, frag...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	return line, nil
}

func (c *conn) handle(req *request) {
	switch req.Method {
	case "mining.subscribe":
		c.mu.Lock()
		c.subscribed = true
		c.mu.Unlock()
		c.reply(req.ID, []any{
			[]any{[]any{"mining.set_difficulty", hex.EncodeToString(c.en1)}, []any{"mining.notify", hex.EncodeToString(c.en1)}},
			hex.EncodeToString(c.en1), Extranonce2Size,
		})
		c.mu.Lock()
		d := c.diff
		c.mu.Unlock()
		c.setDifficulty(d)
		c.p.mu.Lock()
		var j *job
		if n := len(c.p.jobs); n > 0 {
			j = c.p.jobs[n-1]
		}
		c.p.mu.Unlock()
		if j != nil {
			jj := *j
			jj.clean = true
			c.sendJob(&jj)
		}
	case "mining.authorize":
		var user, password string
		if len(req.Params) < 1 || json.Unmarshal(req.Params[0], &user) != nil || user == "" || len(user) > 256 {
			c.fail(req.ID, ErrOther, "authorize takes [user, password] with a non-empty user name of at most 256 bytes")
			return
		}
		if len(req.Params) > 1 && json.Unmarshal(req.Params[1], &password) != nil {
			c.fail(req.ID, ErrOther, "authorize: the password must be a string")
			return
		}
		opts := stratum.PasswordOptions(password)
		declared, suggested, err := passwordSettings(opts)
		if err != nil {
			c.fail(req.ID, ErrOther, "authorize: password option "+err.Error())
			return
		}
		c.mu.Lock()
		already := c.workers[user]
		c.workers[user] = true
		c.mu.Unlock()
		w := c.p.worker(user)
		c.p.mu.Lock()
		if !already {
			w.connected(c.p.cfg.Now())
		}
		if declared > 0 {
			w.Declared = declared
		}
		c.p.mu.Unlock()
		c.reply(req.ID, true)
		if suggested > 0 {
			c.retarget(min(max(suggested, c.p.cfg.MinDiff), c.p.cfg.MaxDiff))
		}
	case "mining.extranonce.subscribe":
		c.reply(req.ID, true) // the extranonce never changes on a connection
	case "mining.suggest_difficulty":
		var d float64
		if len(req.Params) < 1 || json.Unmarshal(req.Params[0], &d) != nil || !(d > 0) {
			c.fail(req.ID, ErrOther, "suggest_difficulty takes [difficulty > 0]")
			return
		}
		d = min(max(d, c.p.cfg.MinDiff), c.p.cfg.MaxDiff)
		c.reply(req.ID, true)
		c.retarget(d)
	case "mining.submit":
		c.submit(req)
	default:
		c.fail(req.ID, ErrOther, fmt.Sprintf("unknown method %.64q", req.Method))
	}
}

// submit checks a share: [worker, job id, extranonce2, ntime, nonce].
func (c *conn) submit(req *request) {
	c.mu.Lock()
	subscribed := c.subscribed
	c.mu.Unlock()
	if !subscribed {
		c.fail(req.ID, ErrNotSubscribed, "not subscribed")
		return
	}
	var f [5]string
	if len(req.Params) < 5 {
		c.fail(req.ID, ErrOther, "submit takes [worker, job id, extranonce2, ntime, nonce]")
		return
	}
	for i := range f {
		if json.Unmarshal(req.Params[i], &f[i]) != nil {
			c.fail(req.ID, ErrOther, fmt.Sprintf("submit: parameter %d is not a string", i+1))
			return
		}
	}
	name, jobID := f[0], f[1]
	c.mu.Lock()
	authorized := c.workers[name]
	c.mu.Unlock()
	if !authorized {
		c.fail(req.ID, ErrUnauthorized, fmt.Sprintf("worker %.64q is not authorized", name))
		return
	}
	ws := c.p.worker(name)
	en2, err := hex.DecodeString(f[2])
	if err != nil || len(en2) != Extranonce2Size {
		ws.count(c.p, func(w *workerStats) { w.Rejected++ })
		c.p.event(name, 0, "invalid", false, "")
		c.fail(req.ID, ErrOther, fmt.Sprintf("extranonce2 must be %d bytes of hex", Extranonce2Size))
		return
	}
	ntime, ok1 := parseHex32(f[3])
	nonce, ok2 := parseHex32(f[4])
	if !ok1 || !ok2 {
		ws.count(c.p, func(w *workerStats) { w.Rejected++ })
		c.p.event(name, 0, "invalid", false, "")
		c.fail(req.ID, ErrOther, "ntime and nonce must be 8 hex digits")
		return
	}
	j := c.findJob(jobID)
	c.mu.Lock()
	d, known := c.jobDiff[jobID]
	c.mu.Unlock()
	if j == nil || !known {
		ws.count(c.p, func(w *workerStats) { w.Stale++ })
		c.p.event(name, 0, "stale", false, "")
		c.fail(req.ID, ErrStaleJob, "job not found or stale")
		return
	}
	if ntime < j.minTime || time.Duration(ntime-j.minTime)*time.Second > timeWindow {
		ws.count(c.p, func(w *workerStats) { w.Rejected++ })
		c.p.event(name, d, "invalid", false, "")
		c.fail(req.ID, ErrOther, fmt.Sprintf("ntime %08x outside the job's window [%08x, +2h]", ntime, j.minTime))
		return
	}
	key := f[2] + f[3] + f[4]
	c.mu.Lock()
	dup := c.seen[jobID][key]
	if !dup {
		if c.seen[jobID] == nil {
			c.seen[jobID] = map[string]bool{}
		}
		c.seen[jobID][key] = true
	}
	c.mu.Unlock()
	if dup {
		ws.count(c.p, func(w *workerStats) { w.Duplicate++ })
		c.p.event(name, d, "duplicate", false, "")
		c.fail(req.ID, ErrDuplicate, "duplicate share")
		return
	}
	sh := j.build(c.en1, en2, ntime, nonce)
	hashNum := new(big.Int).SetBytes(sh.hash[:])
	isBlock := hashNum.Cmp(j.blockMax) <= 0 // a block always counts, whatever the share difficulty
	if !isBlock && hashNum.Cmp(ShareTarget(d)) > 0 {
		ws.count(c.p, func(w *workerStats) { w.Rejected++ })
		c.p.event(name, d, "low", false, sh.hash.String())
		c.fail(req.ID, ErrLowDifficulty, fmt.Sprintf("low difficulty share: hash %s above the difficulty-%g target", sh.hash, d))
		return
	}
	now := c.p.cfg.Now()
	ws.accept(c.p, d, now)
	c.p.event(name, d, "accepted", isBlock, sh.hash.String())
	c.reply(req.ID, true)
	if isBlock {
		c.p.block(sh, name)
	}
	c.mu.Lock()
	nd := c.vd.next(c.diff, now)
	c.mu.Unlock()
	if nd > 0 {
		c.retarget(nd)
	}
}

// event tells Config.OnShare of a judged submission.
func (p *Pool) event(worker string, d float64, result string, block bool, hash string) {
	if p.cfg.OnShare != nil {
		p.cfg.OnShare(ShareEvent{At: p.cfg.Now(), Worker: worker, Difficulty: d, Result: result, Block: block, Hash: hash})
	}
}

// block hands a share that meets the block target to the chain engine.
func (p *Pool) block(sh share, worker string) {
	res, err := p.c.AddBlock(sh.block)
	if err != nil {
		p.log.Error("share met the block target but the block was refused", "worker", worker, "height", sh.block.Index, "err", err)
		return
	}
	p.log.Info("block found", "worker", worker, "height", sh.block.Index, "hash", sh.hash.String(), "result", res.String())
	p.mu.Lock()
	p.totals.Blocks++
	if w := p.workers[worker]; w != nil {
		w.Blocks++
	}
	p.mu.Unlock()
}

// passwordSettings reads the password options the pool honours: rate (the
// hashes/s a capped miner declares, shown beside the estimate) and d (a
// starting share difficulty, as mining.suggest_difficulty). Either is 0
// when absent.
func passwordSettings(opts map[string]string) (rate, diff float64, err error) {
	num := func(key string) (float64, error) {
		v, ok := opts[key]
		if !ok {
			return 0, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%s=%.32q: want a number above 0", key, v)
		}
		return f, nil
	}
	if rate, err = num(stratum.PasswordRate); err != nil {
		return 0, 0, err
	}
	diff, err = num(stratum.PasswordDifficulty)
	return rate, diff, err
}
