// Package nodecmd implements `powlab node`: a long-running HTTP node on the
// chain engine, wire-compatible with the tutorial's Flask nodes.
package nodecmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/node"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// NodeOptions are the flags of `powlab node`.
type NodeOptions struct {
	IO       cmdutil.IO
	Listen   string
	DataDir  string
	Chain    cmdutil.ChainFlags
	Peers    []string
	Mine     bool
	Workers  int
	Kernel   string
	MaxRate  float64
	LogLevel string
	LogJSON  bool
}

// DefaultListen is the tutorial's first node's address.
const DefaultListen = "127.0.0.1:5005"

// NewCmdNode builds the command; runF replaces the run function in tests.
func NewCmdNode(io cmdutil.IO, runF func(context.Context, *NodeOptions) error) *cobra.Command {
	opts := &NodeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run an HTTP node compatible with the tutorial's routes",
		Long: `Run a node: the chain in --data, served over HTTP with the tutorial's
routes and clearer names beside them:

  GET  /                                   banner
  GET  /chain                              {"chain": [...], "length": n}
  GET  /mine                               mine one block now
  POST /new_transcations, /transactions/new   {"sender", "recipient", "amount"}
  POST /new_node, /nodes/register          {"nodes": ["http://host:port", ...]}
  GET  /node_refresh, /nodes/resolve       adopt the valid peer chain with the most work
  GET  /status                             height, tip, work, difficulty, miner, peers
  POST /blocks                             a peer announces a block

At start the node fetches its --peers' chains and adopts the best valid one
with more work than its own. With --mine it mines continuously, restarting
on every new tip, and
pushes each block to its peers. Under --rules tutorial it talks to the
tutorial's Python nodes: peers may be given as host:port, as the tutorial
registers them. SIGINT or SIGTERM stops the miner, finishes writes, closes
the store and exits 0.`,
		Example: `  powlab node --listen 127.0.0.1:5005 --rules tutorial --prefix 0000
  powlab node --listen 127.0.0.1:5006 --data /tmp/n2 --peers 127.0.0.1:5005 --mine --workers 2
  powlab node --bits 20 --mine --max-rate 2000000`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runNode(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", DefaultListen, "host:port to serve on (port 0: any free port)")
	cmdutil.AddDataFlag(f, &opts.DataDir)
	cmdutil.AddChainFlags(f, &opts.Chain)
	f.StringSliceVar(&opts.Peers, "peers", nil, "peers to register, comma-separated (http://host:port or host:port)")
	f.BoolVar(&opts.Mine, "mine", false, "mine continuously (without it, blocks are mined on GET /mine)")
	f.IntVarP(&opts.Workers, "workers", "w", 0, "mining worker goroutines (0: one per CPU)")
	f.StringVar(&opts.Kernel, "kernel", "auto", cmdutil.KernelHelp(false))
	f.Float64Var(&opts.MaxRate, "max-rate", 0, "cap mining at this many attempts/s (0: no cap)")
	f.StringVar(&opts.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.BoolVar(&opts.LogJSON, "log-json", false, "log JSON lines instead of text")
	return cmd
}

// config checks the options and turns them into a node configuration.
func (o *NodeOptions) config() (node.Config, string, error) {
	var cfg node.Config
	if _, port, err := net.SplitHostPort(o.Listen); err != nil || port == "" {
		return cfg, "", cmdutil.FlagErrorf("--listen %q: want host:port, e.g. %s", o.Listen, DefaultListen)
	}
	copts, err := o.Chain.Options()
	if err != nil {
		return cfg, "", err
	}
	k, workers, err := cmdutil.ResolveMiner(o.Kernel, o.Workers)
	if err != nil {
		return cfg, "", err
	}
	if o.MaxRate < 0 || o.MaxRate > 1e12 {
		return cfg, "", cmdutil.FlagErrorf("--max-rate %g: want 0 (no cap) up to 1e12", o.MaxRate)
	}
	for _, p := range o.Peers {
		if _, err := node.ParsePeer(p); err != nil {
			return cfg, "", cmdutil.FlagErrorf("--peers: %v", err)
		}
	}
	level, err := parseLevel(o.LogLevel)
	if err != nil {
		return cfg, "", err
	}
	dir, err := cmdutil.ResolveDataDir(o.DataDir)
	if err != nil {
		return cfg, "", err
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(o.IO.ErrOut, hopts)
	if o.LogJSON {
		h = slog.NewJSONHandler(o.IO.ErrOut, hopts)
	}
	cfg = node.Config{
		DataDir: dir,
		Chain:   copts,
		Peers:   o.Peers,
		Mine:    o.Mine,
		Miner:   node.MinerOptions{Workers: workers, Kernel: k, MaxRate: o.MaxRate},
		Logger:  slog.New(h),
	}
	return cfg, dir, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, cmdutil.FlagErrorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

func runNode(ctx context.Context, opts *NodeOptions) error {
	cfg, dir, err := opts.config()
	if err != nil {
		return err
	}
	n, err := node.New(ctx, cfg)
	if err != nil {
		if errors.Is(err, chain.ErrParamsMismatch) || errors.Is(err, chain.ErrBadParams) {
			return cmdutil.FlagErrorWrap(fmt.Errorf("%w (use another --data directory for other rules)", err))
		}
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		n.Close()
		return fmt.Errorf("listen: %w", err)
	}
	tip := n.Tip()
	fmt.Fprintf(opts.IO.Out, "node %s on http://%s, data %s, %s, height %d, tip %s\n",
		n.Address(), ln.Addr(), dir, n.Rules().Params(), tip.Height, tip.Hash)
	served := make(chan error, 1)
	go func() { served <- n.Serve(ln) }()
	select {
	case <-ctx.Done():
		// A signal: a clean stop is a success.
		height := n.Height()
		if err := n.Close(); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		<-served
		fmt.Fprintf(opts.IO.Out, "stopped at height %d\n", height)
		return nil
	case err := <-served:
		cerr := n.Close()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return cerr
	}
}
