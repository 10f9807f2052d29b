package netlab

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/node"
)

// Spawned nodes: each is a `powlab node` child process with its own data
// directory. The nodes never talk to each other directly: every link i→j
// goes through a small HTTP proxy in this process, which applies the link's
// latency, answers 503 across a partition (so gossip, catch-up fetches and
// resolves all fail across the cut), and sees every block announced, which
// is how this process learns who mined what. Reorganisations are found by
// polling each node's /status (and /chain when a tip is unknown).
const (
	spawnReadyTimeout = 30 * time.Second
	spawnStopGrace    = 5 * time.Second
	// spawnStatusTTL bounds the /status polling load: the run loop asks
	// every 20 ms, a child answers at most every 100 ms.
	spawnStatusTTL  = 100 * time.Millisecond
	maxAnnouncement = node.DefaultMaxBlockBody
)

// spawnTracker keeps the blocks seen on the wire, for attributing mined
// blocks and measuring reorganisations.
type spawnTracker struct {
	obs  *observer
	hash func(*chain.Block) chain.Hash

	mu     sync.Mutex
	blocks map[chain.Hash]*chain.Block
}

// see records a block the first time it shows up: the node whose address
// its reward pays mined it then.
func (t *spawnTracker) see(b *chain.Block) {
	h := t.hash(b)
	t.mu.Lock()
	_, known := t.blocks[h]
	if !known {
		t.blocks[h] = b
	}
	t.mu.Unlock()
	if known || b.Index <= 1 {
		return
	}
	if i, ok := t.obs.byAddr[rewardAddress(b)]; ok {
		t.obs.onMined(i, b)
	}
}

func (t *spawnTracker) block(h chain.Hash) *chain.Block {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blocks[h]
}

// reorgDepth is how many blocks of the chain ending at old are not on the
// chain ending at new (ok false if a block is unknown).
func (t *spawnTracker) reorgDepth(old, new chain.Hash) (int, bool) {
	onNew := map[chain.Hash]bool{}
	for h := new; ; {
		b := t.block(h)
		if b == nil {
			return 0, false
		}
		onNew[h] = true
		if b.Index <= 1 {
			break
		}
		h = b.PrevHash
	}
	depth := 0
	for h := old; !onNew[h]; depth++ {
		b := t.block(h)
		if b == nil {
			return 0, false
		}
		if b.Index <= 1 {
			return depth + 1, true // different genesis: all of it
		}
		h = b.PrevHash
	}
	return depth, true
}

// spawned is one child process.
type spawned struct {
	id      int
	url     string
	cmd     *exec.Cmd
	done    chan error
	client  *node.Client
	tracker *spawnTracker
	proxies []*http.Server // links into this node

	pollMu   sync.Mutex
	mu       sync.Mutex
	status   node.Status
	statusAt time.Time
	lastTip  chain.Hash
	closed   bool
}

func (m *spawned) URL() string        { return m.url }
func (m *spawned) StartMining() error { return nil } // started with --mine
func (m *spawned) StopMining()        {}             // no HTTP route stops it; Close does

func (m *spawned) poll(ctx context.Context) (node.Status, error) {
	// One fetch at a time, so tips are seen in the order the node had them.
	m.pollMu.Lock()
	defer m.pollMu.Unlock()
	m.mu.Lock()
	if time.Since(m.statusAt) < spawnStatusTTL {
		st := m.status
		m.mu.Unlock()
		return st, nil
	}
	m.mu.Unlock()
	data, err := m.client.Get(ctx, m.url, "/status")
	if err != nil {
		return node.Status{}, err
	}
	var st node.Status
	if err := json.Unmarshal(data, &st); err != nil {
		return node.Status{}, fmt.Errorf("node %d /status: %w", m.id, err)
	}
	tip, err := chain.ParseHash(st.Tip)
	if err != nil {
		return node.Status{}, fmt.Errorf("node %d /status: %w", m.id, err)
	}
	m.mu.Lock()
	old := m.lastTip
	m.status, m.statusAt, m.lastTip = st, time.Now(), tip
	m.mu.Unlock()
	if !old.IsZero() && old != tip {
		m.tipMoved(ctx, old, tip)
	}
	return st, nil
}

// tipMoved counts a reorganisation when old is not on the new tip's chain.
func (m *spawned) tipMoved(ctx context.Context, old, tip chain.Hash) {
	d, ok := m.tracker.reorgDepth(old, tip)
	if !ok {
		// A block never seen on the wire (adopted by a resolve): learn the
		// node's chain.
		if blocks, err := m.Chain(ctx); err == nil {
			for _, b := range blocks {
				m.tracker.see(b)
			}
			d, ok = m.tracker.reorgDepth(old, tip)
		}
	}
	if ok && d > 0 {
		m.tracker.obs.onReorg(m.id-1, d)
	}
}

