// Package poolcmd implements `powlab pool`: a Stratum v1 pool over a
// bitcoin-rules chain, with an HTTP status page.
package poolcmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/pool"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// PoolOptions are the flags of `powlab pool`.
type PoolOptions struct {
	IO          cmdutil.IO
	Stratum     string
	HTTP        string
	Data        string
	Chain       cmdutil.ChainFlags
	ShareDiff   float64
	VardiffRate float64
	Address     string
	JobInterval time.Duration
	MaxConns    int
	LogLevel    string
	Record      string        // record file ("": none)
	RecordEvery time.Duration // snapshot interval
	Argv        []string
}

// Defaults of the listeners and the record.
const (
	DefaultStratum     = "127.0.0.1:3333"
	DefaultHTTP        = "127.0.0.1:8080"
	DefaultRecordEvery = 5 * time.Second
	// maxLoggedShares bounds the share log kept for --record (about 100 MB
	// of JSON); later shares are counted, not logged.
	maxLoggedShares = 1_000_000
)

// NewCmdPool builds the command; runF replaces the run function in tests.
func NewCmdPool(io cmdutil.IO, runF func(context.Context, *PoolOptions) error) *cobra.Command {
	opts := &PoolOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "pool",
		Short: "Run a Stratum v1 pool on a bitcoin-rules chain",
		Long: `Run a Stratum v1 mining pool: any standard sha256d miner (cpuminer-opt,
powlab mine --stratum) connects to --stratum and mines the next block of
the chain in --data, which follows bitcoin rules (created on first use with
--bits, --retarget and --block-time as for powlab mine --rules bitcoin).

Each connection gets a unique extranonce1 (4 bytes; extranonce2 is 4 bytes),
jobs paying --address (default the store's node address) the reward plus the
pending transactions, a clean job whenever the tip moves and a fresh one at
least every --job-interval. Shares are checked against the share difficulty
(difficulty 1 = 2^32 hashes), which vardiff moves toward --vardiff-rate
shares per minute from --share-diff; a share that meets the block target
becomes a block through the chain engine. GET /status on --http reports
every worker's shares and hashrate estimate with its 95% interval; GET
/chain serves the chain. SIGINT or SIGTERM closes every connection and the
store and exits 0.`,
		Example: `  powlab pool --data /tmp/pool --bits 24 --retarget 10 --block-time 10s
  powlab mine --stratum stratum+tcp://127.0.0.1:3333 --user w1
  cpuminer -a sha256d -o stratum+tcp://127.0.0.1:3333 -u w2 -p x -t 1
  curl -s 127.0.0.1:8080/status`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Argv = cmdutil.ArgvOf(c.Flags())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runPool(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Stratum, "stratum", DefaultStratum, "host:port the Stratum server listens on")
	f.StringVar(&opts.HTTP, "http", DefaultHTTP, "host:port of the status page ('' : none)")
	cmdutil.AddDataFlag(f, &opts.Data)
	cmdutil.AddChainFlags(f, &opts.Chain)
	f.Float64Var(&opts.ShareDiff, "share-diff", pool.DefaultShareDiff, "starting share difficulty (1 = 2^32 hashes; fractions for slow miners)")
	f.Float64Var(&opts.VardiffRate, "vardiff-rate", pool.DefaultSharesPerMin, "shares per minute vardiff aims at, per connection")
	f.StringVar(&opts.Address, "address", "", "reward address (default: the store's node address)")
	f.DurationVar(&opts.JobInterval, "job-interval", pool.DefaultJobInterval, "send fresh work at least this often")
	f.IntVar(&opts.MaxConns, "max-conns", pool.DefaultMaxConns, "most miner connections at once")
	f.StringVar(&opts.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&opts.Record, "record", "", "write the share log and periodic snapshots to this record file at exit (redraw with powlab chart pool)")
	f.DurationVar(&opts.RecordEvery, "record-interval", DefaultRecordEvery, "time between snapshots in --record")
	return cmd
}

func (o *PoolOptions) check() (chain.Options, slog.Level, error) {
	var level slog.Level
	for _, a := range []struct{ flag, v string }{{"--stratum", o.Stratum}, {"--http", o.HTTP}} {
		if a.flag == "--http" && a.v == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.v); err != nil || port == "" {
			return chain.Options{}, level, cmdutil.FlagErrorf("%s %q: want host:port", a.flag, a.v)
		}
	}
	if !(o.ShareDiff > 0) || o.ShareDiff > 1<<40 {
		return chain.Options{}, level, cmdutil.FlagErrorf("--share-diff %g: want a number above 0 (at most 2^40)", o.ShareDiff)
	}
	if !(o.VardiffRate > 0) || o.VardiffRate > 6000 {
		return chain.Options{}, level, cmdutil.FlagErrorf("--vardiff-rate %g: want 0 < shares per minute <= 6000", o.VardiffRate)
	}
	if o.JobInterval < time.Second {
		return chain.Options{}, level, cmdutil.FlagErrorf("--job-interval %s: at least 1s", o.JobInterval)
	}
	if o.Record != "" && o.RecordEvery < 100*time.Millisecond {
		return chain.Options{}, level, cmdutil.FlagErrorf("--record-interval %s: at least 100ms", o.RecordEvery)
	}
	if o.MaxConns < 1 {
		return chain.Options{}, level, cmdutil.FlagErrorf("--max-conns %d: at least 1", o.MaxConns)
	}
	if err := level.UnmarshalText([]byte(strings.ToUpper(o.LogLevel))); err != nil {
		return chain.Options{}, level, cmdutil.FlagErrorf("--log-level %q: want debug, info, warn or error", o.LogLevel)
	}
	co, err := o.Chain.Options()
	if err != nil {
		return co, level, err
	}
	if co.Rules != "" && co.Rules != chain.RulesBitcoin {
		return co, level, cmdutil.FlagErrorf("--rules %s: a Stratum pool mines bitcoin-rules chains", co.Rules)
	}
	co.Rules = chain.RulesBitcoin
	if co.Target.Valid() {
		if _, err := chain.BtcBitsFromTarget(co.Target); err != nil {
			return co, level, cmdutil.FlagErrorWrap(err)
		}
	}
	return co, level, nil
}

