package pool

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// workerStats are one worker name's counts, across its connections.
type workerStats struct {
	Name      string
	Accepted  uint64
	Rejected  uint64
	Stale     uint64
	Duplicate uint64
	Blocks    uint64
	Diff      float64 // last accepted share's difficulty
	Declared  float64 // hashes/s the miner declared (password option rate=N)
	SumDiff   float64 // over accepted shares
	First     time.Time
	Last      time.Time
	// Time connected: the hashrate is shares over the time the worker was
	// there to mine, not since it first appeared.
	conns  int
	since  time.Time     // start of the current connected stretch
	active time.Duration // finished stretches
}

// connected counts a connection that authorized w (under p.mu).
func (w *workerStats) connected(now time.Time) {
	if w.conns == 0 {
		w.since = now
	}
	w.conns++
}

// disconnected ends one of w's connections (under p.mu).
func (w *workerStats) disconnected(now time.Time) {
	if w.conns == 0 {
		return
	}
	w.conns--
	if w.conns == 0 {
		w.active += now.Sub(w.since)
	}
}

// elapsed is w's connected time up to now (under p.mu).
func (w *workerStats) elapsed(now time.Time) time.Duration {
	if w.conns > 0 {
		return w.active + now.Sub(w.since)
	}
	return w.active
}

// worker returns the stats of name, created on first use.
func (p *Pool) worker(name string) *workerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.workers[name]
	if w == nil {
		w = &workerStats{Name: name, First: p.cfg.Now(), Diff: p.cfg.ShareDiff}
		p.workers[name] = w
	}
	return w
}

// count applies f to w and to the pool's totals under the pool's lock.
func (w *workerStats) count(p *Pool, f func(*workerStats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	before := *w
	f(w)
	p.totals.Rejected += w.Rejected - before.Rejected
	p.totals.Stale += w.Stale - before.Stale
	p.totals.Duplicate += w.Duplicate - before.Duplicate
}

// accept records an accepted share of difficulty d at now.
func (w *workerStats) accept(p *Pool, d float64, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Accepted++
	w.SumDiff += d
	w.Diff = d
	w.Last = now
	p.totals.Accepted++
}

// WorkerStatus is one worker in GET /status.
type WorkerStatus struct {
	Name         string    `json:"name"`
	Accepted     uint64    `json:"accepted"`
	Rejected     uint64    `json:"rejected"`
	Stale        uint64    `json:"stale"`
	Duplicate    uint64    `json:"duplicate"`
	Difficulty   float64   `json:"difficulty"`
	Hashrate     float64   `json:"hashrate"`      // hashes/s, from shares
	HashrateLow  float64   `json:"hashrate_low"`  // 95% interval
	HashrateHigh float64   `json:"hashrate_high"` //
	Blocks       uint64    `json:"blocks"`
	LastShare    time.Time `json:"last_share,omitzero"`
	Seconds      float64   `json:"seconds"` // connected time the estimate covers
	// DeclaredRate is the hashes/s the miner declared with the password
	// option rate=N (a rate-capped lab miner's true rate); 0 when none.
	DeclaredRate float64 `json:"declared_rate,omitempty"`
}

// Status is GET /status.
type Status struct {
	Height  uint64         `json:"height"`
	Tip     string         `json:"tip"`
	Job     string         `json:"job"`
	Conns   int            `json:"connections"`
	Shares  Totals         `json:"shares"`
	Workers []WorkerStatus `json:"workers"`
}

// Status reports the pool now.
func (p *Pool) Status() Status {
	tip := p.c.Tip()
	now := p.cfg.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{Height: tip.Height, Tip: tip.Hash.String(), Conns: len(p.conns), Shares: p.totals, Workers: []WorkerStatus{}}
	if n := len(p.jobs); n > 0 {
		s.Job = p.jobs[n-1].id
	}
	for _, w := range p.workers {
		el := w.elapsed(now)
		e := estimate(int(w.Accepted), w.SumDiff, w.Diff, el)
		s.Workers = append(s.Workers, WorkerStatus{Name: w.Name, Accepted: w.Accepted, Rejected: w.Rejected, Stale: w.Stale,
			Duplicate: w.Duplicate, Difficulty: w.Diff, Hashrate: e.Rate, HashrateLow: e.Low, HashrateHigh: e.High,
			Blocks: w.Blocks, LastShare: w.Last, Seconds: el.Seconds(), DeclaredRate: w.Declared})
	}
	sort.Slice(s.Workers, func(i, j int) bool { return s.Workers[i].Name < s.Workers[j].Name })
	return s
}

// Handler serves GET /status (JSON) and GET /chain (the chain document,
// as a node serves it).
func (p *Pool) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(p.Status())
	})
	mux.HandleFunc("GET /chain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(p.c.ChainJSON())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, fmt.Sprintf("no route %s %s (this pool serves GET /status and GET /chain)", r.Method, r.URL.Path), http.StatusNotFound)
	})
	slots := make(chan struct{}, p.cfg.MaxHTTP)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			mux.ServeHTTP(w, r)
		default:
			// Back-pressure: a busy pool says so and when to come back,
			// rather than queueing requests without bound.
			w.Header().Set("Retry-After", retryAfter)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]string{
				"message": fmt.Sprintf("the pool is at its limit of %d HTTP requests at once; retry in %s s", p.cfg.MaxHTTP, retryAfter),
				"error":   http.StatusText(http.StatusServiceUnavailable)})
		}
	})
}
