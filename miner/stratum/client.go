package stratum

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/sha256x"
)

// Defaults for the zero Config fields.
const (
	DefaultDialTimeout  = 10 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	// DefaultIdleTimeout: pools send a notify every 30-60 s (a new ntime
	// or transactions), so three minutes without one means the
	// connection or the pool is stuck.
	DefaultIdleTimeout = 3 * time.Minute
	DefaultMinBackoff  = time.Second
	DefaultMaxBackoff  = 30 * time.Second
	// DefaultRateInterval is how often a RateReport event comes.
	DefaultRateInterval = 10 * time.Second
	// progressInterval is how often the running search's attempts are
	// sampled, fine enough for a 10 s rate report.
	progressInterval = 250 * time.Millisecond
	// maxBadLines ends a connection whose pool keeps sending lines that
	// cannot be used; maxLoggedBadLines of them are reported.
	maxBadLines       = 100
	maxLoggedBadLines = 10
	// maxPending ends a connection whose pool leaves this many
	// submissions unanswered.
	maxPending = 1024
)

// Request ids of the handshake; submissions count up from idFirstSubmit.
const (
	idSubscribe   = 1
	idAuthorize   = 2
	idExtranonce  = 3 // mining.extranonce.subscribe
	idFirstSubmit = 4
)

// Errors Run returns or reports.
var (
	// ErrUnauthorized: the pool refused the user and password. Run
	// returns it at once; redialling would not change the answer.
	ErrUnauthorized = errors.New("pool refused authorization")
	// ErrIdle: no mining.notify came within Config.IdleTimeout.
	ErrIdle = errors.New("no job from the pool")
	// ErrBadURL is wrapped by ParseURL's errors.
	ErrBadURL = errors.New("invalid stratum URL")
)

// Config says which pool to mine for and how. The zero durations take
// the defaults above.
type Config struct {
	Addr     string // host:port (ParseURL turns a stratum+tcp:// URL into it)
	User     string
	Password string
	// Agent is sent with mining.subscribe, e.g. "powlab/v0.4.0".
	Agent   string
	Workers int             // 0: one per CPU
	Kernel  *sha256x.Kernel // nil: the best sha256d kernel
	// MaxRate caps the hashing at this many hashes/s (0: no cap), so the
	// lab knows a miner's true rate (miner.Options.MaxRate).
	MaxRate float64

	DialTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration // without a notify: reconnect
	MinBackoff   time.Duration // first wait before redialling
	MaxBackoff   time.Duration // the wait doubles up to this
	RateInterval time.Duration
	MaxLineBytes int // 0: DefaultMaxLineBytes

	// OnEvent, if set, receives every event, one at a time, from Run's
	// goroutine; it should return quickly.
	OnEvent func(Event)

	// nonceLimit is the number of nonces tried per header before
	// extranonce2 rolls (0: all 2^32); tests make it small.
	nonceLimit uint64
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.DialTimeout, DefaultDialTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.MinBackoff, DefaultMinBackoff)
	def(&c.MaxBackoff, DefaultMaxBackoff)
	def(&c.RateInterval, DefaultRateInterval)
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = c.MinBackoff
	}
	if c.MaxLineBytes <= 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.nonceLimit == 0 || c.nonceLimit > 1<<32 {
		c.nonceLimit = 1 << 32
	}
	if c.Kernel == nil {
		c.Kernel = sha256x.BestFor(sha256x.SHA256d)
	}
	return c
}

// ParseURL turns stratum+tcp://host:port into host:port.
func ParseURL(s string) (string, error) {
	const scheme = "stratum+tcp://"
	if !strings.HasPrefix(strings.ToLower(s), scheme) {
		return "", fmt.Errorf("%w %q: want %shost:port", ErrBadURL, s, scheme)
	}
	rest := strings.TrimSuffix(s[len(scheme):], "/")
	host, port, err := net.SplitHostPort(rest)
	if err != nil || host == "" || port == "" || strings.ContainsAny(rest, "/?#@") {
		return "", fmt.Errorf("%w %q: want %shost:port", ErrBadURL, s, scheme)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return "", fmt.Errorf("%w %q: bad port %q", ErrBadURL, s, port)
	}
	return net.JoinHostPort(host, port), nil
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	Connected     EventKind = iota + 1 // Addr
	Disconnected                       // Err, Retry: the wait before redialling
	Subscribed                         // Extranonce1, Extranonce2Size (also after mining.set_extranonce)
	Authorized                         // the user was accepted
	DifficultySet                      // Difficulty: applies to the jobs notified after it
	JobReceived                        // Job
	ShareAnswered                      // Share: the pool's verdict
	RateReport                         // HashesPerSec since the last report, Totals
	LineIgnored                        // Err: a line from the pool that could not be used
	Redirected                         // Addr: client.reconnect sent us here, after Retry
	PoolMessage                        // Message: client.show_message's text
)

