package chartcmd

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

// PoolOptions are the flags of `powlab chart pool`.
type PoolOptions struct {
	IO cmdutil.IO
	cmdutil.RecordFlags
}

// DefaultPoolOut is where `powlab chart pool` draws by default.
const DefaultPoolOut = "pool.png"

// poolRecord describes the record flags of `powlab chart pool`.
var poolRecord = cmdutil.RecordFlagOptions{
	Out:        DefaultPoolOut,
	From:       "a saved pool record",
	Kind:       results.KindPool,
	RedrawOnly: true,
	Maker:      "powlab pool --record",
}

// NewCmdPool builds the command; runF replaces the run function in tests.
func NewCmdPool(io cmdutil.IO, runF func(context.Context, *PoolOptions) error) *cobra.Command {
	opts := &PoolOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "pool",
		Short: "Each worker's hashrate estimated from its shares, with the 95% interval",
		Long: `Redraw a record written by ` + "`powlab pool --record FILE`" + `: each worker's
hashrate as the pool estimated it from its shares over time (solid), the 95%
interval of the estimate (dashed) and, where the record knows it, the
worker's true rate (dotted). The table gives the last snapshot.`,
		Example: `  powlab pool --data /tmp/pool --record pool.json   # Ctrl-C writes the record
  powlab chart pool --from pool.json --out pool.png`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runPool(opts)
		},
	}
	cmdutil.AddRecordFlags(cmd.Flags(), &opts.RecordFlags, poolRecord)
	return cmd
}

func runPool(opts *PoolOptions) error {
	return cmdutil.Redraw(opts.IO, opts.RecordFlags, poolRecord, &results.Pool{}, renderPool, results.WritePoolChart)
}

func renderPool(io cmdutil.IO, rec *results.Pool) {
	out := io.Out
	fmt.Fprintf(out, "pool %s, %s, %s; %d shares logged over %s\n", rec.Stratum, rec.Params, rec.Header.Created.Format("2006-01-02 15:04:05 UTC"),
		len(rec.Shares), cmdutil.HumanSeconds(rec.Seconds))
	if len(rec.Snapshots) == 0 {
		return
	}
	last := rec.Snapshots[len(rec.Snapshots)-1]
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "worker\taccepted\trejected\tstale\tduplicate\tdifficulty\thashrate\t95% interval\tblocks\t")
	for _, w := range last.Workers {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.4g\t%s\t[%s, %s]\t%d\t\n", w.Name, w.Accepted, w.Rejected, w.Stale, w.Duplicate,
			w.Difficulty, cmdutil.HumanRate(w.Hashrate), cmdutil.HumanRate(w.HashrateLow), cmdutil.HumanRate(w.HashrateHigh), w.Blocks)
	}
	tw.Flush()
}
