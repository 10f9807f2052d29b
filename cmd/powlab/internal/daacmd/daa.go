// Package daacmd implements `powlab daa`: the difficulty-adjustment
// algorithms of package chain/daa, listed, checked against their published
// test vectors, and simulated side by side on hashrate scenarios.
package daacmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// NewCmdDaa returns the `daa` parent command. Each subcommand is one entry
// of subcommands below.
func NewCmdDaa(io cmdutil.IO) *cobra.Command {
	subcommands := []*cobra.Command{
		NewCmdList(io, nil),
		NewCmdVerify(io, nil),
		NewCmdSim(io, nil),
		NewCmdCompare(io, nil),
	}
	names := make([]string, len(subcommands))
	for i, c := range subcommands {
		names[i] = c.Name()
	}
	cmd := &cobra.Command{
		Use:   "daa",
		Short: "Difficulty-adjustment algorithms: list them, check them against official vectors, simulate them",
		Long: `The difficulty lab's adjustment algorithms (bitcoin, asert, lwma, dgw, ema,
powlab, fixed): exact integer functions from a chain's recent blocks to the
target of the next block. See docs/daa.md.`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return cmdutil.FlagErrorf("%s needs a subcommand: %s", c.CommandPath(), strings.Join(names, ", "))
		},
	}
	cmd.AddCommand(subcommands...)
	return cmd
}
