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
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/pool"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
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
}

// Defaults of the listeners.
const (
	DefaultStratum = "127.0.0.1:3333"
	DefaultHTTP    = "127.0.0.1:8080"
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
	p, err := pool.New(c, pool.Config{Address: opts.Address, ShareDiff: opts.ShareDiff, SharesPerMin: opts.VardiffRate,
		JobInterval: opts.JobInterval, MaxConns: opts.MaxConns, Log: log})
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
	serr := p.Serve(ctx, ln) // returns when ctx ends (a signal) or the listener fails
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	s := p.Status()
	fmt.Fprintf(opts.IO.Out, "stopped at height %d: %d shares accepted, %d rejected, %d stale, %d duplicate, %d blocks\n",
		s.Height, s.Shares.Accepted, s.Shares.Rejected, s.Shares.Stale, s.Shares.Duplicate, s.Shares.Blocks)
	if serr != nil {
		return fmt.Errorf("serve: %w", serr)
	}
	return nil // a signal: a clean stop is a success
}
