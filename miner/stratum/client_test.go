package stratum

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/miner/sha256x"
)

// The fake pool's job: a coinbase split around the extranonces, a
// two-hash branch, and a real-looking prevhash, version, bits and time.
const (
	testEn1     = "08000002"
	testEn2Size = 4
	testCoinb1  = "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008"
	testCoinb2  = "072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000"
	testPrev    = "4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000"
	testVersion = "20000000"
	testNBits   = "1a0ffff0"
	testNTime   = "504e86ed"
	// Difficulties 2^-16 and 2^-20: a share every 65536 or 4096 hashes on
	// average, so tests see shares quickly even under -race.
	easyDiff   = "0.0000152587890625"
	easierDiff = "0.00000095367431640625"
	// hardDiff is out of reach in a test's time.
	hardDiff = "1000000"
)

var testBranch = []string{
	"57351e8569cb9d036187a79fd1844fd930c1309efcd16c46af9bb9713b6ee734",
	"936ab9c33420f187acae660fcdb07ffdffa081273674f0f41e6ecc1347451d23",
}

// fakePool listens on loopback; each accepted connection arrives on conns.
type fakePool struct {
	t     *testing.T
	ln    net.Listener
	conns chan *poolConn
	wg    sync.WaitGroup
}

func newFakePool(t *testing.T) *fakePool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePool{t: t, ln: ln, conns: make(chan *poolConn, 8)}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.conns)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			pc := &poolConn{t: t, c: c, r: bufio.NewReader(c)}
			select {
			case p.conns <- pc:
			default:
				c.Close()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
		for pc := range p.conns {
			pc.c.Close()
		}
	})
	return p
}

func (p *fakePool) addr() string { return p.ln.Addr().String() }

// accept waits for the client's next connection.
func (p *fakePool) accept() *poolConn {
	p.t.Helper()
	select {
	case pc := <-p.conns:
		p.t.Cleanup(func() { pc.c.Close() })
		return pc
	case <-time.After(10 * time.Second):
		p.t.Fatal("the client did not connect")
	}
	return nil
}

type poolConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