func runPool(ctx context.Context, opts *PoolOptions) error {
	co, level, err := opts.check()
	if err != nil {
		return err
	}
	dir, err := cmdutil.ResolveDataDir(opts.Data)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(opts.IO.ErrOut, &slog.HandlerOptions{Level: level}))
	c, err := chain.Open(ctx, dir, co)
	if err != nil {
		if errors.Is(err, chain.ErrParamsMismatch) {
			return cmdutil.FlagErrorWrap(fmt.Errorf("%w (a pool needs a bitcoin-rules chain: use another --data directory)", err))
		}
		return err
	}
	defer c.Close()
	rec := newRecorder(opts, c.Params().String())
	p, err := pool.New(c, pool.Config{Address: opts.Address, ShareDiff: opts.ShareDiff, SharesPerMin: opts.VardiffRate,
		JobInterval: opts.JobInterval, MaxConns: opts.MaxConns, Log: log, OnShare: rec.share})
	if err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	ln, err := net.Listen("tcp", opts.Stratum)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var srv *http.Server
	httpAddr := "none"
	if opts.HTTP != "" {
		hl, err := net.Listen("tcp", opts.HTTP)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen: %w", err)
		}
		httpAddr = "http://" + hl.Addr().String()
		srv = &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
		go srv.Serve(hl)
	}
	tip := c.Tip()
	fmt.Fprintf(opts.IO.Out, "pool on stratum+tcp://%s, status %s, data %s, %s, height %d, tip %s\n",
		ln.Addr(), httpAddr, dir, c.Params(), tip.Height, tip.Hash)
	stopSnaps := rec.snapshots(p)
	serr := p.Serve(ctx, ln) // returns when ctx ends (a signal) or the listener fails
	stopSnaps()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	s := p.Status()
	fmt.Fprintf(opts.IO.Out, "stopped at height %d: %d shares accepted, %d rejected, %d stale, %d duplicate, %d blocks\n",
		s.Height, s.Shares.Accepted, s.Shares.Rejected, s.Shares.Stale, s.Shares.Duplicate, s.Shares.Blocks)
	if opts.Record != "" {
		if err := rec.write(p); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "record written to %s\n", opts.Record)
	}
	if serr != nil {
		return fmt.Errorf("serve: %w", serr)
	}
	return nil // a signal: a clean stop is a success
}

// recorder keeps what --record writes: the share log and snapshots.
type recorder struct {
	on    bool
	every time.Duration
	start time.Time
	mu    sync.Mutex
	rec   results.Pool
	path  string
}

func newRecorder(o *PoolOptions, params string) *recorder {
	r := &recorder{on: o.Record != "", every: o.RecordEvery, start: time.Now(), path: o.Record}
	r.rec = results.Pool{Header: results.NewHeader(results.KindPool, append([]string{"powlab", "pool"}, o.Argv...)),
		Stratum: o.Stratum, Params: params, ShareDiff: o.ShareDiff, VardiffRate: o.VardiffRate,
		Snapshots: []results.PoolSnapshot{}, Shares: []results.PoolShare{}}
	return r
}

// share logs one judged submission.
func (r *recorder) share(ev pool.ShareEvent) {
	if !r.on {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.rec.Shares) >= maxLoggedShares {
		r.rec.SharesDropped++
		return
	}
	r.rec.Shares = append(r.rec.Shares, results.PoolShare{Seconds: ev.At.Sub(r.start).Seconds(), Worker: ev.Worker,
		Difficulty: ev.Difficulty, Result: ev.Result, Block: ev.Block, Hash: ev.Hash})
}

// snap adds the pool's status now.
func (r *recorder) snap(p *pool.Pool) {
	s := p.Status()
	snap := results.PoolSnapshot{Seconds: time.Since(r.start).Seconds(), Height: s.Height, Workers: []results.PoolWorker{}}
	for _, w := range s.Workers {
		snap.Workers = append(snap.Workers, results.PoolWorker{Name: w.Name, Accepted: w.Accepted, Rejected: w.Rejected,
			Stale: w.Stale, Duplicate: w.Duplicate, Difficulty: w.Difficulty, Hashrate: w.Hashrate,
			HashrateLow: w.HashrateLow, HashrateHigh: w.HashrateHigh, Blocks: w.Blocks, TrueRate: w.DeclaredRate})
	}
	r.mu.Lock()
	r.rec.Snapshots = append(r.rec.Snapshots, snap)
	r.mu.Unlock()
}

// snapshots takes a snapshot every interval until the returned stop is
// called (nothing when not recording).
func (r *recorder) snapshots(p *pool.Pool) (stop func()) {
	if !r.on {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tk := time.NewTicker(r.every)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				r.snap(p)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// write saves the record with a last snapshot.
func (r *recorder) write(p *pool.Pool) error {
	r.snap(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rec.Seconds = time.Since(r.start).Seconds()
	return results.WriteFile(r.path, &r.rec)
}
