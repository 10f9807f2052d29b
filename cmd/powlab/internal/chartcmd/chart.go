// Package chartcmd implements `powlab chart`: the difficulty lab's
// experiments and figures. Each subcommand either runs its experiment
// (writing a record) or redraws a saved record with --from, then prints a
// table (or the record with --json) and writes a PNG or SVG figure.
package chartcmd

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// NewCmdChart builds `powlab chart` and its subcommands.
func NewCmdChart(io cmdutil.IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chart",
		Short: "Run lab experiments and draw them: attempts vs difficulty, hashrate, block times, stale rate, selfish mining",
		Long: `Run one of the difficulty lab's experiments, save its record, print a table
and draw a chart (PNG or SVG, by the --out extension). Every chart can be
redrawn from a saved record with --from, without rerunning anything.`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return cmdutil.FlagErrorf("%s needs a subcommand: attempts, hashrate, blocktime, net, pool, stale or selfish", c.CommandPath())
		},
	}
	cmd.AddCommand(
		NewCmdAttempts(io, nil),
		NewCmdHashrate(io, nil),
		NewCmdBlockTime(io, nil),
		NewCmdNet(io, nil),
		NewCmdPool(io, nil),
		NewCmdStale(io, nil),
		NewCmdSelfish(io, nil),
	)
	return cmd
}

// ParseRange parses a difficulty list as the flags take it: "3", "1..6",
// "1,2,4" or a mix ("1..3,5"), each value from lo to hi. The result is
// sorted and without repeats. Errors are FlagErrors naming flag and problem.
func ParseRange(flag, s string, lo, hi int) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, cmdutil.FlagErrorf("%s: empty; give a number, a range such as 1..6, or a list such as 1,2,4", flag)
	}
	num := func(part, v string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, cmdutil.FlagErrorf("%s %q: %q is not a whole number", flag, s, strings.TrimSpace(v))
		}
		if n < lo || n > hi {
			return 0, cmdutil.FlagErrorf("%s %q: %d is out of range; difficulties go from %d to %d", flag, s, n, lo, hi)
		}
		return n, nil
	}
	seen := map[int]bool{}
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, cmdutil.FlagErrorf("%s %q: empty item in the list", flag, s)
		}
		a, b, isRange := strings.Cut(part, "..")
		first, err := num(part, a)
		if err != nil {
			return nil, err
		}
		last := first
		if isRange {
			if last, err = num(part, b); err != nil {
				return nil, err
			}
			if last < first {
				return nil, cmdutil.FlagErrorf("%s %q: range %s runs backwards; write %d..%d", flag, s, part, last, first)
			}
		}
		for v := first; v <= last; v++ {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

// flagsOf is c's flag set, or nil for options built without a command
// (in tests), which then skip the checks of what was set.
func flagsOf(c *cobra.Command) *pflag.FlagSet {
	if c == nil {
		return nil
	}
	return c.Flags()
}

// num formats a table value: one decimal below 10 000 in size, then SI
// suffixes ("-2.87 M" for a confidence bound below zero).
func num(v float64) string {
	if math.Abs(v) < 1e4 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	if v < 0 {
		return "-" + strings.TrimSpace(cmdutil.HumanCount(-v))
	}
	return strings.TrimSpace(cmdutil.HumanCount(v))
}
