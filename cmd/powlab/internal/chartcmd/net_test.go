package chartcmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/results"
)

func TestChartNet(t *testing.T) {
	dir := t.TempDir()
	rec := &results.Net{
		Header: results.NewHeader(results.KindNet, []string{"powlab", "net"}), Converged: true, Stopped: "blocks", Height: 3,
		Nodes: []results.NetNode{
			{ID: 1, Spec: "2M", RateCap: 2e6, HashrateShare: 2.0 / 3, BlocksWon: 2, BlockShare: 2.0 / 3},
			{ID: 2, Spec: "1M", RateCap: 1e6, HashrateShare: 1.0 / 3, BlocksWon: 1, BlockShare: 1.0 / 3},
		},
		Blocks: []results.NetBlock{{Height: 1, Miner: 1, At: 1}, {Height: 2, Miner: 2, At: 2}, {Height: 3, Miner: 1, At: 3}},
	}
	path, err := results.Write(dir, rec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		argv   []string
		code   int
		errHas string
		outHas string
	}{
		{"png", []string{"--from", path, "--out", filepath.Join(dir, "n.png")}, 0, "chart written", "blocks won"},
		{"svg json", []string{"--from", path, "--out", filepath.Join(dir, "n.svg"), "--json"}, 0, "chart written", `"blocks_won": 2`},
		{"no from", nil, 2, "--from", ""},
		{"bad extension", []string{"--from", path, "--out", "n.gif"}, 2, "--out", ""},
		{"missing record", []string{"--from", filepath.Join(dir, "none.json")}, 1, "--from", ""},
		{"wrong kind", []string{"--from", "testdata/not_a_record.json"}, 1, "--from", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			cmd := NewCmdNet(cmdutil.IO{Out: &out, ErrOut: &errb}, nil)
			cmd.SetArgs(tc.argv)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if code := cmdutil.ExitCode(err); code != tc.code {
				t.Fatalf("exit %d (%v), want %d", code, err, tc.code)
			}
			msg := errb.String()
			if err != nil {
				msg = err.Error()
			}
			if !strings.Contains(msg, tc.errHas) || !strings.Contains(out.String(), tc.outHas) {
				t.Fatalf("stderr/error %q, stdout %q", msg, out.String())
			}
		})
	}
	for _, f := range []string{"n.png", "n.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestChartPool draws a pool record: the table and the chart file.
func TestChartPool(t *testing.T) {
	dir := t.TempDir()
	rec := &results.Pool{Header: results.NewHeader(results.KindPool, nil), Stratum: "127.0.0.1:3333", Params: "bitcoin rules", Seconds: 10}
	for i := 1; i <= 5; i++ {
		rec.Snapshots = append(rec.Snapshots, results.PoolSnapshot{Seconds: float64(2 * i), Workers: []results.PoolWorker{
			{Name: "w1", Accepted: uint64(10 * i), Hashrate: 3e7, HashrateLow: 2e7, HashrateHigh: 4e7, TrueRate: 2.9e7, Difficulty: 0.01},
			{Name: "w2", Accepted: uint64(3 * i), Hashrate: 1e7, HashrateLow: 0.5e7, HashrateHigh: 2e7, Difficulty: 0.005},
		}})
	}
	from := filepath.Join(dir, "pool.json")
	if err := results.WriteFile(from, rec); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pool.png")
	var stdout, stderr bytes.Buffer
	if err := runPool(&PoolOptions{IO: cmdutil.IO{Out: &stdout, ErrOut: &stderr}, RecordFlags: cmdutil.RecordFlags{From: from, Out: out}}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() < 1000 {
		t.Fatalf("chart: %v", err)
	}
	for _, want := range []string{"w1", "w2", "30.00 M/s", "[20.00 M/s, 40.00 M/s]"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}
	if err := runPool(&PoolOptions{IO: cmdutil.IO{Out: &stdout, ErrOut: &stderr}, RecordFlags: cmdutil.RecordFlags{Out: out}}); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("no --from: %v", err)
	}
}
