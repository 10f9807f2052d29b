package chartcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/netcmd"
	"github.com/powlab/powlab/results"
)

// NetOptions are the flags of `powlab chart net`.
type NetOptions struct {
	IO   cmdutil.IO
	From string
	Out  string
	JSON bool
}

// DefaultNetOut is where `powlab chart net` draws by default.
const DefaultNetOut = "net.png"

// NewCmdNet builds the command; runF replaces the run function in tests.
func NewCmdNet(io cmdutil.IO, runF func(context.Context, *NetOptions) error) *cobra.Command {
	opts := &NetOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "net",
		Short: "Blocks won vs hashrate share, and blocks over time, of a mini network",
		Long: `Redraw a record saved by ` + "`powlab net`" + `: each node's share of the best
chain's blocks against its share of the hashrate (with the y = x line of a
fair race; rings at the measured share where the machine fell short of the
caps), and each node's cumulative blocks won over time. The network itself
is run by ` + "`powlab net`" + `, which draws the same chart next to its record.`,
		Example: `  powlab chart net --from results-out/net-20261126T155507Z.json --out docs/net-shares.png`,
		Args:    cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runNet(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.From, "from", "", "the net record to draw (required; run `powlab net` to make one)")
	f.StringVarP(&opts.Out, "out", "o", DefaultNetOut, "chart file, .png or .svg")
	f.BoolVar(&opts.JSON, "json", false, "print the record as JSON instead of a table")
	return cmd
}

func runNet(opts *NetOptions) error {
	render := netcmd.Render
	if opts.JSON {
		render = nil
	}
	return redraw(opts.IO, opts.From, opts.Out, results.KindNet, "powlab net (the network runs there)", &results.Net{}, render, results.WriteNetChart)
}
