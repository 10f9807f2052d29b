// Package infocmd implements `powlab info`: the CPU, its SHA-256-relevant
// features and the kernels of each algorithm this binary can run here.
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
		Long: `Show the CPU, the features that matter for SHA-256, every kernel built
into this binary for each algorithm (sha256: the tutorial's and powlab's
puzzles; sha256d: Bitcoin's header), whether it runs here and passes its
known-answer self-test, and which one "auto" picks for each algorithm.`,
		Args: cmdutil.NoArgs,
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
	Algo      string   `json:"algo"`
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
	// Auto is the kernel "auto" picks, per algorithm.
	Auto map[string]string `json:"auto"`
	// Notes explain a pick when a faster kernel failed its self-test.
	Notes map[string]string `json:"notes,omitempty"`
}

// Collect gathers the information.
func Collect() Info {
	inf := Info{Env: results.CaptureEnv(), Auto: map[string]string{}}
	for _, a := range sha256x.Algos {
		inf.Auto[a.String()] = sha256x.BestFor(a).Name
		if n := sha256x.BestNoteFor(a); n != "" {
			if inf.Notes == nil {
				inf.Notes = map[string]string{}
			}
			inf.Notes[a.String()] = n
		}
		inf.Kernels = append(inf.Kernels, collectKernels(a)...)
	}
	return inf
}

func collectKernels(a sha256x.Algo) []KernelInfo {
	var out []KernelInfo
	for _, k := range sha256x.For(a) {
		ki := KernelInfo{Algo: a.String(), Name: k.Name, Lanes: k.Lanes, Available: k.Available, Reason: k.Reason, Needs: k.Needs, Desc: k.Desc}
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
		out = append(out, ki)
	}
	return out
}

func runInfo(_ context.Context, opts *InfoOptions) error {
	inf := Collect()
	if opts.JSON {
		return cmdutil.PrintJSON(opts.IO.Out, inf)
	}
	Render(opts.IO, inf)
	return nil
}

// Render prints inf as text: the machine, then one kernel table per
// algorithm with auto's pick under it.
func Render(io cmdutil.IO, inf Info) {
	out := io.Out
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
	for _, a := range sha256x.Algos {
		fmt.Fprintln(out)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "%s KERNEL\tLANES\tRUNS HERE\tSELF-TEST\tDESCRIPTION\n", strings.ToUpper(a.String()))
		for _, k := range inf.Kernels {
			if k.Algo != a.String() {
				continue
			}
			runs := "yes"
			if !k.Available {
				runs = "no: " + k.Reason
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", k.Name, k.Lanes, runs, k.SelfTest, k.Desc)
		}
		tw.Flush()
		fmt.Fprintf(out, "auto picks for %s: %s\n", a, inf.Auto[a.String()])
		if n := inf.Notes[a.String()]; n != "" {
			fmt.Fprintf(out, "note: %s\n", n)
		}
	}
}