func (k EventKind) String() string {
	switch k {
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	case Subscribed:
		return "subscribed"
	case Authorized:
		return "authorized"
	case DifficultySet:
		return "difficulty"
	case JobReceived:
		return "job"
	case ShareAnswered:
		return "share"
	case RateReport:
		return "rate"
	case LineIgnored:
		return "error"
	case Redirected:
		return "reconnect"
	case PoolMessage:
		return "message"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one thing that happened while mining.
type Event struct {
	Kind            EventKind
	Time            time.Time
	Addr            string
	Err             error
	Retry           time.Duration
	Extranonce1     []byte
	Extranonce2Size int
	Difficulty      Difficulty
	Job             *Job
	Share           Share
	HashesPerSec    float64
	Totals          Totals
	Message         string
}

// Share is a submitted share and the pool's answer.
type Share struct {
	JobID       string
	Extranonce2 string // hex, as submitted
	NTime       string // hex, as submitted
	Nonce       string // big-endian hex of the nonce, as submitted
	Hash        [32]byte
	Difficulty  Difficulty // of the job the share meets
	Block       bool       // the hash also meets the job's nbits
	Accepted    bool
	Code        int    // the pool's error code (20-25 by convention) when rejected
	Reason      string // the pool's message when rejected
	Latency     time.Duration
}

// Totals count a run's shares and hashes.
type Totals struct {
	Accepted uint64
	Rejected uint64
	Hashes   uint64
	Elapsed  time.Duration
}

// HashesPerSec is the mean hashrate of the run.
func (t Totals) HashesPerSec() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Hashes) / t.Elapsed.Seconds()
}

// Run mines for the pool at cfg.Addr until ctx ends: it connects,
// subscribes, authorizes, mines every job and submits every share,
// redialling with exponential backoff when the connection is lost. It
// returns the totals with ctx's error, ErrUnauthorized, or an error of the
// search itself.
func Run(ctx context.Context, cfg Config) (Totals, error) {
	cfg = cfg.withDefaults()
	c := &client{cfg: cfg, start: time.Now()}
	if cfg.Addr == "" {
		return c.totals(), errors.New("stratum: no pool address")
	}
	if !cfg.Kernel.Available {
		return c.totals(), fmt.Errorf("stratum: kernel %s: %w", cfg.Kernel.Name, sha256x.ErrUnavailable)
	}
	c.lastRateAt = c.start
	rate := time.NewTicker(cfg.RateInterval)
	defer rate.Stop()
	backoff := cfg.MinBackoff
	c.addr = cfg.Addr
	for {
		authorized, err := c.session(ctx, rate.C)
		if ctx.Err() != nil {
			return c.totals(), ctx.Err()
		}
		var fe *fatalError
		if errors.As(err, &fe) {
			return c.totals(), fe.err
		}
		if authorized {
			backoff = cfg.MinBackoff
		}
		pause := backoff
		var re *redirect
		if errors.As(err, &re) {
			c.addr, pause = re.addr, re.wait
			c.emit(Event{Kind: Redirected, Addr: re.addr, Retry: re.wait})
		} else {
			c.emit(Event{Kind: Disconnected, Addr: c.addr, Err: err, Retry: backoff})
			backoff = min(2*backoff, cfg.MaxBackoff)
		}
		wait := time.NewTimer(pause)
	waiting:
		for {
			select {
			case <-ctx.Done():
				wait.Stop()
				return c.totals(), ctx.Err()
			case <-rate.C:
				c.reportRate()
			case <-wait.C:
				break waiting
			}
		}
	}
}

