// Package root builds powlab's cobra command tree and runs it.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/benchcmd"
	"github.com/powlab/powlab/cmd/powlab/internal/chaincmd"
	"github.com/powlab/powlab/cmd/powlab/internal/chartcmd"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/daacmd"
	"github.com/powlab/powlab/cmd/powlab/internal/infocmd"
	"github.com/powlab/powlab/cmd/powlab/internal/minecmd"
	"github.com/powlab/powlab/cmd/powlab/internal/netcmd"
	"github.com/powlab/powlab/cmd/powlab/internal/nodecmd"
	"github.com/powlab/powlab/cmd/powlab/internal/poolcmd"
	"github.com/powlab/powlab/cmd/powlab/internal/searchcmd"
	"github.com/powlab/powlab/cmd/powlab/internal/synccmd"
	"github.com/powlab/powlab/cmd/powlab/internal/validatecmd"
	"github.com/powlab/powlab/results"
)

// NewCmdRoot returns the root command with every verb attached.
func NewCmdRoot(io cmdutil.IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "powlab",
		Short: "Parallel proof-of-work mining benchmark and difficulty lab",
		Long: `powlab searches SHA-256 proofs of work on every core with SIMD kernels,
keeps a chain with pluggable consensus rules, runs HTTP nodes compatible with
the classic Python/Flask tutorial blockchain, and measures hashrates and
attempts-vs-difficulty against theory.`,
		Version:       results.PowlabVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(io.In)
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.FlagErrorWrap(fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath()))
	})
	cmd.AddCommand(
		infocmd.NewCmdInfo(io, nil),
		searchcmd.NewCmdSearch(io, nil),
		benchcmd.NewCmdBench(io, nil),
		netcmd.NewCmdNet(io, nil),
		minecmd.NewCmdMine(io, nil),
		validatecmd.NewCmdValidate(io, nil),
		chaincmd.NewCmdChain(io, nil),
		nodecmd.NewCmdNode(io, nil),
		poolcmd.NewCmdPool(io, nil),
		synccmd.NewCmdSync(io, nil),
		chartcmd.NewCmdChart(io),
		daacmd.NewCmdDaa(io),
	)
	return cmd
}

// Run executes argv under ctx and returns the exit code, printing the error.
func Run(ctx context.Context, io cmdutil.IO, argv []string) int {
	cmd := NewCmdRoot(io)
	cmd.SetArgs(argv)
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		// Unknown commands come back from cobra as plain errors.
		if isUsage(err) {
			err = cmdutil.FlagErrorWrap(err)
		}
		switch {
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			// Ctrl-C: the verb has said what it did; exit 130 quietly.
			fmt.Fprintln(io.ErrOut, "powlab: interrupted")
		default:
			fmt.Fprintln(io.ErrOut, "powlab:", err)
		}
	}
	return cmdutil.ExitCode(err)
}

func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// Main runs powlab with the process's arguments under a context cancelled by
// SIGINT or SIGTERM.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, cmdutil.System(), os.Args[1:])
}
