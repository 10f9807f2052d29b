package daacmd

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/holiman/uint256"
	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// ListOptions are `powlab daa list`'s flags.
type ListOptions struct {
	IO        cmdutil.IO
	BlockTime int64
	JSON      bool
}

// AlgoInfo is one algorithm as list prints it.
type AlgoInfo struct {
	Name     string   `json:"name"`
	Doc      string   `json:"doc"`
	Source   string   `json:"source,omitempty"`
	Defaults Defaults `json:"defaults"`
}

// Defaults are an algorithm's default parameters at a block time.
type Defaults struct {
	BlockTime   int64  `json:"block_time_ticks"`
	Window      uint64 `json:"window_blocks"`
	HalfLife    int64  `json:"half_life_ticks,omitempty"`
	MaxFactor   uint64 `json:"max_factor,omitempty"`
	FirstHeight uint64 `json:"first_height"`
}

// NewCmdList returns `powlab daa list`.
func NewCmdList(io cmdutil.IO, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the difficulty-adjustment algorithms with their default parameters",
		Long: `List every difficulty-adjustment algorithm: its name, what it does, its
source, and its default parameters at --block-time ticks (the window in
blocks; asert's half-life, which scales with the block time).`,
		Example: `  powlab daa list
  powlab daa list --json --block-time 10000`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runList(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.BlockTime, "block-time", 600, "block time in ticks the defaults are shown for")
	f.BoolVar(&opts.JSON, "json", false, "print the list as JSON")
	return cmd
}

// List describes every registered algorithm at blockTime ticks.
func List(blockTime int64) ([]AlgoInfo, error) {
	var out []AlgoInfo
	for _, name := range daa.Names() {
		info, _ := daa.Lookup(name)
		a, err := daa.New(name, daa.Params{BlockTime: blockTime, Limit: *maxLimit()})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p := a.Params()
		d := Defaults{BlockTime: blockTime, FirstHeight: p.FirstHeight}
		switch name {
		case "asert":
			d.HalfLife = p.HalfLife
		case "powlab":
			d.Window, d.MaxFactor = p.Window, p.MaxFactor
		case "fixed":
		default:
			d.Window = p.Window
		}
		out = append(out, AlgoInfo{Name: name, Doc: info.Doc, Source: info.Source, Defaults: d})
	}
	return out, nil
}

func runList(_ context.Context, opts *ListOptions) error {
	if opts.BlockTime <= 0 {
		return cmdutil.FlagErrorf("--block-time %d: must be above 0 ticks", opts.BlockTime)
	}
	list, err := List(opts.BlockTime)
	if err != nil {
		return cmdutil.FlagErrorf("--block-time %d: %v", opts.BlockTime, err)
	}
	if opts.JSON {
		return cmdutil.PrintJSON(opts.IO.Out, list)
	}
	w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "ALGORITHM\tDEFAULTS (block time %d ticks)\tDESCRIPTION\n", opts.BlockTime)
	for _, a := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\n", a.Name, describe(a), a.Doc)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, "\nSources:")
	for _, a := range list {
		if a.Source != "" {
			fmt.Fprintf(opts.IO.Out, "  %s: %s\n", a.Name, a.Source)
		}
	}
	return nil
}

func describe(a AlgoInfo) string {
	d := a.Defaults
	switch a.Name {
	case "asert":
		return fmt.Sprintf("half-life %d ticks (%d blocks)", d.HalfLife, d.HalfLife/d.BlockTime)
	case "fixed":
		return "-"
	case "powlab":
		if d.Window == 0 {
			return fmt.Sprintf("window 0 (never retargets), max factor %d, first height %d", d.MaxFactor, d.FirstHeight)
		}
		return fmt.Sprintf("window %d, max factor %d", d.Window, d.MaxFactor)
	}
	return fmt.Sprintf("window %d blocks", d.Window)
}

// maxLimit is 2^256-1: List builds each algorithm with it only to read
// the defaults.
func maxLimit() *uint256.Int { return new(uint256.Int).SetAllOne() }