func (m *spawned) Tip(ctx context.Context) (string, uint64, error) {
	st, err := m.poll(ctx)
	return st.Tip, st.Height, err
}

func (m *spawned) Rate(ctx context.Context) float64 {
	st, _ := m.poll(ctx)
	return st.AttemptsPerSec
}

func (m *spawned) Chain(ctx context.Context) ([]*chain.Block, error) {
	data, err := m.client.Get(ctx, m.url, "/chain")
	if err != nil {
		return nil, err
	}
	return chain.DecodeChainJSON(data)
}

func (m *spawned) Resolve(ctx context.Context) {
	m.client.Get(ctx, m.url, "/nodes/resolve")
}

// Close stops the child with SIGINT (a clean stop), kills it after a grace
// period, and closes the proxies into it.
func (m *spawned) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	var err error
	if m.cmd != nil && m.cmd.Process != nil {
		m.cmd.Process.Signal(os.Interrupt)
		select {
		case err = <-m.done:
		case <-time.After(spawnStopGrace):
			m.cmd.Process.Kill()
			err = <-m.done
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && !ee.Exited() {
			err = nil // killed: expected after a stuck stop
		}
		if err != nil {
			err = fmt.Errorf("node %d: %w", m.id, err)
		}
	}
	for _, p := range m.proxies {
		p.Close()
	}
	m.client.CloseIdle()
	return err
}

// linkProxy forwards link from→to (0-based) to the node at target.
type linkProxy struct {
	from, to int
	obs      *observer
	tracker  *spawnTracker
	rp       *httputil.ReverseProxy
	// back is the proxy URL of the link to→from: announcements name it as
	// their sender, so a catch-up fetch goes back through the proxies.
	back string
}

