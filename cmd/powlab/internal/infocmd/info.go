// Package infocmd implements `powlab info`: the CPU, its SHA-256-relevant
// features and the kernels this binary can run here.
package infocmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

// InfoOptions are the flags of `powlab info`.
type InfoOptions struct {
	IO   cmdutil.IO
	JSON bool
}

// NewCmdInfo builds the command; runF replaces the run function in tests.
func NewCmdInfo(io cmdutil.IO, runF func(context.Context, *InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show the CPU, its SHA-256 features and the kernels that will run",
		Args:  cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runInfo(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	return cmd
}

// KernelInfo is one kernel's line.
type KernelInfo struct {
	Name      string   `json:"name"`
	Lanes     int      `json:"lanes"`
	Available bool     `json:"available"`
	Reason    string   `json:"reason,omitempty"`
	SelfTest  string   `json:"self_test"`
	Needs     []string `json:"needs"`
	Desc      string   `json:"description"`
}

// Info is what `powlab info --json` prints.
type Info struct {
	Env     results.Env  `json:"env"`
	Kernels []KernelInfo `json:"kernels"`
	Auto    string       `json:"auto"`
	Note    string       `json:"note,omitempty"`
}

// Collect gathers the information.
func Collect() Info {
	inf := Info{Env: results.CaptureEnv(), Auto: sha256x.Best().Name, Note: sha256x.BestNote()}
	for _, k := range sha256x.All() {
		ki := KernelInfo{Name: k.Name, Lanes: k.Lanes, Available: k.Available, Reason: k.Reason, Needs: k.Needs, Desc: k.Desc}
		if ki.Needs == nil {
			ki.Needs = []string{}
		}
		switch {
		case !k.Available:
			ki.SelfTest = "not run"
		default:
			if err := sha256x.SelfTest(k); err != nil {
				ki.SelfTest = "FAILED: " + err.Error()
			} else {
				ki.SelfTest = "ok"
			}
		}
		inf.Kernels = append(inf.Kernels, ki)
	}
	return inf
}

func runInfo(_ context.Context, opts *InfoOptions) error {
	inf := Collect()
	if opts.JSON {
		return cmdutil.PrintJSON(opts.IO.Out, inf)
	}
	out := opts.IO.Out
	e := inf.Env
	fmt.Fprintf(out, "CPU        %s\n", e.CPU)
	fmt.Fprintf(out, "cores      %d logical", e.LogicalCores)
	if e.PhysicalCores > 0 {
		fmt.Fprintf(out, ", %d physical", e.PhysicalCores)
	}
	fmt.Fprintf(out, " (GOMAXPROCS %d)\n", e.GOMAXPROCS)
	var feats []string
	for _, f := range results.SHAFeatures {
		mark := "-"
		if results.HasFeature(f.Name) {
			mark = "+"
		}
		feats = append(feats, mark+f.Name)
	}
	fmt.Fprintf(out, "features   %s\n", strings.Join(feats, " "))
	fmt.Fprintf(out, "build      powlab %s, %s, %s/%s", results.PowlabVersion(), e.GoVersion, e.OS, e.Arch)
	if e.Tags != "" {
		fmt.Fprintf(out, ", tags %s", e.Tags)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KERNEL\tLANES\tRUNS HERE\tSELF-TEST\tDESCRIPTION")
	for _, k := range inf.Kernels {
		runs := "yes"
		if !k.Available {
			runs = "no: " + k.Reason
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", k.Name, k.Lanes, runs, k.SelfTest, k.Desc)
	}
	tw.Flush()
	fmt.Fprintf(out, "\nauto picks: %s\n", inf.Auto)
	if inf.Note != "" {
		fmt.Fprintf(out, "note: %s\n", inf.Note)
	}
	return nil
}
