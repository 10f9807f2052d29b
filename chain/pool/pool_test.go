package pool

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/miner/stratum"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testPool serves a pool on a fresh bitcoin-rules chain with the given
// zero bits on 127.0.0.1, stopped when the test ends.
func testPool(t *testing.T, bits int, cfg Config) (*Pool, string, *chain.Chain) {
	t.Helper()
	s, addr, c := testPoolOwnServe(t, bits, cfg)
	return s.Pool, addr, c
}

// testChain is a fresh bitcoin-rules chain at the given zero bits, closed
// when the test ends.
func testChain(t *testing.T, bits int) *chain.Chain {
	t.Helper()
	tg, _ := miner.ZeroBitsTarget(bits)
	c, err := chain.Open(context.Background(), t.TempDir(), chain.Options{Rules: chain.RulesBitcoin, Target: tg, Mine: chain.MineOptions{Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// rawClient speaks the protocol line by line.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
	id int
}

func dial(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, r: bufio.NewReader(nc)}
}

type msg struct {
	ID     *int              `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
	Result json.RawMessage   `json:"result"`
	Error  []any             `json:"error"`
}

func (c *rawClient) sendLine(s string) {
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write([]byte(s + "\n")); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) call(method string, params ...any) int {
	c.id++
	b, _ := json.Marshal(map[string]any{"id": c.id, "method": method, "params": params})
	c.sendLine(string(b))
	return c.id
}

// next reads one message (5 s deadline).
func (c *rawClient) next() msg {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m msg
	if err := json.Unmarshal(line, &m); err != nil {
		c.t.Fatalf("%v: %s", err, line)
	}
	return m
}

// answer reads until the answer to id, returning it and the notifications
// seen on the way.
func (c *rawClient) answer(id int) (msg, []msg) {
	c.t.Helper()
	var notes []msg
	for {
		m := c.next()
		if m.ID != nil && *m.ID == id && m.Method == "" {
			return m, notes
		}
		notes = append(notes, m)
	}
}

// errCode is the answer's error code (0 when it succeeded).
func errCode(m msg) int {
	if len(m.Error) == 0 {
		return 0
	}
	f, _ := m.Error[0].(float64)
	return int(f)
}

// notifyJob is a mining.notify, decoded.
type notifyJob struct {
	id, prev, coinb1, coinb2 string
	branch                   []string
	version, nbits, ntime    string
	clean                    bool
}

func decodeNotify(t testing.TB, m msg) notifyJob {
	t.Helper()
	var j notifyJob
	fields := []any{&j.id, &j.prev, &j.coinb1, &j.coinb2, &j.branch, &j.version, &j.nbits, &j.ntime, &j.clean}
	if m.Method != "mining.notify" || len(m.Params) != len(fields) {
		t.Fatalf("not a notify: %+v", m)
	}
	for i, f := range fields {
		if err := json.Unmarshal(m.Params[i], f); err != nil {
			t.Fatalf("notify param %d: %v", i, err)
		}
	}
	return j
}

// headerOf rebuilds an 80-byte header from a notify the way a miner does,
// independently of the pool's code: coinbase, branch fold, word-swapped
// prevhash, little-endian fields.
func headerOf(t *testing.T, j notifyJob, en1, en2 string, ntime, nonce uint32) []byte {
	t.Helper()
	mustHex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cb := append(append(append(mustHex(j.coinb1), mustHex(en1)...), mustHex(en2)...), mustHex(j.coinb2)...)
	root := chain.Sha256d(cb)
	for _, b := range j.branch {
		root = chain.Sha256d(append(root[:], mustHex(b)...))
	}
	le := func(s string) []byte {
		b := mustHex(s)
		return []byte{b[3], b[2], b[1], b[0]}
	}
	prev := mustHex(j.prev)
	h := le(j.version)
	for w := 0; w < 8; w++ {
		h = append(h, prev[4*w+3], prev[4*w+2], prev[4*w+1], prev[4*w])
	}
	h = append(h, root[:]...)
	h = append(h, byte(ntime), byte(ntime>>8), byte(ntime>>16), byte(ntime>>24))
	h = append(h, le(j.nbits)...)
	return append(h, byte(nonce), byte(nonce>>8), byte(nonce>>16), byte(nonce>>24))
}

// displayNum is a header's sha256d as Bitcoin's number.
func displayNum(h []byte) *big.Int {
	d := chain.Sha256d(h).Reversed()
	return new(big.Int).SetBytes(d[:])
}

// findNonce returns the first nonce whose hash (as a number) is at most
// below and above above (nil: no bound).
func findNonce(t *testing.T, j notifyJob, en1, en2 string, ntime uint32, below, above *big.Int) uint32 {
	t.Helper()
	for n := uint32(0); n < 1<<24; n++ {
		h := displayNum(headerOf(t, j, en1, en2, ntime, n))
		if (below == nil || h.Cmp(below) <= 0) && (above == nil || h.Cmp(above) > 0) {
			return n
		}
	}
	t.Fatal("no nonce found")
	return 0
}

// TestTranscript walks the protocol: every method and every error code.
func TestTranscript(t *testing.T) {
	// Shares every ~4 k hashes, blocks every ~65 k: the shares below are
	// picked to miss the block target, so the job stays current.
	shareDiff := 1.0 / (1 << 20)
	_, addr, _ := testPool(t, 16, Config{ShareDiff: shareDiff, SharesPerMin: 1e6})
	c := dial(t, addr)

	// Before subscribing: submit is refused (25); unknown methods (20).
	if m, _ := c.answer(c.call("mining.submit", "w", "1", "00000000", "00000000", "00000000")); errCode(m) != ErrNotSubscribed {
		t.Fatalf("submit before subscribe: %+v", m)
	}
	if m, _ := c.answer(c.call("mining.frobnicate")); errCode(m) != ErrOther {
		t.Fatalf("unknown method: %+v", m)
	}
	c.sendLine("{not json")
	if m := c.next(); errCode(m) != ErrOther || !strings.Contains(fmt.Sprint(m.Error...), "invalid JSON") {
		t.Fatalf("invalid JSON: %+v", m)
	}

	// Subscribe: [subscriptions, extranonce1, 4], then set_difficulty and
	// a clean notify.
	m, _ := c.answer(c.call("mining.subscribe", "test/1"))
	var sub []json.RawMessage
	if err := json.Unmarshal(m.Result, &sub); err != nil || len(sub) != 3 {
		t.Fatalf("subscribe: %s", m.Result)
	}
	var en1 string
	var en2size int
	json.Unmarshal(sub[1], &en1)
	json.Unmarshal(sub[2], &en2size)
	if len(en1) != 2*Extranonce1Size || en2size != Extranonce2Size {
		t.Fatalf("extranonce1 %q, extranonce2 size %d", en1, en2size)
	}
	diffMsg := c.next()
	var d float64
	if diffMsg.Method != "mining.set_difficulty" || json.Unmarshal(diffMsg.Params[0], &d) != nil || d != shareDiff {
		t.Fatalf("set_difficulty: %+v", diffMsg)
	}
	j := decodeNotify(t, c.next())
	if !j.clean || len(j.coinb2) != 8 || j.version != "00000001" {
		t.Fatalf("first notify: %+v", j)
	}
	ntime := uint32(mustUint(t, j.ntime))

	// Not authorized yet: 24. Then authorize.
	if m, _ := c.answer(c.call("mining.submit", "w1", j.id, "00000000", j.ntime, "00000000")); errCode(m) != ErrUnauthorized {
		t.Fatalf("submit before authorize: %+v", m)
	}
	if m, _ := c.answer(c.call("mining.authorize", "w1", "x")); string(m.Result) != "true" {
		t.Fatalf("authorize: %+v", m)
	}
	if m, _ := c.answer(c.call("mining.extranonce.subscribe")); string(m.Result) != "true" {
		t.Fatalf("extranonce.subscribe: %+v", m)
	}

	// Bad submissions.
	for _, tc := range []struct {
		name   string
		params []any
		code   int
	}{
		{"unknown job", []any{"w1", "ffff", "00000000", j.ntime, "00000000"}, ErrStaleJob},
		{"short extranonce2", []any{"w1", j.id, "0000", j.ntime, "00000000"}, ErrOther},
		{"ntime before the job's", []any{"w1", j.id, "00000000", fmt.Sprintf("%08x", ntime-1), "00000000"}, ErrOther},
		{"ntime 3 hours on", []any{"w1", j.id, "00000000", fmt.Sprintf("%08x", ntime+3*3600), "00000000"}, ErrOther},
		{"bad nonce hex", []any{"w1", j.id, "00000000", j.ntime, "xyz"}, ErrOther},
		{"number for a string", []any{"w1", j.id, 5, j.ntime, "00000000"}, ErrOther},
		{"too few params", []any{"w1", j.id}, ErrOther},
	} {
		if m, _ := c.answer(c.call("mining.submit", tc.params...)); errCode(m) != tc.code {
			t.Fatalf("%s: %+v, want code %d", tc.name, m, tc.code)
		}
	}

	// A good share is accepted once; the same again is a duplicate (22); a
	// hash above the share target is low difficulty (23).
	st := ShareTarget(shareDiff)
	blockMax, _ := chain.BitsTarget(uint32(mustUint(t, j.nbits)))
	good := findNonce(t, j, en1, "00000001", ntime, st, blockMax)
	nonceHex := fmt.Sprintf("%08x", good)
	if m, _ := c.answer(c.call("mining.submit", "w1", j.id, "00000001", j.ntime, nonceHex)); string(m.Result) != "true" {
		t.Fatalf("good share refused: %+v", m)
	}
	if m, _ := c.answer(c.call("mining.submit", "w1", j.id, "00000001", j.ntime, nonceHex)); errCode(m) != ErrDuplicate {
		t.Fatalf("duplicate: %+v", m)
	}
	bad := findNonce(t, j, en1, "00000002", ntime, nil, st)
	if m, _ := c.answer(c.call("mining.submit", "w1", j.id, "00000002", j.ntime, fmt.Sprintf("%08x", bad))); errCode(m) != ErrLowDifficulty {
		t.Fatalf("low difficulty: %+v", m)
	}

	// suggest_difficulty is honoured within bounds.
	m, notes := c.answer(c.call("mining.suggest_difficulty", 1e30))
	if string(m.Result) != "true" {
		t.Fatalf("suggest_difficulty: %+v", m)
	}
	if len(notes) == 0 {
		notes = append(notes, c.next())
	}
	if err := json.Unmarshal(notes[0].Params[0], &d); err != nil || d != 1<<40 {
		t.Fatalf("suggested 1e30, got %+v", notes)
	}
}

// TestShareMakesBlock: a share that meets the block target becomes a block,
// every miner gets a clean job, and the old job is then stale (21).
func TestShareMakesBlock(t *testing.T) {
	// Shares of difficulty 2^-8 (a hash in 2^24) are harder than the 12-bit
	// block target: a block counts as a share whatever the difficulty.
	p, addr, c := testPool(t, 12, Config{ShareDiff: 1.0 / (1 << 8), SharesPerMin: 1e6})
	cl := dial(t, addr)
	m, _ := cl.answer(cl.call("mining.subscribe"))
	var sub []json.RawMessage
	json.Unmarshal(m.Result, &sub)
	var en1 string
	json.Unmarshal(sub[1], &en1)
	cl.next() // set_difficulty
	j := decodeNotify(t, cl.next())
	cl.answer(cl.call("mining.authorize", "w1", ""))
	limit, _ := chain.BitsTarget(uint32(mustUint(t, j.nbits)))
	ntime := uint32(mustUint(t, j.ntime))
	nonce := findNonce(t, j, en1, "0000abcd", ntime, limit, nil)
	h0 := c.Height()
	if m, _ := cl.answer(cl.call("mining.submit", "w1", j.id, "0000abcd", j.ntime, fmt.Sprintf("%08x", nonce))); string(m.Result) != "true" {
		t.Fatalf("block share refused: %+v", m)
	}
	var fresh notifyJob
	for {
		n := cl.next()
		if n.Method == "mining.notify" {
			fresh = decodeNotify(t, n)
			break
		}
	}
	if !fresh.clean || c.Height() != h0+1 {
		t.Fatalf("after the block: clean %v, height %d (was %d)", fresh.clean, c.Height(), h0)
	}
	if _, err := c.Validate(context.Background(), chain.ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	if m, _ := cl.answer(cl.call("mining.submit", "w1", j.id, "0000abce", j.ntime, "00000000")); errCode(m) != ErrStaleJob {
		t.Fatalf("old job after the block: %+v", m)
	}
	s := p.Status()
	if s.Shares.Blocks != 1 || s.Shares.Accepted != 1 || s.Shares.Stale != 1 || len(s.Workers) != 1 || s.Workers[0].Blocks != 1 {
		t.Fatalf("status %+v", s)
	}
}

// TestPowlabClient: powlab's own Stratum client mines for the pool; every
// share is accepted (or stale, when a block moved the tip while it was in
// flight), blocks land on the chain and it stays valid.
func TestPowlabClient(t *testing.T) {
	p, addr, c := testPool(t, 14, Config{ShareDiff: 1.0 / (1 << 12), SharesPerMin: 600})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan stratum.Totals, 1)
	blocks := make(chan struct{}, 1)
	events, stop := c.Subscribe()
	defer stop()
	go func() {
		tot, _ := stratum.Run(ctx, stratum.Config{Addr: addr, User: "powlab1", Password: "x", Workers: 1})
		done <- tot
	}()
	timeout := time.After(30 * time.Second)
	for n := 0; n < 3; {
		select {
		case <-events:
			n++
		case <-timeout:
			cancel()
			t.Fatalf("3 blocks not found in 30 s: %+v", p.Status())
		}
	}
	close(blocks)
	cancel()
	tot := <-done
	s := p.Status()
	// A share in flight when a block changes the tip is stale (21): the only
	// refusal allowed here.
	if tot.Rejected > s.Shares.Stale || s.Shares.Rejected != 0 || s.Shares.Duplicate != 0 || s.Shares.Accepted == 0 || s.Shares.Blocks < 3 {
		t.Fatalf("client %+v, pool %+v", tot, s)
	}
	if _, err := c.Validate(context.Background(), chain.ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := s.Workers[0]
	if w.Name != "powlab1" || !(w.HashrateLow <= w.Hashrate && w.Hashrate <= w.HashrateHigh) || w.Hashrate <= 0 {
		t.Fatalf("worker %+v", w)
	}
}

// TestHostile: a line over 16 KiB gets an error and the connection is
// closed; a flood is cut off; the pool keeps serving others.
func TestHostile(t *testing.T) {
	_, addr, _ := testPool(t, 20, Config{})
	c := dial(t, addr)
	c.sendLine(`{"id":1,"method":"mining.subscribe","params":["` + strings.Repeat("a", MaxLine) + `"]}`)
	if m := c.next(); errCode(m) != ErrOther {
		t.Fatalf("long line: %+v", m)
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open after a long line")
	}
	f := dial(t, addr)
	var sb strings.Builder
	for i := 0; i < 2*DefaultMaxMsgsPerSec; i++ {
		sb.WriteString(`{"id":1,"method":"mining.nope","params":[]}` + "\n")
	}
	f.nc.Write([]byte(sb.String()))
	f.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, err := f.r.ReadBytes('\n'); err != nil {
			break // closed by the pool
		}
	}
	ok := dial(t, addr)
	if m, _ := ok.answer(ok.call("mining.subscribe")); m.Result == nil {
		t.Fatalf("a well-behaved client after the hostile ones: %+v", m)
	}
}

func TestShareTarget(t *testing.T) {
	one := new(big.Int).Sub(two224, big.NewInt(1))
	if ShareTarget(1).Cmp(one) != 0 {
		t.Fatalf("difficulty 1: %x", ShareTarget(1))
	}
	if got := ShareTarget(2); got.Cmp(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 223), big.NewInt(1))) != 0 {
		t.Fatalf("difficulty 2: %x", got)
	}
	if got := ShareTarget(0.5); got.Cmp(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 225), big.NewInt(1))) != 0 {
		t.Fatalf("difficulty 0.5: %x", got)
	}
	if ShareTarget(0).Sign() != 0 || ShareTarget(-1).Sign() != 0 {
		t.Fatal("non-positive difficulty")
	}
}

func TestEstimateInterval(t *testing.T) {
	// 100 shares of difficulty 1 in 100 s: 2^32 hashes/s; the exact
	// Poisson interval for 100 events is [81.37, 121.63].
	e := estimate(100, 100, 1, 100*time.Second)
	per := 0x1p32 / 100
	if e.Rate != 100*per || e.Low < 81.3*per || e.Low > 81.4*per || e.High < 121.6*per || e.High > 121.7*per {
		t.Fatalf("%+v (per share %g)", e, per)
	}
	if z := estimate(0, 0, 1, time.Minute); z.Rate != 0 || z.Low != 0 || z.High <= 0 {
		t.Fatalf("no shares: %+v", z)
	}
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		t.Fatalf("%q: not 8 hex digits", s)
	}
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

// BenchmarkShares: many loopback clients submit shares as fast as the pool
// answers; shares/s is what the pool checks (coinbase, Merkle root, header
// sha256d, the target tests) on this machine. The difficulty is so low that
// most submissions are accepted; each is distinct, so none is a duplicate.
func BenchmarkShares(b *testing.B) {
	const clients = 16
	tg, _ := miner.ZeroBitsTarget(24) // a block once in 16 M shares: rare enough not to matter
	c, err := chain.Open(context.Background(), b.TempDir(), chain.Options{Rules: chain.RulesBitcoin, Target: tg, Mine: chain.MineOptions{Workers: 2}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	// The flood bound is lifted: this measures the checks, not the policy.
	p, err := New(c, Config{ShareDiff: 1.0 / (1 << 30), MinDiff: 1.0 / (1 << 30), SharesPerMin: 1e9, MaxConns: clients, MaxMsgsPerSec: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()
	t := b
	type sess struct {
		c     *rawClient
		jobID string
		ntime string
	}
	ss := make([]sess, clients)
	for i := range ss {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer nc.Close()
		rc := &rawClient{t: t, nc: nc, r: bufio.NewReader(nc)}
		rc.answer(rc.call("mining.subscribe"))
		rc.next() // set_difficulty
		var j notifyJob
		for {
			m := rc.next()
			if m.Method == "mining.notify" {
				j = decodeNotify(t, m)
				break
			}
		}
		rc.answer(rc.call("mining.authorize", fmt.Sprintf("w%d", i), "x"))
		ss[i] = sess{rc, j.id, j.ntime}
	}
	b.ResetTimer()
	start := time.Now()
	per := (b.N + clients - 1) / clients
	var wg sync.WaitGroup
	for i := range ss {
		wg.Add(1)
		go func(s sess, i int) {
			defer wg.Done()
			// Up to 16 submissions in flight, well inside the pool's
			// per-connection write queue, as a fast miner would have.
			inflight := make(chan struct{}, 16)
			go func() {
				for k := 0; k < per; k++ {
					inflight <- struct{}{}
					fmt.Fprintf(s.c.nc, `{"id":%d,"method":"mining.submit","params":["w%d","%s","%08x","%s","%08x"]}`+"\n", k+10, i, s.jobID, k/65536, s.ntime, k%65536)
				}
			}()
			for k := 0; k < per; k++ {
				s.c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
				if _, err := s.c.r.ReadBytes('\n'); err != nil {
					b.Error(err)
					return
				}
				<-inflight
			}
		}(ss[i], i)
	}
	wg.Wait()
	b.ReportMetric(float64(per*clients)/time.Since(start).Seconds(), "shares/s")
}

// TestVardiffConverges: a fast miner starting at a tiny difficulty is moved
// up until its shares come at about the rate asked for: the difficulty
// ends within ×4 of rate/(2^32·shares per second), judged from the pool's
// own hashrate estimate.
func TestVardiffConverges(t *testing.T) {
	const perMin = 600 // 10 shares/s
	p, addr, _ := testPool(t, 22, Config{ShareDiff: 1.0 / (1 << 16), MinDiff: 1.0 / (1 << 24), SharesPerMin: perMin, VardiffWindow: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	stratum.Run(ctx, stratum.Config{Addr: addr, User: "fast", Workers: 1})
	s := p.Status()
	if len(s.Workers) != 1 || s.Shares.Rejected != 0 {
		t.Fatalf("%+v", s)
	}
	w := s.Workers[0]
	want := w.Hashrate / (perMin / 60.0 * 0x1p32)
	if r := w.Difficulty / want; r < 0.25 || r > 4 {
		t.Fatalf("difficulty %g, want about %g (hashrate %g, %d shares)", w.Difficulty, want, w.Hashrate, w.Accepted)
	}
}

// TestConnectionBounds: past MaxConns a connection is closed at once; a
// connection that does not subscribe in time is closed; the pool serves on.
func TestConnectionBounds(t *testing.T) {
	_, addr, _ := testPool(t, 16, Config{MaxConns: 2, SubscribeTimeout: 300 * time.Millisecond})
	a, b := dial(t, addr), dial(t, addr)
	a.answer(a.call("mining.subscribe"))
	b.answer(b.call("mining.subscribe"))
	extra := dial(t, addr)
	extra.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := extra.r.ReadByte(); err == nil {
		t.Fatal("a third connection over MaxConns 2 was served")
	}
	a.nc.Close() // room again
	var idle *rawClient
	for i := 0; ; i++ { // the pool notices the close asynchronously
		idle = dial(t, addr)
		idle.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err := idle.r.ReadByte()
		if err == nil {
			t.Fatal("the pool spoke to a silent connection")
		}
		if time.Since(start) >= 200*time.Millisecond { // closed by the subscribe deadline, not the limit
			break
		}
		if i > 50 {
			t.Fatal("never got a connection slot back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if m, _ := b.answer(b.call("mining.authorize", "w", "x")); string(m.Result) != "true" {
		t.Fatalf("the established connection after all that: %+v", m)
	}
}

// TestEstimateFindsCappedRate: a client capped at a known rate is
// estimated from its shares near that rate. With about 60 shares the
// estimate's spread is about 13%, so the ×0.6–1.6 bound below fails by
// chance well under once in a thousand runs.
func TestEstimateFindsCappedRate(t *testing.T) {
	const rate = 250e3         // hashes/s: below even the pure-Go kernel's speed
	diff := math.Ldexp(1, -17) // 2^15 hashes a share: about 7.6 shares/s at the cap
	p, addr, _ := testPool(t, 24, Config{ShareDiff: diff, MinDiff: diff, SharesPerMin: 1e6, VardiffWindow: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	stratum.Run(ctx, stratum.Config{Addr: addr, User: "capped", Workers: 1, MaxRate: rate})
	s := p.Status()
	if len(s.Workers) != 1 || s.Shares.Rejected != 0 {
		t.Fatalf("%+v", s)
	}
	w := s.Workers[0]
	if r := w.Hashrate / rate; r < 0.6 || r > 1.6 || w.Difficulty != diff {
		t.Fatalf("estimate %.0f [%.0f, %.0f] from %d shares at difficulty %g; the cap is %.0f", w.Hashrate, w.HashrateLow, w.HashrateHigh, w.Accepted, w.Difficulty, rate)
	}
	t.Logf("cap %.0f H/s: estimate %.0f [%.0f, %.0f] from %d shares", rate, w.Hashrate, w.HashrateLow, w.HashrateHigh, w.Accepted)
}
