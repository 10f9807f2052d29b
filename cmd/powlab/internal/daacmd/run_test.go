package daacmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/root"
	"github.com/powlab/powlab/results"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = root.Run(context.Background(), cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, args)
	return code, out.String(), errb.String()
}

func exists(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil || st.Size() < 1000 {
		t.Fatalf("chart %s: %v", path, err)
	}
}

func TestSimTableRecordAndRedraw(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sim.svg")
	code, stdout, stderr := run(t, "daa", "sim", "--scenario", "onoff", "--blocks", "2000", "--record-dir", dir, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"onoff: an attacker with 2×", "2000 blocks, T = 10m0s, seed 1", "attacker blocks", "stolen", "difficulty error"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	// One aligned row per algorithm.
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	rows := lines[len(lines)-len(daa.Names()):]
	for i, name := range daa.Names() {
		if f := strings.Fields(rows[i]); f[0] != name || len(rows[i]) != len(rows[0]) {
			t.Errorf("row %d %q: want %s, aligned with %q", i, rows[i], name, rows[0])
		}
	}
	exists(t, out)
	exists(t, filepath.Join(dir, "sim-solvetimes.svg"))
	m, _ := filepath.Glob(filepath.Join(dir, "daasim-*.json"))
	if len(m) != 1 {
		t.Fatalf("%d records in %s", len(m), dir)
	}

	// --from redraws without simulating: the same table, a new chart.
	again := filepath.Join(dir, "again.svg")
	code, redrawn, stderr := run(t, "daa", "sim", "--from", m[0], "--out", again)
	if code != 0 {
		t.Fatalf("--from: exit %d: %s", code, stderr)
	}
	if redrawn != stdout {
		t.Errorf("--from printed\n%s\nthe run printed\n%s", redrawn, stdout)
	}
	exists(t, again)
	exists(t, filepath.Join(dir, "again-solvetimes.svg"))
	// --from with an experiment flag is a usage error naming it.
	code, _, stderr = run(t, "daa", "sim", "--from", m[0], "--blocks", "50", "--out", again)
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "--blocks") {
		t.Errorf("--from with --blocks: exit %d: %s", code, stderr)
	}
	// A record of another kind is refused (exit 1).
	other := filepath.Join(dir, "other.json")
	if err := results.WriteFile(other, &results.Pool{Header: results.NewHeader(results.KindPool, nil)}); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr = run(t, "daa", "sim", "--from", other, "--out", again); code != cmdutil.ExitError || !strings.Contains(stderr, "--from") {
		t.Errorf("--from a pool record: exit %d: %s", code, stderr)
	}
}

func TestSimJSON(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := run(t, "daa", "sim", "--algo", "fixed", "--blocks", "300", "--json", "--no-save", "--window", "fixed=7",
		"--out", filepath.Join(dir, "s.svg"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec struct {
		Kind   string
		Spec   map[string]any
		Algos  []map[string]any
		Series []struct{ Window int }
	}
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != results.KindDAASim || len(rec.Algos) != 1 || rec.Spec["scenario"] != "steady" || rec.Series[0].Window != 7 {
		t.Fatalf("record %+v", rec)
	}
	var keys []string
	for k := range rec.Algos[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"attacker_blocks_pct", "delays_pct", "difficulty_error", "mean_solvetime_ratio", "name", "settle_blocks", "solvetime_sd_ratio", "stolen_pct"}
	if !slices.Equal(keys, want) {
		t.Fatalf("metric keys %v, want %v", keys, want)
	}
	if rec.Algos[0]["stolen_pct"] != nil || rec.Algos[0]["settle_blocks"] != nil || rec.Algos[0]["name"] != "fixed" {
		t.Errorf("fixed in steady: %v", rec.Algos[0])
	}
	exists(t, filepath.Join(dir, "s.svg"))
	exists(t, filepath.Join(dir, "s-solvetimes.svg"))
	if m, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(m) != 0 {
		t.Errorf("--no-save wrote %v", m)
	}
}

func TestSimBadFlagsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--algo", "nope"}, "--algo"},
		{[]string{"--scenario", "wobble"}, "--scenario"},
		{[]string{"--blocks", "5"}, "--blocks"},
		{[]string{"--blocks", "x"}, "--blocks"},
		{[]string{"--block-time", "1ms"}, "--block-time"},
		{[]string{"--step-at", "5"}, "--step-at"},
		{[]string{"--scenario", "step", "--blocks", "100", "--step-at", "200"}, "--step-at"},
		{[]string{"--scenario", "step", "--step-factor", "0"}, "--step-factor"},
		{[]string{"--scenario", "onoff", "--attack-window", "0"}, "--attack-window"},
		{[]string{"--scenario", "ramp", "--ramp-factor", "-1"}, "--ramp-factor"},
		{[]string{"--ramp-factor", "3"}, "--ramp-factor"},
		{[]string{"--out", "chart.pdf"}, "--out"},
		{[]string{"--window", "nope=3"}, "--window"},
		{[]string{"--window", "fixed=0"}, "--window"},
		{[]string{"--window", "fixed"}, "--window"},
		{[]string{"--algo", "dgw", "--window", "dgw=1"}, "--window dgw=1"},
		{[]string{"extra"}, "no arguments"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"daa", "sim", "--no-save", "--out", filepath.Join(t.TempDir(), "x.png")}, tc.args...)...)
			if code != cmdutil.ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr, tc.want)
			}
		})
	}
	if code, _, _ := run(t, "daa"); code != cmdutil.ExitUsage {
		t.Errorf("powlab daa without a subcommand: exit %d", code)
	}
}