type clientLine struct {
	raw    string
	ID     uint64            `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

// next reads the client's next line.
func (pc *poolConn) next() clientLine {
	pc.t.Helper()
	_ = pc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := pc.r.ReadString('\n')
	if err != nil {
		pc.t.Fatalf("pool: reading the client: %v", err)
	}
	var l clientLine
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		pc.t.Fatalf("pool: the client sent %q: %v", s, err)
	}
	l.raw = strings.TrimSuffix(s, "\n")
	return l
}

func (pc *poolConn) send(line string) {
	pc.t.Helper()
	_ = pc.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := pc.c.Write([]byte(line + "\n")); err != nil {
		pc.t.Fatalf("pool: write: %v", err)
	}
}

// handshake expects the exact subscribe and authorize lines and accepts
// both.
func (pc *poolConn) handshake() {
	pc.t.Helper()
	if l := pc.next(); l.raw != `{"id":1,"method":"mining.subscribe","params":["powlab/test"]}` {
		pc.t.Fatalf("subscribe: %s", l.raw)
	}
	pc.send(`{"id":1,"result":[[["mining.set_difficulty","1"],["mining.notify","1"]],"` + testEn1 + `",4],"error":null}`)
	if l := pc.next(); l.raw != `{"id":2,"method":"mining.authorize","params":["alice","secret"]}` {
		pc.t.Fatalf("authorize: %s", l.raw)
	}
	pc.send(`{"id":2,"result":true,"error":null}`)
	if l := pc.next(); l.raw != `{"id":3,"method":"mining.extranonce.subscribe","params":[]}` {
		pc.t.Fatalf("extranonce.subscribe: %s", l.raw)
	}
	pc.send(`{"id":3,"result":true,"error":null}`)
}

func (pc *poolConn) setDifficulty(d string) {
	pc.t.Helper()
	pc.send(`{"id":null,"method":"mining.set_difficulty","params":[` + d + `]}`)
}

func (pc *poolConn) notify(jobID string, clean bool) {
	pc.t.Helper()
	b, _ := json.Marshal([]any{jobID, testPrev, testCoinb1, testCoinb2, testBranch, testVersion, testNBits, testNTime, clean})
	pc.send(`{"id":null,"method":"mining.notify","params":` + string(b) + `}`)
}

// share is a mining.submit as the pool read it.
type share struct {
	id                    uint64
	user, job, en2, ntime string
	nonce                 uint32
	hash                  [32]byte // display order
	raw                   string
}

// nextShare reads the next line, which must be a mining.submit, and
// checks it against difficulty diff by rebuilding the header here,
// independently of the package's code.
func (pc *poolConn) nextShare(diff string) share {
	pc.t.Helper()
	l := pc.next()
	if l.Method != "mining.submit" || len(l.Params) != 5 {
		pc.t.Fatalf("want a mining.submit, got %s", l.raw)
	}
	var f [5]string
	for i, p := range l.Params {
		if err := json.Unmarshal(p, &f[i]); err != nil {
			pc.t.Fatalf("submit param %d: %s", i, l.raw)
		}
	}
	s := share{id: l.ID, user: f[0], job: f[1], en2: f[2], ntime: f[3], raw: l.raw}
	if len(f[2]) != 2*testEn2Size || len(f[4]) != 8 {
		pc.t.Fatalf("extranonce2 %q or nonce %q of the wrong length", f[2], f[4])
	}
	n, err := hex.DecodeString(f[4])
	if err != nil {
		pc.t.Fatal(err)
	}
	s.nonce = binary.BigEndian.Uint32(n)
	s.hash = poolHash(pc.t, f[2], f[3], s.nonce)
	if !meets(s.hash, diff) {
		pc.t.Fatalf("share %s: hash %x misses difficulty %s", l.raw, s.hash, diff)
	}
	return s
}

func (pc *poolConn) answer(s share, result string) {
	pc.t.Helper()
	pc.send(fmt.Sprintf(`{"id":%d,%s}`, s.id, result))
}

const accept = `"result":true,"error":null`

// poolHash rebuilds the header as a pool does and returns its sha256d in
// display order.
func poolHash(t *testing.T, en2, ntime string, nonce uint32) [32]byte {
	t.Helper()
	d2 := func(b []byte) []byte {
		h := sha256.Sum256(b)
		h = sha256.Sum256(h[:])
		return h[:]
	}
	cb := unhex(t, testCoinb1+testEn1+en2+testCoinb2)
	root := d2(cb)
	for _, b := range testBranch {
		root = d2(append(slices.Clone(root), unhex(t, b)...))
	}
	prev := unhex(t, testPrev)
	for i := 0; i < 32; i += 4 {
		slices.Reverse(prev[i : i+4])
	}
	var hdr []byte
	hdr = append(hdr, reversed(unhex(t, testVersion))...)
	hdr = append(hdr, prev...)
	hdr = append(hdr, root...)
	hdr = append(hdr, reversed(unhex(t, ntime))...)
	hdr = append(hdr, reversed(unhex(t, testNBits))...)
	hdr = binary.LittleEndian.AppendUint32(hdr, nonce)
	var h [32]byte
	copy(h[:], reversed(d2(hdr)))
	return h
}

// meets reports whether a display-order hash meets difficulty d, computed
// here with big.Rat.
func meets(h [32]byte, d string) bool {
	r, ok := new(big.Rat).SetString(d)
	if !ok {
		panic(d)
	}
	diff1 := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(0xFFFF), 208))
	target := new(big.Rat).Quo(diff1, r)
	return new(big.Rat).SetInt(new(big.Int).SetBytes(h[:])).Cmp(target) <= 0
}

// events collects a client's events for the test.
type events struct {
	mu  sync.Mutex
	all []Event
	ch  chan Event
}

func newEvents() *events { return &events{ch: make(chan Event, 4096)} }

func (e *events) on(ev Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	select {
	case e.ch <- ev:
	default:
	}
}

// wait returns the first event (from now on) that ok accepts.
func (e *events) wait(t *testing.T, what string, ok func(Event) bool) Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-e.ch:
			if ok(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event", what)
		}
	}
}

type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	totals Totals
	err    error
}

// start runs the client against addr until stop.
func start(t *testing.T, addr string, ev *events, tweak func(*Config)) *running {
	t.Helper()
	cfg := Config{
		Addr: addr, User: "alice", Password: "secret", Agent: "powlab/test", Workers: 1,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		OnEvent: ev.on,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	r := &running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.totals, r.err = Run(ctx, cfg)
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestTranscriptSharesAcceptedAndRejected(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	r := start(t, pool.addr(), ev, nil)
	pc := pool.accept()
	pc.handshake()
	pc.setDifficulty(easyDiff)
	pc.notify("job1", true)

	first := pc.nextShare(easyDiff)
	if first.user != "alice" || first.job != "job1" || first.ntime != testNTime || first.id != idFirstSubmit {
		t.Fatalf("first share %s", first.raw)
	}
	pc.answer(first, `"result":null,"error":[23,"Low difficulty share",null]`)
	rej := ev.wait(t, "rejected share", func(e Event) bool { return e.Kind == ShareAnswered })
	if rej.Share.Accepted || rej.Share.Code != 23 || rej.Share.Reason != "Low difficulty share" || rej.Share.Nonce != hex32(first.nonce) {
		t.Fatalf("rejection reported as %+v", rej.Share)
	}
	var last share
	for i := 0; i < 3; i++ {
		s := pc.nextShare(easyDiff)
		if s.job != "job1" || s.id <= first.id {
			t.Fatalf("share %s", s.raw)
		}
		if s.en2 == last.en2 && s.nonce <= last.nonce {
			t.Fatalf("nonces not increasing within one header: %d after %d", s.nonce, last.nonce)
		}
		last = s
		pc.answer(s, accept)
	}
	acc := ev.wait(t, "3rd accepted share", func(e Event) bool { return e.Kind == ShareAnswered && e.Totals.Accepted == 3 })
	if !acc.Share.Accepted || acc.Totals.Rejected != 1 {
		t.Fatalf("totals %+v", acc.Totals)
	}
	r.stop(t)
	if !errors.Is(r.err, context.Canceled) || r.totals.Accepted != 3 || r.totals.Rejected != 1 || r.totals.Hashes == 0 {
		t.Fatalf("Run: %v, %+v", r.err, r.totals)
	}
}

func TestExtranonce2Rolls(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	start(t, pool.addr(), ev, func(c *Config) { c.nonceLimit = 4096 })
	pc := pool.accept()
	pc.handshake()
	pc.setDifficulty(easierDiff)
	pc.notify("roll", true)
	seen := map[string]bool{}
	for i := 0; len(seen) < 4; i++ {
		if i > 1000 {
			t.Fatalf("1000 shares from %d extranonce2 values", len(seen))
		}
		s := pc.nextShare(easierDiff)
		if s.nonce >= 4096 {
			t.Fatalf("nonce %d beyond the limit of 4096 per header", s.nonce)
		}
		seen[s.en2] = true
		pc.answer(s, accept)
	}
	for en2 := range seen {
		if !strings.HasPrefix(en2, "0000") {
			t.Fatalf("extranonce2 %s: the counter should count up from 0", en2)
		}
	}
}

func TestCleanJobsAbandonsSearch(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	start(t, pool.addr(), ev, nil)
	pc := pool.accept()
	pc.handshake()
	// Job A at a difficulty no test finds a share for: only abandoning it
	// lets job B's shares come.
	pc.setDifficulty(hardDiff)
	pc.notify("A", true)
	ev.wait(t, "job A", func(e Event) bool { return e.Kind == JobReceived && e.Job.ID == "A" })
	pc.setDifficulty(easyDiff)
	pc.notify("B", false)
	for i := 0; i < 2; i++ {
		s := pc.nextShare(easyDiff)
		if s.job != "B" {
			t.Fatalf("share for %s, want B", s.job)
		}
		pc.answer(s, accept)
	}
	// A clean notify: once C's first share arrives, no share of B may follow.
	pc.notify("C", true)
	sawC := false
	for i := 0; i < 200; i++ {
		s := pc.nextShare(easyDiff)
		switch {
		case s.job == "C":
			sawC = true
		case sawC || s.job != "B":
			t.Fatalf("share for %s after the clean job C", s.job)
		}
		pc.answer(s, accept)
		if sawC && i >= 3 {
			break
		}
	}
	if !sawC {
		t.Fatal("no share for job C")
	}
}

func TestReconnect(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	r := start(t, pool.addr(), ev, nil)
	for round := 1; round <= 2; round++ {
		pc := pool.accept()
		pc.handshake()
		pc.setDifficulty(easyDiff)
		pc.notify(fmt.Sprintf("r%d", round), true)
		s := pc.nextShare(easyDiff)
		if s.job != fmt.Sprintf("r%d", round) {
			t.Fatalf("round %d: share for %s", round, s.job)
		}
		pc.answer(s, accept)
		ev.wait(t, "accepted share", func(e Event) bool { return e.Kind == ShareAnswered })
		pc.c.Close() // the pool goes away
		d := ev.wait(t, "disconnect", func(e Event) bool { return e.Kind == Disconnected })
		if d.Err == nil || d.Retry <= 0 {
			t.Fatalf("disconnect event %+v", d)
		}
	}
	r.stop(t)
	if r.totals.Accepted != 2 {
		t.Fatalf("totals %+v", r.totals)
	}
}

func TestIdleTimeoutReconnects(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	start(t, pool.addr(), ev, func(c *Config) { c.IdleTimeout = 100 * time.Millisecond })
	pc := pool.accept()
	pc.handshake() // and never a notify
	d := ev.wait(t, "disconnect", func(e Event) bool { return e.Kind == Disconnected })
	if !errors.Is(d.Err, ErrIdle) {
		t.Fatalf("disconnect for %v, want ErrIdle", d.Err)
	}
	pool.accept().handshake()
}

func TestUnauthorizedEndsRun(t *testing.T) {
	tests := []struct{ name, answer string }{
		{"false", `{"id":2,"result":false,"error":null}`},
		{"error", `{"id":2,"result":null,"error":[24,"Unauthorized worker",null]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool := newFakePool(t)
			r := start(t, pool.addr(), newEvents(), nil)
			pc := pool.accept()
			pc.next()
			pc.send(`{"id":1,"result":[[],"00",4],"error":null}`)
			pc.next()
			pc.send(tc.answer)
			select {
			case <-r.done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run still running")
			}
			if !errors.Is(r.err, ErrUnauthorized) {
				t.Fatalf("Run: %v", r.err)
			}
		})
	}
}

