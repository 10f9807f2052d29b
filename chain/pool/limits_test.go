package pool

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner/stratum"
)

// TestPasswordOptions: rate=N is shown as the worker's declared rate and
// d=N sets its starting difficulty; a malformed option is refused.
func TestPasswordOptions(t *testing.T) {
	p, addr, _ := testPool(t, 20, Config{})
	c := dial(t, addr)
	c.answer(c.call("mining.subscribe"))
	m, notes := c.answer(c.call("mining.authorize", "capped", "x,rate=250000,d=0.5"))
	if string(m.Result) != "true" {
		t.Fatalf("authorize: %+v", m)
	}
	_ = notes
	var diff float64
	for diff == 0 { // set_difficulty 0.5 follows the answer
		n := c.next()
		if n.Method == "mining.set_difficulty" {
			json.Unmarshal(n.Params[0], &diff)
		}
	}
	if diff != 0.5 {
		t.Fatalf("difficulty after d=0.5: %g", diff)
	}
	s := p.Status()
	if len(s.Workers) != 1 || s.Workers[0].DeclaredRate != 250000 {
		t.Fatalf("status %+v", s.Workers)
	}
	for _, bad := range []string{"rate=fast", "x,d=-1", "rate=NaN", "d=Inf"} {
		m, _ := c.answer(c.call("mining.authorize", "w2", bad))
		if errCode(m) != ErrOther {
			t.Fatalf("password %q: %+v", bad, m)
		}
	}
	if m, _ := c.answer(c.call("mining.authorize", "w3", 42)); errCode(m) != ErrOther {
		t.Fatalf("a numeric password: %+v", m)
	}
}

func TestPasswordOptionsParse(t *testing.T) {
	o := stratum.PasswordOptions(" x , rate = 1e6,D=2, junk, =3")
	if len(o) != 2 || o["rate"] != "1e6" || o["d"] != "2" {
		t.Fatalf("%v", o)
	}
	if got := stratum.WithPasswordOption("x", "rate", "5"); got != "x,rate=5" {
		t.Fatal(got)
	}
	if got := stratum.WithPasswordOption("", "rate", "5"); got != "rate=5" {
		t.Fatal(got)
	}
}

// TestIdleTimeout: a subscribed connection that stays silent is closed.
func TestIdleTimeout(t *testing.T) {
	_, addr, _ := testPool(t, 20, Config{IdleTimeout: 300 * time.Millisecond})
	c := dial(t, addr)
	c.answer(c.call("mining.subscribe"))
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	for {
		if _, err := c.r.ReadBytes('\n'); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the pool kept a silent connection open for 10 s")
			}
			break
		}
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Fatalf("closed after %s, before the idle timeout", el)
	}
}

// pipeListener hands the pool in-memory connections: their writes block
// until the other side reads, so a client that never reads is slow.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// logSignal is a slog handler that reports a message's first appearance.
type logSignal struct {
	msg  string
	hit  chan struct{}
	once *sync.Once
}

func (h logSignal) Enabled(context.Context, slog.Level) bool { return true }
func (h logSignal) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.msg) {
		h.once.Do(func() { close(h.hit) })
	}
	return nil
}
func (h logSignal) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logSignal) WithGroup(string) slog.Handler      { return h }

// TestSlowClient: a client that stops reading is dropped once its write
// queue fills; the broadcasts never wait on it and the pool serves others.
func TestSlowClient(t *testing.T) {
	sig := logSignal{msg: "slow client", hit: make(chan struct{}), once: new(sync.Once)}
	p, err := New(testChain(t, 20), Config{Log: slog.New(sig)})
	if err != nil {
		t.Fatal(err)
	}
	ln := &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()
	connect := func() net.Conn {
		mine, theirs := net.Pipe()
		t.Cleanup(func() { mine.Close() })
		ln.conns <- theirs
		mine.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := mine.Write([]byte(`{"id":1,"method":"mining.subscribe","params":[]}` + "\n")); err != nil {
			t.Fatal(err)
		}
		return mine
	}
	slow := connect()
	// Never read: the first reply blocks the writer, the queue fills with
	// new jobs, and the pool drops the connection.
	for i := 0; i < 4*writeQueue; i++ {
		if err := p.refresh(false); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-sig.hit:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow client was never dropped")
	}
	slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1<<16)
	for {
		if _, err := slow.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the dropped connection is still open")
			}
			break
		}
	}
	ok := connect()
	ok.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(ok).ReadString('\n')
	if err != nil || !strings.Contains(line, `"result":[[`) {
		t.Fatalf("a reading client after the slow one: %q %v", line, err)
	}
}