// redirect ends a connection on the pool's client.reconnect: Run dials
// addr after wait, without counting it as a failure.
type redirect struct {
	addr string
	wait time.Duration
}

func (r *redirect) Error() string {
	return fmt.Sprintf("the pool asked to reconnect to %s in %s", r.addr, r.wait)
}

// maxRedirectWait bounds client.reconnect's wait.
const maxRedirectWait = 10 * time.Minute

// parseReconnect reads client.reconnect's optional [host, port, wait]
// against the current address: a missing or empty host or port keeps the
// current one.
func parseReconnect(raw json.RawMessage, cur string) (*redirect, error) {
	host, port, _ := net.SplitHostPort(cur)
	r := &redirect{}
	var ps []json.RawMessage
	if len(bytes.TrimSpace(raw)) > 0 && !isNull(raw) {
		if err := json.Unmarshal(raw, &ps); err != nil {
			return nil, protoErrorf("client.reconnect: params are not a list: %.60s", raw)
		}
	}
	if len(ps) > 0 && !isNull(ps[0]) {
		var h string
		if json.Unmarshal(ps[0], &h) != nil || strings.ContainsAny(h, "/?#@ ") || len(h) > 255 {
			return nil, protoErrorf("client.reconnect: bad host %.60s", ps[0])
		}
		if h != "" {
			host = h
		}
	}
	if len(ps) > 1 && !isNull(ps[1]) {
		// A number or a string of one; an empty string keeps the port.
		txt := strings.Trim(string(bytes.TrimSpace(ps[1])), `"`)
		if txt != "" {
			n, err := strconv.Atoi(txt)
			if err != nil || n < 1 || n > 65535 {
				return nil, protoErrorf("client.reconnect: bad port %.60s", ps[1])
			}
			port = strconv.Itoa(n)
		}
	}
	if len(ps) > 2 && !isNull(ps[2]) {
		var w float64
		if json.Unmarshal(ps[2], &w) != nil || !(w >= 0) {
			return nil, protoErrorf("client.reconnect: bad wait %.60s", ps[2])
		}
		r.wait = min(time.Duration(w*float64(time.Second)), maxRedirectWait)
	}
	r.addr = net.JoinHostPort(host, port)
	return r, nil
}

// fatalError ends Run, not only the connection.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

type client struct {
	cfg   Config
	start time.Time
	addr  string // the pool dialled now: cfg.Addr until client.reconnect moves it

	accepted, rejected uint64 // Run's goroutine only

	mu        sync.Mutex
	completed uint64 // hashes of finished searches
	live      uint64 // hashes of the running search so far

	lastRateAt     time.Time
	lastRateHashes uint64
}

func (c *client) emit(e Event) {
	if c.cfg.OnEvent == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	c.cfg.OnEvent(e)
}

func (c *client) hashes() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.completed + c.live
}

func (c *client) totals() Totals {
	return Totals{Accepted: c.accepted, Rejected: c.rejected, Hashes: c.hashes(), Elapsed: time.Since(c.start)}
}

func (c *client) reportRate() {
	now := time.Now()
	h := c.hashes()
	var r float64
	if dt := now.Sub(c.lastRateAt).Seconds(); dt > 0 {
		r = float64(h-c.lastRateHashes) / dt
	}
	c.lastRateAt, c.lastRateHashes = now, h
	c.emit(Event{Kind: RateReport, Time: now, HashesPerSec: r, Totals: c.totals()})
}

// session is one connection's state, owned by Run's goroutine.
type session struct {
	*client
	conn net.Conn
	stop chan struct{} // closed when the session ends: the reader gives up

	subscribed bool
	sub        subscription
	authorized bool
	diff       Difficulty
	job        *Job // the latest notify
	badLines   int

	nextID  uint64
	pending map[uint64]pendingShare

	shares     chan found
	mineCancel context.CancelFunc
	mineDone   chan struct{}
}

type pendingShare struct {
	share Share
	sent  time.Time
}

// found is a share from the search, or the search's failure.
type found struct {
	job   *Job
	en2   []byte
	nonce uint32
	hash  [32]byte
	diff  Difficulty
	block bool
	err   error
}

type readResult struct {
	line    []byte
	tooLong error // the line was skipped
	err     error // the connection failed
}