func TestHostileLines(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	start(t, pool.addr(), ev, func(c *Config) { c.MaxLineBytes = 1024 })
	pc := pool.accept()
	pc.handshake()
	good, _ := json.Marshal([]any{"j", testPrev, testCoinb1, testCoinb2, testBranch, testVersion, testNBits, testNTime, true})
	bad := func(i int, v any) string {
		var p []any
		_ = json.Unmarshal(good, &p)
		p[i] = v
		b, _ := json.Marshal(p)
		return `{"id":null,"method":"mining.notify","params":` + string(b) + `}`
	}
	hostile := []string{
		strings.Repeat("a", 5000), // over the line limit
		`{"id":null,"method":"mining.notify","params":["` + strings.Repeat("0", 2000) + `"]}`,
		`not json`,
		`{"id":`,
		`[1,2,3]`,
		`{"method":5}`,
		`{"id":null,"method":"mining.notify","params":{"job":1}}`,
		`{"id":null,"method":"mining.notify","params":[1,2,3]}`,
		bad(1, "00"),
		bad(2, "xyz"),
		bad(4, []any{1, 2}),
		bad(5, "1"),
		bad(8, "yes"),
		`{"id":null,"method":"mining.set_difficulty","params":["abc"]}`,
		`{"id":null,"method":"mining.set_difficulty","params":[-1]}`,
		`{"id":null,"method":"mining.set_difficulty","params":[0]}`,
		`{"id":null,"method":"mining.set_difficulty","params":[1e999]}`,
		`{"id":null,"method":"mining.set_difficulty","params":[]}`,
		`{"id":null,"method":"mining.set_extranonce","params":["zz",4]}`,
		`{"id":null,"method":"client.unknown","params":[]}`,
		`{"id":99,"result":true,"error":null}`,
		`{"id":"x","result":true}`,
		"\xff\xfe\x00",
		``,
	}
	for _, l := range hostile {
		pc.send(l)
	}
	pc.setDifficulty(easyDiff)
	pc.notify("ok", true)
	s := pc.nextShare(easyDiff)
	if s.job != "ok" {
		t.Fatalf("share for %s", s.job)
	}
	pc.answer(s, accept)
	ev.wait(t, "accepted share", func(e Event) bool { return e.Kind == ShareAnswered && e.Share.Accepted })
	ev.mu.Lock()
	var ignored, disconnects int
	for _, e := range ev.all {
		switch e.Kind {
		case LineIgnored:
			ignored++
			if !errors.Is(e.Err, ErrProtocol) {
				t.Errorf("ignored line reported as %v", e.Err)
			}
		case Disconnected:
			disconnects++
		}
	}
	ev.mu.Unlock()
	if ignored != maxLoggedBadLines || disconnects != 0 {
		t.Fatalf("%d lines reported ignored (want the first %d), %d disconnects", ignored, maxLoggedBadLines, disconnects)
	}
}

