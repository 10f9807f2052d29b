// Package cmdutil holds what every powlab verb shares: the IO streams, the
// error-to-exit-code mapping, the flags several verbs take (targets,
// kernels, workers, JSON output, and the record flags of the verbs that run
// an experiment and draw its record: RecordFlags and its flow), and the
// tables of records that more than one verb prints. Verb packages share
// code only through this package and the library, never by importing each
// other.
package cmdutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/results"
)

// IO is where a command reads and writes.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// System returns the process's standard streams.
func System() IO { return IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr} }

// Exit codes.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitCanceled = 130
)

// FlagError is a usage mistake: a bad flag value or a wrong argument count.
// It maps to exit code 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf formats a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// FlagErrorWrap marks err as a usage error (nil stays nil).
func FlagErrorWrap(err error) error {
	if err == nil {
		return nil
	}
	var fe *FlagError
	if errors.As(err, &fe) {
		return err
	}
	return &FlagError{Err: err}
}

// ExitCode maps an error from a command to the process's exit code.
func ExitCode(err error) int {
	var fe *FlagError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &fe):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitCanceled
	}
	return ExitError
}

// ExactArgs is cobra.ExactArgs reporting a FlagError.
func ExactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return FlagErrorf("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// NoArgs rejects positional arguments with a FlagError.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return FlagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// KernelHelp lists the kernels of each algorithm for --kernel's help text.
func KernelHelp(withAll bool) string {
	s := "SHA-256 kernel: auto (the fastest this CPU runs), " + strings.Join(sha256x.Names(), ", ")
	if withAll {
		s += ", or all"
	}
	return s + "; for sha256d: " + strings.Join(sha256x.NamesFor(sha256x.SHA256d), ", ")
}

// ResolveKernel looks up a sha256 kernel for --kernel, marking errors as
// usage errors.
func ResolveKernel(name string) (*sha256x.Kernel, error) {
	return ResolveKernelFor(sha256x.SHA256, name)
}

// ResolveKernelFor looks up --kernel among algorithm a's kernels.
func ResolveKernelFor(a sha256x.Algo, name string) (*sha256x.Kernel, error) {
	k, err := sha256x.ByNameFor(a, name)
	if err != nil {
		return nil, FlagErrorf("--kernel: %v", err)
	}
	return k, nil
}

// ResolveAlgo parses --algo.
func ResolveAlgo(s string) (sha256x.Algo, error) {
	a, err := sha256x.ParseAlgo(s)
	if err != nil {
		return 0, FlagErrorf("--algo: %v", err)
	}
	return a, nil
}

// ResolveWorkers checks --workers (0 means every CPU).
func ResolveWorkers(n int) (int, error) {
	if n < 0 {
		return 0, FlagErrorf("--workers %d: must be 0 (all CPUs) or more", n)
	}
	if n > 4096 {
		return 0, FlagErrorf("--workers %d: at most 4096", n)
	}
	if n == 0 {
		return runtime.NumCPU(), nil
	}
	return n, nil
}

// ParseIntList parses "1,2,4" (each 1..max).
func ParseIntList(flag, s string, max int) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || n > max {
			return nil, FlagErrorf("%s %q: %q is not a whole number from 1 to %d", flag, s, part, max)
		}
		out = append(out, n)
	}
	return out, nil
}

// PrintJSON writes v as indented JSON and a newline.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// HumanRate formats attempts per second: "9.12 M/s".
func HumanRate(r float64) string { return HumanCount(r) + "/s" }

// HumanCount formats a count with an SI suffix: 1234567 -> "1.23 M".
func HumanCount(v float64) string { return results.HumanCount(v) }

// HumanSeconds formats a duration given in seconds, from µs to years.
func HumanSeconds(s float64) string {
	switch {
	case s < 1e-3:
		return fmt.Sprintf("%.0f µs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1f ms", s*1e3)
	case s < 120:
		return fmt.Sprintf("%.2f s", s)
	case s < 7200:
		return fmt.Sprintf("%.1f min", s/60)
	case s < 3*86400:
		return fmt.Sprintf("%.1f h", s/3600)
	case s < 2*365*86400:
		return fmt.Sprintf("%.1f days", s/86400)
	}
	return fmt.Sprintf("%.3g years", s/(365.25*86400))
}

// ResolveMiner checks --kernel (a sha256 kernel) and --workers together, as
// every verb that searches takes them.
func ResolveMiner(kernel string, workers int) (*sha256x.Kernel, int, error) {
	return ResolveMinerFor(sha256x.SHA256, kernel, workers)
}

// ResolveMinerFor is ResolveMiner for algorithm a's kernels.
func ResolveMinerFor(a sha256x.Algo, kernel string, workers int) (*sha256x.Kernel, int, error) {
	k, err := ResolveKernelFor(a, kernel)
	if err != nil {
		return nil, 0, err
	}
	w, err := ResolveWorkers(workers)
	if err != nil {
		return nil, 0, err
	}
	return k, w, nil
}

// ResolveKernelList parses a sweep's --kernel among sha256 kernels; see
// ResolveKernelListFor.
func ResolveKernelList(s string) (ks []*sha256x.Kernel, skipped []string, err error) {
	return ResolveKernelListFor(sha256x.SHA256, s)
}

// ResolveKernelListFor parses a sweep's --kernel among algorithm a's
// kernels: "all" (or "") is every kernel this CPU runs, the others listed in
// skipped with the reason; otherwise a comma-separated list of names, each
// checked, duplicates dropped.
func ResolveKernelListFor(a sha256x.Algo, s string) (ks []*sha256x.Kernel, skipped []string, err error) {
	if s == "all" || s == "" {
		for _, k := range sha256x.For(a) {
			if k.Available {
				ks = append(ks, k)
			} else {
				skipped = append(skipped, fmt.Sprintf("%s (%s)", k.Name, k.Reason))
			}
		}
		return ks, skipped, nil
	}
	seen := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		k, err := ResolveKernelFor(a, strings.TrimSpace(name))
		if err != nil {
			return nil, nil, err
		}
		if !seen[k.Name] {
			ks = append(ks, k)
			seen[k.Name] = true
		}
	}
	return ks, nil, nil
}

// ResolveWorkerList parses a sweep's --workers: "" is 1 and every CPU.
func ResolveWorkerList(s string) ([]int, error) {
	if s == "" {
		if n := runtime.NumCPU(); n > 1 {
			return []int{1, n}, nil
		}
		return []int{1}, nil
	}
	return ParseIntList("--workers", s, 4096)
}

// CheckSweepDuration checks a sweep's --duration per configuration.
func CheckSweepDuration(d time.Duration) error {
	if d < 10*time.Millisecond || d > time.Hour {
		return FlagErrorf("--duration %s: must be between 10ms and 1h", d)
	}
	return nil
}

// ArgvOf rebuilds the command line from the flags that were set, so a
// record holds the command that reruns it.
func ArgvOf(fs *pflag.FlagSet) []string {
	var out []string
	fs.Visit(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			out = append(out, "--"+f.Name, strings.Join(sv.GetSlice(), ","))
			return
		}
		out = append(out, "--"+f.Name+"="+f.Value.String())
	})
	return out
}