func (c *client) session(ctx context.Context, rateC <-chan time.Time) (authorized bool, err error) {
	d := net.Dialer{Timeout: c.cfg.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return false, fmt.Errorf("connect %s: %w", c.addr, err)
	}
	s := &session{
		client: c, conn: conn, stop: make(chan struct{}),
		diff: DefaultDifficulty(), nextID: idFirstSubmit, pending: map[uint64]pendingShare{},
		shares: make(chan found),
	}
	lines := make(chan readResult)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		s.read(lines)
	}()
	defer func() {
		s.stopMining()
		close(s.stop)
		conn.Close()
		<-readerDone
	}()
	c.emit(Event{Kind: Connected, Addr: c.addr})
	if err := s.send(idSubscribe, "mining.subscribe", c.cfg.Agent); err != nil {
		return false, err
	}
	idle := time.NewTimer(c.cfg.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.authorized, ctx.Err()
		case r := <-lines:
			if r.err != nil {
				return s.authorized, r.err
			}
			if r.tooLong != nil {
				if err := s.ignore(r.tooLong); err != nil {
					return s.authorized, err
				}
				continue
			}
			gotJob, err := s.handle(r.line)
			if err != nil {
				return s.authorized, err
			}
			if gotJob {
				idle.Reset(c.cfg.IdleTimeout)
			}
		case f := <-s.shares:
			if f.err != nil {
				return s.authorized, &fatalError{fmt.Errorf("stratum: search: %w", f.err)}
			}
			if err := s.submit(f); err != nil {
				return s.authorized, err
			}
		case <-idle.C:
			return s.authorized, fmt.Errorf("%w in %s", ErrIdle, c.cfg.IdleTimeout)
		case <-rateC:
			c.reportRate()
		}
	}
}

// read passes the connection's lines to the session until the connection
// fails or closes. A line longer than MaxLineBytes is skipped and reported;
// each read must come within IdleTimeout.
func (s *session) read(out chan<- readResult) {
	br := bufio.NewReaderSize(s.conn, s.cfg.MaxLineBytes)
	deliver := func(r readResult) bool {
		select {
		case out <- r:
			return true
		case <-s.stop:
			return false
		}
	}
	for {
		_ = s.conn.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			n := len(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				_ = s.conn.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
				line, err = br.ReadSlice('\n')
				n += len(line)
			}
			if err == nil {
				if !deliver(readResult{tooLong: protoErrorf("line of %d bytes or more, at most %d", n, s.cfg.MaxLineBytes)}) {
					return
				}
				continue
			}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("%w: nothing read in %s", ErrIdle, s.cfg.IdleTimeout)
		}
		if err != nil {
			deliver(readResult{err: fmt.Errorf("read: %w", err)})
			return
		}
		if !deliver(readResult{line: bytes.Clone(line)}) {
			return
		}
	}
}

func (s *session) send(id uint64, method string, params ...any) error {
	if params == nil {
		params = []any{} // a list, never null
	}
	b, err := json.Marshal(request{ID: id, Method: method, Params: params})
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	if _, err := s.conn.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", method, err)
	}
	return nil
}

// ignore reports a line that could not be used; too many of them end the
// connection.
func (s *session) ignore(err error) error {
	s.badLines++
	if s.badLines <= maxLoggedBadLines {
		s.emit(Event{Kind: LineIgnored, Addr: s.addr, Err: err})
	}
	if s.badLines >= maxBadLines {
		return fmt.Errorf("%w: %d unusable lines from the pool", ErrProtocol, s.badLines)
	}
	return nil
}