func (p *linkProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/blocks" {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAnnouncement))
		r.Body.Close()
		if err != nil {
			http.Error(w, "read: "+err.Error(), http.StatusBadRequest)
			return
		}
		var ann node.BlockAnnouncement
		if json.Unmarshal(body, &ann) == nil && ann.Block != nil {
			p.tracker.see(ann.Block)
			if p.back != "" {
				ann.From = p.back
				if b, err := json.Marshal(ann); err == nil {
					body = b
				}
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if p.obs.cut(p.from, p.to) {
		http.Error(w, "partitioned", http.StatusServiceUnavailable)
		return
	}
	if d := p.obs.lat[p.from][p.to]; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	p.rp.ServeHTTP(w, r)
}

// freePorts reserves n loopback ports by listening and closing; a child
// binds its port right after, so a clash is unlikely and fails the start.
func freePorts(n int) ([]int, error) {
	out := make([]int, n)
	lns := make([]net.Listener, n)
	defer func() {
		for _, ln := range lns {
			if ln != nil {
				ln.Close()
			}
		}
	}()
	for i := range out {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		lns[i] = ln
		out[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return out, nil
}

// startSpawned creates each node's store (the same genesis; its own reward
// address, which chain.Open draws: spawned runs do not fix addresses with
// the seed), starts the proxies and the children, and waits until every
// child serves.
func startSpawned(ctx context.Context, s *netSetup) ([]member, error) {
	cfg := s.cfg
	n := cfg.Nodes
	exe := cfg.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("spawn: %w", err)
		}
	}
	root := filepath.Dir(s.dirs[0])
	opts := s.chain
	opts.Now = func() time.Time { return netGenesisTime }
	for i, dir := range s.dirs {
		// Replace the shared copy with a store of its own: same genesis,
		// its own address.
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		c, err := chain.Open(ctx, dir, opts)
		if err != nil {
			return nil, fmt.Errorf("node %d genesis: %w", i+1, err)
		}
		s.addrs[i] = c.Address()
		if err := c.Close(); err != nil {
			return nil, fmt.Errorf("node %d genesis: %w", i+1, err)
		}
	}
	s.obs.byAddr = map[string]int{}
	for i, a := range s.addrs {
		s.obs.byAddr[a] = i
	}
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	tracker := &spawnTracker{obs: s.obs, hash: s.obs.hash, blocks: map[chain.Hash]*chain.Block{}}
	members := make([]member, 0, n)
	nodes := make([]*spawned, n)
	for i := range nodes {
		nodes[i] = &spawned{id: i + 1, url: fmt.Sprintf("http://127.0.0.1:%d", ports[i]),
			client: node.NewClient(netPeerTimeout, node.DefaultMaxResponseBytes), tracker: tracker}
		members = append(members, nodes[i])
	}
	// Proxies: link i→j listens here and forwards to node j.
	proxyURL := make([][]string, n)
	proxies := make([][]*linkProxy, n)
	for i := range proxyURL {
		proxyURL[i] = make([]string, n)
		proxies[i] = make([]*linkProxy, n)
	}
	var listeners []net.Listener
	var servers []*http.Server
	for i := 0; i < n; i++ {
		for _, j := range cfg.Topology.Peers(i, n) {
			target, _ := url.Parse(nodes[j].url)
			lp := &linkProxy{from: i, to: j, obs: s.obs, tracker: tracker, rp: httputil.NewSingleHostReverseProxy(target)}
			lp.rp.ErrorLog = log.New(io.Discard, "", 0) // a stopping child is expected
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				for _, l := range listeners {
					l.Close()
				}
				return members, fmt.Errorf("link %d→%d: %w", i+1, j+1, err)
			}
			srv := &http.Server{Handler: lp, ReadHeaderTimeout: 5 * time.Second}
			nodes[j].proxies = append(nodes[j].proxies, srv)
			listeners = append(listeners, ln)
			servers = append(servers, srv)
			proxyURL[i][j] = "http://" + ln.Addr().String()
			proxies[i][j] = lp
		}
	}
	for i := 0; i < n; i++ {
		for _, j := range cfg.Topology.Peers(i, n) {
			proxies[i][j].back = proxyURL[j][i]
		}
	}
	for k, srv := range servers {
		go srv.Serve(listeners[k])
	}
	urls := map[string]int{}
	for i, nd := range nodes {
		urls[nd.url] = i
	}
	s.obs.urlIndex.Store(&urls)

	// Children: started together, each mining from the moment it serves.
	ready := make(chan error, n)
	for i, nd := range nodes {
		var peers []string
		for _, j := range cfg.Topology.Peers(i, n) {
			peers = append(peers, proxyURL[i][j])
		}
		args := []string{"node", "--listen", fmt.Sprintf("127.0.0.1:%d", ports[i]), "--data", s.dirs[i],
			"--peers", strings.Join(peers, ","), "--log-level", "warn"}
		if i < len(cfg.Miners) { // the others relay without --mine
			spec := cfg.Miners[i]
			args = append(args, "--mine")
			if spec.RateCap > 0 {
				args = append(args, "--workers", "1", "--max-rate", strconv.FormatFloat(spec.RateCap, 'f', -1, 64))
			} else {
				args = append(args, "--workers", strconv.Itoa(spec.Workers), "--kernel", spec.Kernel)
			}
		}
		cmd := exec.Command(exe, args...)
		setChildAttrs(cmd)
		logf, err := os.Create(filepath.Join(root, fmt.Sprintf("node%d.log", i+1)))
		if err != nil {
			return members, err
		}
		cmd.Stderr = logf
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			logf.Close()
			return members, err
		}
		if err := cmd.Start(); err != nil {
			logf.Close()
			return members, fmt.Errorf("node %d: start %s: %w", i+1, exe, err)
		}
		nd.cmd, nd.done = cmd, make(chan error, 1)
		lines := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			first := true
			for sc.Scan() {
				if first {
					lines <- sc.Text()
					first = false
				}
			}
			if first {
				close(lines)
			}
		}()
		go func() {
			err := cmd.Wait()
			logf.Close()
			nd.done <- err
		}()
		go func() {
			// "node ADDR on http://HOST:PORT, data ..., height ..."
			select {
			case line, ok := <-lines:
				if !ok || !strings.Contains(line, " on "+nd.url+",") {
					ready <- fmt.Errorf("node %d: unexpected start line %q; its log: %s", nd.id, line, logTail(logf.Name()))
					return
				}
				ready <- nil
			case <-time.After(spawnReadyTimeout):
				ready <- fmt.Errorf("node %d: not serving after %s", nd.id, spawnReadyTimeout)
			case <-ctx.Done():
				ready <- ctx.Err()
			}
		}()
	}
	var errs []error
	for range nodes {
		if err := <-ready; err != nil {
			errs = append(errs, err)
		}
	}
	return members, errors.Join(errs...)
}

// logTail is the end of a child's log, for an error message (the log is
// removed with the network's directory).
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	const max = 600
	if len(b) > max {
		b = b[len(b)-max:]
	}
	if s := strings.TrimSpace(string(b)); s != "" {
		return s
	}
	return "(empty)"
}
