package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/powlab/powlab/results"
)

// TestRenderNetNoBlocks: a network record with no blocks (an early Ctrl-C)
// still prints.
func TestRenderNetNoBlocks(t *testing.T) {
	var out bytes.Buffer
	RenderNet(IO{Out: &out}, &results.Net{Stopped: "interrupted", Nodes: []results.NetNode{{ID: 1, Spec: "1M", RateCap: 1e6}}})
	if !strings.Contains(out.String(), "converged NO") || !strings.Contains(out.String(), "interrupted") {
		t.Fatalf("%s", out.String())
	}
}

// TestRenderBench: the sweep table names every run and the skipped kernels.
func TestRenderBench(t *testing.T) {
	var out bytes.Buffer
	rec := &results.Bench{Algo: "sha256", Target: "prefix 000000", ExpectedAttempts: 1 << 24, DurationSeconds: 1,
		Runs: []results.BenchRun{{Kernel: "stdlib", Workers: 1, Attempts: 5e6, AttemptsPerSec: 5e6, SpeedupVsStdlib: 1, Efficiency: 1, ExpectedSecondsToSolution: 3.4}}}
	RenderBench(IO{Out: &out}, rec, []string{"avx512 (no AVX-512)"})
	for _, want := range []string{"stdlib", "5.00 M/s", "1.00×", "100%", "skipped   avx512 (no AVX-512)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestByDepth(t *testing.T) {
	if got := byDepth(map[int]int{2: 3, 1: 40, 10: 1}); got != " (by depth: 1: 40, 2: 3, 10: 1)" {
		t.Errorf("%q", got)
	}
	if got := byDepth(map[int]int{1: 4}); got != "" {
		t.Errorf("one depth: %q (the deepest says it all)", got)
	}
}

// A real network with relays names them in the header and on their line.
func TestRenderNetRelays(t *testing.T) {
	var out bytes.Buffer
	RenderNet(IO{Out: &out}, &results.Net{Stopped: "blocks", Converged: true,
		Nodes:  []results.NetNode{{ID: 1, Spec: "1M", RateCap: 1e6}, {ID: 2, Spec: "1M", RateCap: 1e6}},
		Relays: &results.NetRelays{Count: 3, Reorgs: 2, Reorged: 1, DeepestReorg: 1}})
	for _, want := range []string{"5 nodes (2 mining)", "relays    3 nodes: 2 reorgs on 1 of them"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
