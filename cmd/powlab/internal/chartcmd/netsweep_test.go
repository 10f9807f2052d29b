package chartcmd_test

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// chart stale: JSON with the documented point fields, a record, a figure,
// and the same table again from --from.
func TestChartStale(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "stale.svg")
	code, stdout, stderr := run(t, context.Background(), "chart", "stale", "--ratios", "0.01,0.1", "--miners", "5", "--blocks", "3000",
		"--json", "--out", out, "--record-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec struct {
		Simulated bool `json:"simulated"`
		Points    []struct {
			DelayRatio *float64 `json:"delay_ratio"`
			StaleRate  *float64 `json:"stale_rate"`
			StaleLow   *float64 `json:"stale_low"`
			StaleHigh  *float64 `json:"stale_high"`
			Theory     *float64 `json:"theory"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil || !rec.Simulated || len(rec.Points) != 2 {
		t.Fatalf("%v: %s", err, stdout)
	}
	for _, p := range rec.Points {
		if p.DelayRatio == nil || p.StaleRate == nil || p.StaleLow == nil || p.StaleHigh == nil || p.Theory == nil {
			t.Fatalf("point fields missing: %s", stdout)
		}
		if !(*p.StaleLow <= *p.StaleRate && *p.StaleRate <= *p.StaleHigh) || math.Abs(*p.Theory+math.Expm1(-*p.DelayRatio)) > 1e-12 {
			t.Errorf("point %v %v %v %v %v", *p.DelayRatio, *p.StaleLow, *p.StaleRate, *p.StaleHigh, *p.Theory)
		}
		// 5 miners: (1 − 1/5) of the formula to first order; loose bounds.
		if r := *p.StaleRate / *p.Theory; r < 0.5 || r > 1.2 {
			t.Errorf("τ/T %g: stale %g is %.2f of the theory", *p.DelayRatio, *p.StaleRate, r)
		}
	}
	checkFigure(t, out)
	code, stdout, stderr = run(t, context.Background(), "chart", "stale", "--from", onlyRecord(t, dir, "stale"), "--out", out)
	if code != 0 || !strings.Contains(stdout, "5 equal miners") || !strings.Contains(stdout, "Decker") {
		t.Fatalf("redraw: exit %d, %s %s", code, stdout, stderr)
	}
}

func TestChartSelfish(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "selfish.png")
	code, stdout, stderr := run(t, context.Background(), "chart", "selfish", "--alphas", "0.2,0.4", "--gammas", "0,1", "--blocks", "4000",
		"--json", "--out", out, "--no-save")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec struct {
		Points []struct {
			Alpha       float64  `json:"alpha"`
			Gamma       float64  `json:"gamma"`
			Revenue     *float64 `json:"revenue"`
			RevenueLow  *float64 `json:"revenue_low"`
			RevenueHigh *float64 `json:"revenue_high"`
			Theory      *float64 `json:"theory"`
		} `json:"points"`
		Thresholds []struct{ Gamma, Alpha float64 } `json:"thresholds"`
	}
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil || len(rec.Points) != 4 || len(rec.Thresholds) != 2 {
		t.Fatalf("%v: %s", err, stdout)
	}
	for _, p := range rec.Points {
		if p.Revenue == nil || p.RevenueLow == nil || p.RevenueHigh == nil || p.Theory == nil {
			t.Fatalf("point fields missing: %s", stdout)
		}
		if math.Abs(*p.Revenue-*p.Theory) > 0.06 || !(*p.RevenueLow < *p.Revenue && *p.Revenue < *p.RevenueHigh) {
			t.Errorf("α %g γ %g: revenue %g (%g..%g), theory %g", p.Alpha, p.Gamma, *p.Revenue, *p.RevenueLow, *p.RevenueHigh, *p.Theory)
		}
	}
	checkFigure(t, out)
}

func TestChartSweepErrors(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "x.svg")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		errHas string
	}{
		{"stale ratio zero", []string{"chart", "stale", "--ratios", "0,0.1", "--out", svg}, 2, "out of range"},
		{"stale ratio word", []string{"chart", "stale", "--ratios", "fast", "--out", svg}, 2, "not a number"},
		{"stale one miner", []string{"chart", "stale", "--miners", "1", "--out", svg}, 2, "--miners"},
		{"stale few blocks", []string{"chart", "stale", "--blocks", "10", "--out", svg}, 2, "--blocks"},
		{"stale from with flags", []string{"chart", "stale", "--from", "x.json", "--miners", "3", "--out", svg}, 2, "--miners would change"},
		{"stale rate without real", []string{"chart", "stale", "--rate", "5000", "--out", svg}, 2, "needs --real"},
		{"stale real ratio", []string{"chart", "stale", "--real", "--ratios", "3", "--out", svg}, 2, "out of range"},
		{"stale real blocks", []string{"chart", "stale", "--real", "--blocks", "5", "--out", svg}, 2, "--blocks 5"},
		{"stale real miners", []string{"chart", "stale", "--real", "--miners", "200", "--out", svg}, 2, "--miners 200"},
		{"stale real rate", []string{"chart", "stale", "--real", "--rate", "10", "--out", svg}, 2, "--rate 10"},
		{"selfish alpha half", []string{"chart", "selfish", "--alphas", "0.5", "--out", svg}, 2, "out of range"},
		{"selfish gamma", []string{"chart", "selfish", "--gammas", "1.5", "--out", svg}, 2, "out of range"},
		{"selfish wrong kind", []string{"chart", "selfish", "--from", "testdata/not_a_record.json", "--out", svg}, 1, "not a powlab record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, context.Background(), tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.errHas) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", code, stderr, tc.code, tc.errHas)
			}
		})
	}
}

// Interrupted before the first point: exit 130.
func TestChartStaleCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := run(t, ctx, "chart", "stale", "--blocks", "1000000", "--out", filepath.Join(t.TempDir(), "s.svg"), "--no-save")
	if code != cmdutil.ExitCanceled {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// chart stale --real: a tiny sweep of real nodes, marked real in the record
// and the table.
func TestChartStaleReal(t *testing.T) {
	if testing.Short() {
		t.Skip("mines real blocks")
	}
	dir := t.TempDir()
	code, stdout, stderr := run(t, context.Background(), "chart", "stale", "--real", "--ratios", "0.1", "--miners", "2", "--blocks", "10",
		"--rate", "40000", "--out", filepath.Join(dir, "s.png"), "--no-save")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "real nodes, 2 equal miners") || !strings.Contains(stdout, "50.0 ms") {
		t.Fatalf("table:\n%s", stdout)
	}
}