func TestBadSubscribeResetsConnection(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	start(t, pool.addr(), ev, nil)
	pc := pool.accept()
	pc.next()
	pc.send(`{"id":1,"result":[[],"0",4],"error":null}`) // odd extranonce1
	d := ev.wait(t, "disconnect", func(e Event) bool { return e.Kind == Disconnected })
	if !errors.Is(d.Err, ErrProtocol) {
		t.Fatalf("disconnect for %v", d.Err)
	}
	pool.accept().handshake()
}

func TestSetExtranonce(t *testing.T) {
	pool := newFakePool(t)
	ev := newEvents()
	start(t, pool.addr(), ev, nil)
	pc := pool.accept()
	pc.handshake()
	pc.setDifficulty(easyDiff)
	pc.send(`{"id":null,"method":"mining.set_extranonce","params":["` + testEn1 + `",4]}`)
	pc.notify("x", true)
	pc.answer(pc.nextShare(easyDiff), accept)
	e := ev.wait(t, "subscribed", func(e Event) bool { return e.Kind == Subscribed })
	if hex.EncodeToString(e.Extranonce1) != testEn1 {
		t.Fatalf("event %+v", e)
	}
}

func TestRunChecksConfig(t *testing.T) {
	if _, err := Run(context.Background(), Config{}); err == nil {
		t.Fatal("no error without an address")
	}
	off := *sha256x.BestFor(sha256x.SHA256d)
	off.Available = false
	if _, err := Run(context.Background(), Config{Addr: "127.0.0.1:1", Kernel: &off}); !errors.Is(err, sha256x.ErrUnavailable) {
		t.Fatalf("unavailable kernel: %v", err)
	}
}