// handle acts on one line from the pool. gotJob says a valid notify came.
// An error ends the connection.
func (s *session) handle(line []byte) (gotJob bool, err error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return false, nil
	}
	if line[0] != '{' {
		return false, s.ignore(protoErrorf("not a JSON object: %.40q", line))
	}
	m, err := decodeMessage(line)
	if err != nil {
		return false, s.ignore(err)
	}
	if m.Method != nil {
		return s.notification(*m.Method, m.Params)
	}
	id, ok := m.id()
	if !ok {
		return false, s.ignore(protoErrorf("a response without a numeric id: %.60s", line))
	}
	switch id {
	case idSubscribe:
		if !isNull(m.Error) {
			code, msg := parseError(m.Error)
			return false, fmt.Errorf("%w: mining.subscribe refused: %d %s", ErrProtocol, code, msg)
		}
		sub, err := parseSubscribe(m.Result)
		if err != nil {
			return false, err // without extranonces there is nothing to mine
		}
		s.sub, s.subscribed = sub, true
		s.emit(Event{Kind: Subscribed, Addr: s.addr, Extranonce1: sub.Extranonce1, Extranonce2Size: sub.Extranonce2Size})
		return false, s.send(idAuthorize, "mining.authorize", s.cfg.User, s.cfg.Password)
	case idAuthorize:
		ok, isBool := parseResultBool(m.Result)
		if !ok || !isBool || !isNull(m.Error) {
			code, msg := parseError(m.Error)
			reason := "result " + clip(string(m.Result))
			if msg != "" || code != 0 {
				reason = fmt.Sprintf("%d %s", code, msg)
			}
			return false, &fatalError{fmt.Errorf("%w: user %q: %s", ErrUnauthorized, s.cfg.User, reason)}
		}
		s.authorized = true
		s.emit(Event{Kind: Authorized, Addr: s.addr})
		s.startMining()
		// Ask for mining.set_extranonce; a pool without it answers with
		// an error, which changes nothing.
		return false, s.send(idExtranonce, "mining.extranonce.subscribe")
	case idExtranonce:
		return false, nil
	}
	p, ok := s.pending[id]
	if !ok {
		return false, s.ignore(protoErrorf("a response to unknown id %d", id))
	}
	delete(s.pending, id)
	sh := p.share
	sh.Latency = time.Since(p.sent)
	accepted, _ := parseResultBool(m.Result)
	sh.Accepted = accepted && isNull(m.Error)
	if sh.Accepted {
		s.accepted++
	} else {
		s.rejected++
		sh.Code, sh.Reason = parseError(m.Error)
	}
	s.emit(Event{Kind: ShareAnswered, Addr: s.addr, Share: sh, Totals: s.totals()})
	return false, nil
}

func (s *session) notification(method string, raw json.RawMessage) (gotJob bool, err error) {
	switch method {
	case "mining.notify":
		j, err := parseNotify(raw)
		if err != nil {
			return false, s.ignore(err)
		}
		s.job = j
		s.emit(Event{Kind: JobReceived, Addr: s.addr, Job: j, Difficulty: s.diff})
		s.startMining()
		return true, nil
	case "mining.set_difficulty":
		d, err := parseSetDifficulty(raw)
		if err != nil {
			return false, s.ignore(err)
		}
		s.diff = d
		s.emit(Event{Kind: DifficultySet, Addr: s.addr, Difficulty: d})
	case "mining.set_extranonce":
		ps, err := params("mining.set_extranonce", raw, 2)
		if err != nil {
			return false, s.ignore(err)
		}
		sub, err := parseExtranonce("mining.set_extranonce", ps[0], ps[1])
		if err != nil {
			return false, s.ignore(err)
		}
		s.sub = sub
		s.emit(Event{Kind: Subscribed, Addr: s.addr, Extranonce1: sub.Extranonce1, Extranonce2Size: sub.Extranonce2Size})
	case "client.reconnect":
		r, err := parseReconnect(raw, s.addr)
		if err != nil {
			return false, s.ignore(err)
		}
		return false, r
	case "client.show_message":
		var ps []string
		if json.Unmarshal(raw, &ps) != nil || len(ps) == 0 {
			return false, s.ignore(protoErrorf("client.show_message: want [text]: %.60s", raw))
		}
		s.emit(Event{Kind: PoolMessage, Addr: s.addr, Message: clip(ps[0])})
	default:
		return false, s.ignore(protoErrorf("unsupported method %.40q", method))
	}
	return false, nil
}

// startMining abandons the running search, if any, and mines the latest
// job with the difficulty and extranonces in force now. Every notify
// switches at once, clean or not: the old job's unsent shares are dropped
// either way, and a pool still accepts the ones already submitted.
func (s *session) startMining() {
	s.stopMining()
	if !s.subscribed || !s.authorized || s.job == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.mineCancel, s.mineDone = cancel, done
	w := work{job: s.job, en1: s.sub.Extranonce1, en2Size: s.sub.Extranonce2Size, diff: s.diff}
	go func() {
		defer close(done)
		s.client.mine(ctx, w, s.shares)
	}()
}

