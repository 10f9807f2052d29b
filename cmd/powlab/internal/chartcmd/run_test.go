package chartcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/root"
	"github.com/powlab/powlab/miner"
	"github.com/powlab/powlab/results"
)

func run(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = root.Run(ctx, cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, args)
	return code, out.String(), errb.String()
}

// checkFigure fails unless path is a non-empty PNG that decodes or an SVG
// that parses as XML.
func checkFigure(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Fatalf("figure %s: %v (%d bytes)", path, err, len(b))
	}
	if strings.HasSuffix(path, ".png") {
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

func onlyRecord(t *testing.T, dir, kind string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, kind+"-*.json"))
	if len(m) != 1 {
		t.Fatalf("%d %s records in %s", len(m), kind, dir)
	}
	return m[0]
}

func TestChartAttempts(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "attempts.png")
	code, stdout, stderr := run(t, context.Background(), "chart", "attempts", "--prefix", "1..2", "--trials", "12", "--workers", "2",
		"--seed", "3", "--json", "--out", out, "--record-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec struct {
		Kind   string
		Points []map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != "attempts" || len(rec.Points) != 2 {
		t.Fatalf("record %+v", rec)
	}
	for _, p := range rec.Points {
		for _, k := range []string{"difficulty", "trials", "mean_attempts", "expected_attempts", "ci_low", "ci_high", "ks_d", "median_attempts"} {
			if _, ok := p[k]; !ok {
				t.Errorf("point lacks %q", k)
			}
		}
	}
	if rec.Points[1]["expected_attempts"].(float64) != 256 || rec.Points[0]["trials"].(float64) != 12 {
		t.Fatalf("points %v", rec.Points)
	}
	checkFigure(t, out)
	checkFigure(t, filepath.Join(dir, "attempts-seconds.png"))
	saved := onlyRecord(t, dir, "attempts")

	// Redraw from the record, as SVG, with the table.
	again := filepath.Join(dir, "again.svg")
	code, stdout, stderr = run(t, context.Background(), "chart", "attempts", "--from", saved, "--out", again)
	if code != 0 {
		t.Fatalf("--from: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"difficulty", "95% CI of mean", "theory mean", "KS D", "256.0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	checkFigure(t, again)
	checkFigure(t, filepath.Join(dir, "again-seconds.svg"))
}

func TestChartHashrateAndBlockTime(t *testing.T) {
	dir := t.TempDir()
	hr := filepath.Join(dir, "hashrate.svg")
	code, _, stderr := run(t, context.Background(), "chart", "hashrate", "--kernel", "stdlib", "--workers", "1", "--duration", "20ms",
		"--out", hr, "--record-dir", dir)
	if code != 0 {
		t.Fatalf("hashrate: exit %d: %s", code, stderr)
	}
	checkFigure(t, hr)
	hr2 := filepath.Join(dir, "hashrate2.png")
	if code, _, stderr = run(t, context.Background(), "chart", "hashrate", "--from", onlyRecord(t, dir, "bench"), "--out", hr2); code != 0 {
		t.Fatalf("hashrate --from: exit %d: %s", code, stderr)
	}
	checkFigure(t, hr2)

	bt := filepath.Join(dir, "blocktime.svg")
	code, stdout, stderr := run(t, context.Background(), "chart", "blocktime", "--file", "testdata/tutorial_chain.json", "--out", bt, "--record-dir", dir)
	if code != 0 {
		t.Fatalf("blocktime: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "40 blocks") || !strings.Contains(stdout, "intervals  39") {
		t.Fatalf("blocktime table:\n%s", stdout)
	}
	checkFigure(t, bt)
	bt2 := filepath.Join(dir, "blocktime2.svg")
	code, stdout, stderr = run(t, context.Background(), "chart", "blocktime", "--from", onlyRecord(t, dir, "blocktime"), "--out", bt2, "--json")
	if code != 0 {
		t.Fatalf("blocktime --from: exit %d: %s", code, stderr)
	}
	var rec results.BlockTime
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil || len(rec.Blocks) != 40 || rec.Blocks[1].IntervalSeconds <= 0 {
		t.Fatalf("blocktime JSON: %v, %d blocks", err, len(rec.Blocks))
	}
	checkFigure(t, bt2)
}

func TestChartErrors(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "x.svg")
	tests := []struct {
		name   string
		args   []string
		code   int
		errHas string
	}{
		{"no subcommand", []string{"chart"}, 2, "needs a subcommand"},
		{"backwards range", []string{"chart", "attempts", "--prefix", "6..1", "--out", svg}, 2, "runs backwards"},
		{"bad range", []string{"chart", "attempts", "--bits", "4..x", "--out", svg}, 2, `"x" is not a whole number`},
		{"range too big", []string{"chart", "attempts", "--prefix", "1..20", "--out", svg}, 2, "out of range; difficulties go from 1 to 15"},
		{"both scales", []string{"chart", "attempts", "--prefix", "1", "--bits", "4", "--out", svg}, 2, "not both"},
		{"zero trials", []string{"chart", "attempts", "--trials", "0", "--out", svg}, 2, "--trials 0"},
		{"bad kernel", []string{"chart", "attempts", "--kernel", "warp9", "--out", svg}, 2, "unknown kernel"},
		{"bad out", []string{"chart", "attempts", "--out", filepath.Join(dir, "x.gif")}, 2, ".png or .svg"},
		{"too long", []string{"chart", "attempts", "--prefix", "12", "--trials", "2", "--out", svg, "--no-save"}, 2, "--force"},
		{"from a text file", []string{"chart", "attempts", "--from", "testdata/not_a_record.txt", "--out", svg}, 1, "not a powlab record"},
		{"from a JSON non-record", []string{"chart", "hashrate", "--from", "testdata/not_a_record.json", "--out", svg}, 1, "not a powlab record"},
		{"from a missing file", []string{"chart", "blocktime", "--from", filepath.Join(dir, "nope.json"), "--out", svg}, 1, "no such file"},
		{"from with experiment flags", []string{"chart", "attempts", "--from", "x.json", "--trials", "3", "--out", svg}, 2, "--trials would change the experiment"},
		{"blocktime two sources", []string{"chart", "blocktime", "--file", "a.json", "--data", "d", "--out", svg}, 2, "give one of"},
		{"blocktime empty data dir", []string{"chart", "blocktime", "--data", dir, "--out", svg}, 1, "no chain in " + dir},
		{"blocktime prefix with data", []string{"chart", "blocktime", "--data", dir, "--prefix", "00", "--out", svg}, 2, "--prefix applies to --file only"},
		{"blocktime bad file", []string{"chart", "blocktime", "--file", "testdata/not_a_record.json", "--out", svg, "--no-save"}, 1, `no "chain" array`},
		{"hashrate bad duration", []string{"chart", "hashrate", "--duration", "1ns", "--out", svg}, 2, "--duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, context.Background(), tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.errHas) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", code, stderr, tc.code, tc.errHas)
			}
		})
	}
}