// TestPoolRedirect: client.reconnect moves the client to the address it
// names, after the wait it gives, without counting a failure; a bad
// reconnect is ignored; client.show_message is reported.
func TestPoolRedirect(t *testing.T) {
	first, second := newFakePool(t), newFakePool(t)
	ev := newEvents()
	r := start(t, first.addr(), ev, nil)
	pc := first.accept()
	pc.handshake()
	pc.send(`{"id":null,"method":"client.show_message","params":["maintenance at noon"]}`)
	if m := ev.wait(t, "message", func(e Event) bool { return e.Kind == PoolMessage }); m.Message != "maintenance at noon" {
		t.Fatalf("message event %+v", m)
	}
	pc.send(`{"id":null,"method":"client.reconnect","params":["bad host/x",1,0]}`)
	ev.wait(t, "the bad reconnect ignored", func(e Event) bool { return e.Kind == LineIgnored })
	host, port, _ := net.SplitHostPort(second.addr())
	pc.send(`{"id":null,"method":"client.reconnect","params":["` + host + `","` + port + `",0]}`)
	red := ev.wait(t, "redirect", func(e Event) bool { return e.Kind == Redirected })
	if red.Addr != second.addr() || red.Retry != 0 {
		t.Fatalf("redirect event %+v", red)
	}
	pc2 := second.accept()
	pc2.handshake()
	pc2.setDifficulty(easyDiff)
	pc2.notify("moved", true)
	s := pc2.nextShare(easyDiff)
	pc2.answer(s, accept)
	ev.wait(t, "accepted share at the new address", func(e Event) bool { return e.Kind == ShareAnswered && e.Share.Accepted })
	r.stop(t)
}

func TestParseReconnect(t *testing.T) {
	for _, tc := range []struct {
		params, want string
		wait         time.Duration
	}{
		{``, "a:1", 0},
		{`[]`, "a:1", 0},
		{`["b"]`, "b:1", 0},
		{`["", 2]`, "a:2", 0},
		{`["b", "3", 1.5]`, "b:3", 1500 * time.Millisecond},
		{`[null, null, 100000]`, "a:1", maxRedirectWait},
	} {
		r, err := parseReconnect(json.RawMessage(tc.params), "a:1")
		if err != nil || r.addr != tc.want || r.wait != tc.wait {
			t.Errorf("%s: %+v %v, want %s after %s", tc.params, r, err, tc.want, tc.wait)
		}
	}
	for _, bad := range []string{`{}`, `[5]`, `["b", 0]`, `["b", 70000]`, `["b", "x"]`, `["b", 1, -1]`, `["a@b"]`} {
		if _, err := parseReconnect(json.RawMessage(bad), "a:1"); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
