package chartcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// NetOptions are the flags of `powlab chart net`.
type NetOptions struct {
	IO cmdutil.IO
	cmdutil.RecordFlags
}

// DefaultNetOut is where `powlab chart net` draws by default.
const DefaultNetOut = "net.png"

// netRecord describes the record flags of `powlab chart net`.
var netRecord = cmdutil.RecordFlagOptions{
	Out:        DefaultNetOut,
	From:       "a saved net record",
	Kind:       results.KindNet,
	RedrawOnly: true,
	Maker:      "powlab net",
}

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
	cmdutil.AddRecordFlags(cmd.Flags(), &opts.RecordFlags, netRecord)
	return cmd
}

func runNet(opts *NetOptions) error {
	return cmdutil.Redraw(opts.IO, opts.RecordFlags, netRecord, &results.Net{}, cmdutil.RenderNet, results.WriteNetChart)
}