// A wrong-kind record is a clear error too.
func TestChartFromWrongKind(t *testing.T) {
	dir := t.TempDir()
	bt := filepath.Join(dir, "b.svg")
	if code, _, stderr := run(t, context.Background(), "chart", "blocktime", "--file", "testdata/tutorial_chain.json", "--out", bt, "--record-dir", dir); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := run(t, context.Background(), "chart", "attempts", "--from", onlyRecord(t, dir, "blocktime"), "--out", bt)
	if code != 1 || !strings.Contains(stderr, `it is a "blocktime" record, want "attempts"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// Interrupted before any trial finished: exit 130, nothing drawn.
func TestChartAttemptsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	code, _, stderr := run(t, ctx, "chart", "attempts", "--prefix", "1", "--trials", "3", "--out", filepath.Join(dir, "a.svg"), "--record-dir", dir)
	if code != cmdutil.ExitCanceled || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestChartBlockTimeFromStore(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	target, _ := miner.ZeroBitsTarget(4)
	every := uint64(3)
	c, err := chain.Open(ctx, data, chain.Options{Rules: chain.RulesPowlab, Target: target, RetargetInterval: &every, BlockTime: 5 * time.Second, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		now = now.Add(time.Second)
		if _, err := c.Mine(ctx, chain.MineOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(chain.EnvDataDir, data) // the default --data
	dir := t.TempDir()
	out := filepath.Join(dir, "bt.svg")
	code, stdout, stderr := run(t, ctx, "chart", "blocktime", "--out", out, "--record-dir", dir, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec results.BlockTime
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil || len(rec.Blocks) != 9 || rec.TargetIntervalSeconds != 5 {
		t.Fatalf("%v: %+v", err, rec)
	}
	if rec.Blocks[len(rec.Blocks)-1].Difficulty <= rec.Blocks[1].Difficulty {
		t.Fatalf("difficulty did not rise: %+v", rec.Blocks)
	}
	checkFigure(t, out)
}
