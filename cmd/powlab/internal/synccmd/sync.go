// Package synccmd implements `powlab sync`: pull chains from nodes into the
// local store and adopt the best valid one, or ask a running node to do so.
package synccmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/node"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// SyncOptions are the flags of `powlab sync`.
type SyncOptions struct {
	IO      cmdutil.IO
	URLs    []string
	DataDir string
	Chain   cmdutil.ChainFlags
	Node    string
	Timeout time.Duration
	JSON    bool
}

// DefaultTimeout bounds each peer request.
const DefaultTimeout = 30 * time.Second

// NewCmdSync builds the command; runF replaces the run function in tests.
func NewCmdSync(io cmdutil.IO, runF func(context.Context, *SyncOptions) error) *cobra.Command {
	opts := &SyncOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "sync [URL...]",
		Short: "Adopt the best valid chain among nodes, or ask a node to resolve",
		Long: `Fetch each node's /chain, validate it under the local chain's rules and
adopt the one with the most work if it beats the chain in --data (the
tutorial's resolve_conflicts, with full validation). Unreachable or invalid
nodes are reported and skipped.

With --node URL, ask that running node to resolve against its own peers
(its GET /node_refresh) and print what it did.`,
		Example: `  powlab sync http://127.0.0.1:5005 127.0.0.1:5006 --data /tmp/n3
  powlab sync --node http://127.0.0.1:5007`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.URLs = args
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runSync(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	cmdutil.AddDataFlag(f, &opts.DataDir)
	cmdutil.AddChainFlags(f, &opts.Chain)
	f.StringVar(&opts.Node, "node", "", "ask this running node to resolve instead (its GET /node_refresh)")
	f.DurationVar(&opts.Timeout, "timeout", DefaultTimeout, "timeout of each request")
	f.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	return cmd
}

func (o *SyncOptions) check() error {
	if o.Node != "" && len(o.URLs) > 0 {
		return cmdutil.FlagErrorf("give node URLs or --node, not both")
	}
	if o.Node == "" && len(o.URLs) == 0 {
		return cmdutil.FlagErrorf("give at least one node URL, or --node URL")
	}
	if o.Timeout <= 0 {
		return cmdutil.FlagErrorf("--timeout %s: must be above 0", o.Timeout)
	}
	for _, u := range append([]string{o.Node}, o.URLs...) {
		if u == "" {
			continue
		}
		if _, err := node.ParsePeer(u); err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
	}
	return nil
}

func runSync(ctx context.Context, opts *SyncOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	if opts.Node != "" {
		return askNode(ctx, opts)
	}
	copts, err := opts.Chain.Options()
	if err != nil {
		return err
	}
	dir, err := cmdutil.ResolveDataDir(opts.DataDir)
	if err != nil {
		return err
	}
	n, err := node.New(ctx, node.Config{
		DataDir:     dir,
		Chain:       copts,
		Peers:       opts.URLs,
		PeerTimeout: opts.Timeout,
	})
	if err != nil {
		if errors.Is(err, chain.ErrParamsMismatch) || errors.Is(err, chain.ErrBadParams) {
			return cmdutil.FlagErrorWrap(err)
		}
		return err
	}
	defer n.Close()
	rep, err := n.Resolve(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.PrintJSON(opts.IO.Out, rep)
	}
	out := opts.IO.Out
	tw := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tHEIGHT\tWORK\tOUTCOME")
	for _, p := range rep.Peers {
		outcome := p.Outcome
		if p.Err != "" {
			outcome += ": " + p.Err
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", p.Peer, p.Height, cmdutil.HumanCount(p.Work), outcome)
	}
	tw.Flush()
	if rep.Replaced {
		fmt.Fprintf(out, "adopted the chain of %s: height %d -> %d, work %s -> %s", rep.From, rep.OldHeight, rep.Height,
			cmdutil.HumanCount(rep.OldWork), cmdutil.HumanCount(rep.Work))
		if rep.Reorg > 0 {
			fmt.Fprintf(out, ", %d local block(s) left the main chain", rep.Reorg)
		}
		fmt.Fprintln(out)
	} else {
		fmt.Fprintf(out, "kept the local chain: height %d, work %s (no valid chain with more work)\n", rep.Height, cmdutil.HumanCount(rep.Work))
	}
	tip := n.Tip()
	fmt.Fprintf(out, "tip %s in %s\n", tip.Hash, dir)
	return nil
}

// askNode calls a running node's /node_refresh.
func askNode(ctx context.Context, opts *SyncOptions) error {
	u, _ := node.ParsePeer(opts.Node)
	c := node.NewClient(opts.Timeout, node.DefaultMaxResponseBytes)
	defer c.CloseIdle()
	data, err := c.Get(ctx, u, "/node_refresh")
	if err != nil {
		return fmt.Errorf("ask %s to resolve: %w", u, err)
	}
	if opts.JSON {
		_, err := opts.IO.Out.Write(append(data, '\n'))
		return err
	}
	var ans struct {
		Message  string            `json:"message"`
		NewChain []json.RawMessage `json:"new chain"`
		Chain    []json.RawMessage `json:"chain"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return fmt.Errorf("%s/node_refresh: %w", u, err)
	}
	switch {
	case ans.NewChain != nil:
		fmt.Fprintf(opts.IO.Out, "%s: %s (now %d blocks)\n", u, ans.Message, len(ans.NewChain))
	default:
		fmt.Fprintf(opts.IO.Out, "%s: %s (%d blocks)\n", u, ans.Message, len(ans.Chain))
	}
	return nil
}