// stopMining cancels the search and waits for it: it returns within the
// time a worker takes for one chunk (about a millisecond).
func (s *session) stopMining() {
	if s.mineCancel == nil {
		return
	}
	s.mineCancel()
	<-s.mineDone
	s.mineCancel, s.mineDone = nil, nil
}

func (s *session) submit(f found) error {
	if len(s.pending) >= maxPending {
		return fmt.Errorf("%w: %d submissions unanswered", ErrProtocol, len(s.pending))
	}
	sh := Share{
		JobID: f.job.ID, Extranonce2: hex.EncodeToString(f.en2), NTime: hex32(f.job.NTime),
		Nonce: hex32(f.nonce), Hash: f.hash, Difficulty: f.diff, Block: f.block,
	}
	id := s.nextID
	s.nextID++
	s.pending[id] = pendingShare{share: sh, sent: time.Now()}
	return s.send(id, "mining.submit", s.cfg.User, sh.JobID, sh.Extranonce2, sh.NTime, sh.Nonce)
}

// work is one job as the search sees it.
type work struct {
	job     *Job
	en1     []byte
	en2Size int
	diff    Difficulty
}

// extranonce2 writes counter x big-endian into size bytes (its low eight
// bytes when size is larger).
func extranonce2(x uint64, size int) []byte {
	b := make([]byte, size)
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], x)
	if size >= 8 {
		copy(b[size-8:], be[:])
	} else {
		copy(b, be[8-size:])
	}
	return b
}

// mine searches w's headers for shares until ctx ends: for extranonce2 =
// 0, 1, 2, … it builds the header and walks its nonces from 0 in
// smallest-nonce searches, resuming after each hit, until they run out.
// When every extranonce2 is used it waits for the next job.
func (c *client) mine(ctx context.Context, w work, out chan<- found) {
	target := w.diff.MinerTarget()
	network, netErr := miner.CompactTarget(w.job.NBits)
	var space uint64 // extranonce2 values (0: 2^64)
	if w.en2Size < 8 {
		space = 1 << (8 * w.en2Size)
	}
	opts := miner.Options{
		Workers: c.cfg.Workers, Kernel: c.cfg.Kernel, Mode: miner.Smallest, MaxRate: c.cfg.MaxRate,
		ProgressInterval: progressInterval,
		Progress: func(p miner.Progress) {
			c.mu.Lock()
			c.live = p.Attempts
			c.mu.Unlock()
		},
	}
	limit := c.cfg.nonceLimit
	for x := uint64(0); ctx.Err() == nil; x++ {
		if space != 0 && x >= space {
			return
		}
		en2 := extranonce2(x, w.en2Size)
		hdr := w.job.Header(w.en1, en2, 0)
		for start := uint64(0); start < limit; {
			p, err := miner.HeaderPuzzle(hdr[:], uint32(start))
			if err != nil {
				c.fail(ctx, out, err)
				return
			}
			opts.MaxAttempts = limit - start
			r, err := miner.Search(ctx, p, target, opts)
			c.mu.Lock()
			c.completed += r.Attempts
			c.live = 0
			c.mu.Unlock()
			if errors.Is(err, miner.ErrExhausted) {
				break
			}
			if err != nil {
				if ctx.Err() == nil {
					c.fail(ctx, out, err)
				}
				return
			}
			hash := p.Hash(r.Digest)
			f := found{job: w.job, en2: en2, nonce: uint32(r.Nonce), hash: hash, diff: w.diff,
				block: netErr == nil && network.Meets(hash)}
			if !target.Meets(hash) {
				c.fail(ctx, out, fmt.Errorf("kernel %s returned nonce %d whose hash %x misses the share target", r.Kernel, r.Nonce, hash))
				return
			}
			select {
			case out <- f:
			case <-ctx.Done():
				return
			}
			start = r.Nonce + 1
		}
	}
}

func (c *client) fail(ctx context.Context, out chan<- found, err error) {
	select {
	case out <- found{err: err}:
	case <-ctx.Done():
	}
}
