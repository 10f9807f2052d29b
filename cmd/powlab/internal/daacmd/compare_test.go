package daacmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/powlab/powlab/results"
)

// netRecord writes a net record of a real run under asert with n blocks
// of exactly T, or without a difficulty algorithm.
func netRecord(t *testing.T, dir string, withDAA bool, n int) string {
	t.Helper()
	rec := &results.Net{Header: results.NewHeader(results.KindNet, nil), TotalRateCap: 1e6, TotalRate: 1e6}
	if withDAA {
		rec.Config.DAA = &results.NetDAA{Name: "asert", HalfLifeSeconds: 5, BlockTimeSeconds: 0.5}
	}
	for h := 1; h <= n; h++ {
		// Solve times 0.25, 0.75, 0.25, ...: mean T.
		at := 0.5*float64(h) + 0.25*float64(h%2)
		rec.Blocks = append(rec.Blocks, results.NetBlock{Height: h, At: at, Difficulty: 5e5})
	}
	path, err := results.Write(dir, rec)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompareTableRecordAndRedraw(t *testing.T) {
	dir := t.TempDir()
	net := netRecord(t, dir, true, 41)
	out := filepath.Join(dir, "cmp.png")
	code, stdout, stderr := run(t, "daa", "compare", net, "--runs", "40", "--record-dir", filepath.Join(dir, "rec"), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"asert, T = 0.5s, half-life 5s", "40 solve times against 40 simulated runs", "mean solve time ÷ T  1.000", "SD of solve time ÷ T", "two-sample KS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	// Solve times alternating 0.5 T and 1.5 T have an SD of 0.5 T, far
	// below the exponential law's: the SD disagrees.
	if !strings.Contains(stdout, "no") {
		t.Errorf("an SD of 0.5 T agreed:\n%s", stdout)
	}
	exists(t, out)
	m, _ := filepath.Glob(filepath.Join(dir, "rec", "daacompare-*.json"))
	if len(m) != 1 {
		t.Fatalf("%d records", len(m))
	}
	code, js, stderr := run(t, "daa", "compare", "--from", m[0], "--json", "--out", filepath.Join(dir, "again.svg"))
	if code != 0 {
		t.Fatalf("redraw: exit %d: %s", code, stderr)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"algo", "real", "sim", "mean_agrees", "sd_agrees", "ks", "ks_p", "real_solvetimes", "sim_means"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("--json lacks %q", k)
		}
	}
	exists(t, filepath.Join(dir, "again.svg"))
}

func TestCompareErrors(t *testing.T) {
	dir := t.TempDir()
	fixed := netRecord(t, dir, false, 41)
	short := netRecord(t, filepath.Join(dir, "short"), true, 5)
	bogus := filepath.Join(dir, "bogus.json")
	os.WriteFile(bogus, []byte("{"), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"daa", "compare"}, 2, "give the record of a powlab net --daa run"},
		{[]string{"daa", "compare", fixed, "--no-save"}, 1, "fixed target"},
		{[]string{"daa", "compare", short, "--no-save"}, 1, "at least"},
		{[]string{"daa", "compare", bogus, "--no-save"}, 1, "bogus.json"},
		{[]string{"daa", "compare", fixed, "--runs", "3", "--no-save"}, 1, ""},
		{[]string{"daa", "compare", "--from", fixed, "--runs", "50"}, 2, "--runs"},
		{[]string{"daa", "compare", "a", "b"}, 2, ""},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