// blockingWriter holds an HTTP answer until released.
type blockingWriter struct {
	httptest.ResponseRecorder
	writing chan struct{}
	release chan struct{}
	once    sync.Once
}

func (w *blockingWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { close(w.writing) })
	<-w.release
	return w.ResponseRecorder.Write(b)
}

// TestHTTPBusy: over MaxHTTP requests at once get 503 with Retry-After and
// a message naming the limit; the slot comes back after.
func TestHTTPBusy(t *testing.T) {
	p, _, _ := testPool(t, 16, Config{MaxHTTP: 1})
	h := p.Handler()
	bw := &blockingWriter{ResponseRecorder: *httptest.NewRecorder(), writing: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(bw, httptest.NewRequest(http.MethodGet, "/status", nil))
	}()
	<-bw.writing
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/chain", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "at its limit of 1 HTTP request") {
		t.Fatalf("busy: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	close(bw.release)
	<-done
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("after the slot came back: %d %s", rec.Code, rec.Body)
	}
}

// TestReconnectAfterRestart: the powlab client mines, the pool stops and
// a new one starts on the same address over the same chain (a restart);
// the client redials by itself and its shares are accepted again.
func TestReconnectAfterRestart(t *testing.T) {
	p1, addr, c := testPoolOwnServe(t, 16, Config{ShareDiff: 1.0 / (1 << 10), SharesPerMin: 6000})
	accepted := make(chan string, 64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		stratum.Run(ctx, stratum.Config{Addr: addr, User: "r", Workers: 1, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
			OnEvent: func(e stratum.Event) {
				if e.Kind == stratum.ShareAnswered && e.Share.Accepted {
					select {
					case accepted <- e.Addr:
					default:
					}
				}
			}})
	}()
	defer func() { cancel(); <-done }()
	wait := func(what string) {
		t.Helper()
		select {
		case <-accepted:
		case <-time.After(30 * time.Second):
			t.Fatalf("no accepted share %s", what)
		}
	}
	wait("from the first pool")
	p1.stop()
	p2, err := New(c, Config{ShareDiff: 1.0 / (1 << 10), SharesPerMin: 6000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr) // free: Serve closed it before returning
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	for len(accepted) > 0 {
		<-accepted
	}
	sctx, scancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p2.Serve(sctx, ln) }()
	defer func() { scancel(); <-served }()
	wait("from the restarted pool")
	if s := p2.Status(); s.Shares.Accepted == 0 || len(s.Workers) != 1 || s.Workers[0].Name != "r" {
		t.Fatalf("restarted pool: %+v", s)
	}
}

// servedPool is a pool served on 127.0.0.1 whose Serve a test may stop
// before it ends (a restart).
type servedPool struct {
	*Pool
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	t      *testing.T
}

// stop ends Serve and waits for it; it runs once, also at cleanup.
func (s *servedPool) stop() {
	s.once.Do(func() {
		s.cancel()
		if err := <-s.done; err != nil {
			s.t.Errorf("Serve: %v", err)
		}
	})
}

func testPoolOwnServe(t *testing.T, bits int, cfg Config) (*servedPool, string, *chain.Chain) {
	t.Helper()
	c := testChain(t, bits)
	p, err := New(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &servedPool{Pool: p, cancel: cancel, done: make(chan error, 1), t: t}
	go func() { s.done <- p.Serve(ctx, ln) }()
	t.Cleanup(s.stop)
	return s, ln.Addr().String(), c
}
