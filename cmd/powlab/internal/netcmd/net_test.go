package netcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/bench/netlab"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
	"github.com/powlab/powlab/results"
)

func TestFlagsToOptions(t *testing.T) {
	tests := []struct {
		name     string
		argv     []string
		want     NetOptions
		wantArgv []string
	}{
		{"defaults", []string{"--miners", "4M,2M"},
			NetOptions{Miners: "4M,2M", Rules: "powlab", Blocks: 20, Latency: "0", Topology: "mesh", Seed: 1, Out: "results-out", BlockSize: "1MB", Bandwidth: "0"},
			[]string{"--miners=4M,2M"}},
		{"everything", []string{"--miners", "1M,1M,1M", "--rules", "tutorial", "--prefix", "0000", "--duration", "30s",
			"--latency", "20ms..80ms", "--topology", "ring", "--partition", "2@5s..10s", "--seed", "7", "--spawn", "--json",
			"--out", "/tmp/x", "--chart", "c.png", "--no-save"},
			NetOptions{Miners: "1M,1M,1M", Rules: "tutorial", Blocks: 20, Duration: 30 * time.Second, Latency: "20ms..80ms",
				Topology: "ring", TopologySet: true, Partition: "2@5s..10s", Seed: 7, Spawn: true, JSON: true, Out: "/tmp/x", Chart: "c.png", NoSave: true,
				BlockSize: "1MB", Bandwidth: "0", realOnly: []string{"--rules", "--prefix", "--spawn"}},
			nil},
		{"simulation", []string{"--sim", "--miners", "selfish:30%,10x1M", "--nodes", "100", "--topology", "random", "--degree", "5",
			"--block-time", "10m", "--block-size", "2MB", "--bandwidth", "10M", "--validation-delay", "20ms", "--gamma", "0.5"},
			NetOptions{Sim: true, Miners: "selfish:30%,10x1M", Nodes: 100, Topology: "random", TopologySet: true, Degree: 5, BlockTime: 10 * time.Minute,
				BlockSize: "2MB", Bandwidth: "10M", ValidationDelay: 20 * time.Millisecond, Gamma: 0.5, GammaSet: true,
				Rules: "powlab", Blocks: 20, Latency: "0", Seed: 1, Out: "results-out",
				simOnly: []string{"--degree", "--block-size", "--bandwidth", "--validation-delay", "--gamma"}},
			nil},
		{"blocks set", []string{"--miners", "1M,1M", "--blocks", "5", "--bits", "12"},
			NetOptions{Miners: "1M,1M", Rules: "powlab", Blocks: 5, BlocksSet: true, Latency: "0", Topology: "mesh", Seed: 1, Out: "results-out",
				BlockSize: "1MB", Bandwidth: "0", realOnly: []string{"--bits"}},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdNet, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			g := *got
			g.IO, g.Target, g.Argv = cmdutil.IO{}, tc.want.Target, nil
			if !reflect.DeepEqual(g, tc.want) {
				t.Fatalf("got %+v\nwant %+v", g, tc.want)
			}
			if tc.wantArgv != nil && !reflect.DeepEqual(got.Argv, tc.wantArgv) {
				t.Errorf("argv %q, want %q", got.Argv, tc.wantArgv)
			}
		})
	}
}

func TestBadFlagsExit2(t *testing.T) {
	tests := []struct {
		name   string
		argv   []string
		errHas string
	}{
		{"no miners", nil, "--miners"},
		{"one miner", []string{"--miners", "1M"}, "at least 2 miners"},
		{"129 real miners", []string{"--miners", "129x1M"}, "up to 128"},
		{"selfish real", []string{"--miners", "selfish:30%,1M"}, "need --sim"},
		{"nested repetition", []string{"--miners", "2x2x1M"}, "one repetition"},
		{"bad rate", []string{"--miners", "1M,0k"}, "rate"},
		{"bad kernel", []string{"--miners", "warp9x1,1M"}, "warp9"},
		{"bad workers", []string{"--miners", "genericx0,1M"}, "worker count"},
		{"bad rules", []string{"--miners", "1M,1M", "--rules", "litecoin"}, "--rules"},
		{"powlab suffix", []string{"--miners", "1M,1M", "--suffix", "00"}, "powlab rules need"},
		{"bad latency", []string{"--miners", "1M,1M", "--latency", "fast"}, "--latency"},
		{"latency order", []string{"--miners", "1M,1M", "--latency", "2s..1s"}, "--latency"},
		{"bad topology", []string{"--miners", "1M,1M", "--topology", "tree"}, "--topology"},
		{"partition node", []string{"--miners", "1M,1M", "--partition", "3@1s..2s"}, "node must be"},
		{"partition window", []string{"--miners", "1M,1M", "--partition", "1@2s..1s"}, "FROM < TILL"},
		{"no limit", []string{"--miners", "1M,1M", "--blocks", "0"}, "--duration"},
		{"negative blocks", []string{"--miners", "1M,1M", "--blocks", "-1"}, "--blocks"},
		{"unknown flag", []string{"--miners", "1M,1M", "--nope"}, "unknown flag"},
		{"chart format", []string{"--miners", "1M,1M", "--chart", "net.gif"}, "--chart"},
		{"sim flag without sim", []string{"--miners", "1M,1M", "--gamma", "0.5"}, "need --sim"},
		{"partition of a relay out of range", []string{"--miners", "1M,1M", "--nodes", "3", "--partition", "4@1s..2s"}, "node must be"},
		{"random without sim", []string{"--miners", "1M,1M", "--topology", "random"}, "needs --sim"},
		{"block time with bits", []string{"--miners", "1M,1M", "--bits", "20", "--block-time", "2s"}, "--block-time"},
		{"real flag with sim", []string{"--sim", "--miners", "1M,1M", "--bits", "12"}, "not with --sim"},
		{"sim kernel", []string{"--sim", "--miners", "genericx1,1M"}, "real nodes"},
		{"sim default miners, too few nodes", []string{"--sim", "--nodes", "5"}, "from the 10 miners"},
		{"real nodes over 128", []string{"--miners", "1M,1M", "--nodes", "129"}, "--nodes 129"},
		{"real nodes under miners", []string{"--miners", "1M,1M,1M", "--nodes", "2"}, "--nodes 2"},
		{"sim shares over 100", []string{"--sim", "--miners", "60%,50%"}, "add up"},
		{"sim nodes", []string{"--sim", "--miners", "3x1M", "--nodes", "2"}, "--nodes"},
		{"sim degree without random", []string{"--sim", "--miners", "1M,1M", "--degree", "3"}, "--degree"},
		{"sim degree too high", []string{"--sim", "--miners", "1M,1M", "--nodes", "4", "--topology", "random", "--degree", "4"}, "--degree"},
		{"sim big mesh", []string{"--sim", "--miners", "1M,1M", "--nodes", "5000", "--topology", "mesh"}, "random"},
		{"sim gamma", []string{"--sim", "--miners", "1M,1M", "--gamma", "2"}, "--gamma"},
		{"sim bandwidth", []string{"--sim", "--miners", "1M,1M", "--bandwidth", "fast"}, "--bandwidth"},
		{"sim block size", []string{"--sim", "--miners", "1M,1M", "--block-size", "-1"}, "--block-size"},
		{"sim block time", []string{"--sim", "--miners", "1M,1M", "--block-time", "1us"}, "--block-time"},
		{"unknown daa", []string{"--miners", "1M,1M", "--daa", "nope"}, "--daa \"nope\""},
		{"daa window without daa", []string{"--miners", "1M,1M", "--daa-window", "5"}, "need --daa"},
		{"daa under tutorial rules", []string{"--miners", "1M,1M", "--rules", "tutorial", "--daa", "lwma"}, "tutorial rules"},
		{"half-life for lwma", []string{"--miners", "1M,1M", "--daa", "lwma", "--half-life", "5s"}, "half-life"},
		{"daa with sim", []string{"--sim", "--daa", "lwma"}, "not with --sim"},
		{"rate step form", []string{"--miners", "1M,1M", "--rate-step", "100x4"}, "HEIGHT:FACTOR"},
		{"rate step with sim", []string{"--sim", "--rate-step", "10:2"}, "not with --sim"},
		{"like without sim", []string{"--miners", "1M,1M", "--like", "x.json"}, "need --sim"},
		{"like with miners", []string{"--sim", "--like", "x.json", "--miners", "1M,1M", "--latency", "5ms"}, "--like takes the network from the record; --miners, --latency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			cmd := NewCmdNet(cmdutil.IO{Out: &bytes.Buffer{}, ErrOut: &errb}, nil)
			cmd.SetArgs(tc.argv)
			cmd.SetFlagErrorFunc(func(_ *cobraCommand, err error) error { return cmdutil.FlagErrorWrap(err) })
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if code := cmdutil.ExitCode(err); code != 2 {
				t.Fatalf("exit %d (%v), want 2", code, err)
			}
			if !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("error %q lacks %q", err, tc.errHas)
			}
		})
	}
}

// A tiny network end to end: JSON on stdout with the documented names, the
// chart on disk, no record with --no-save.
func TestRunNetJSON(t *testing.T) {
	dir := t.TempDir()
	chart := filepath.Join(dir, "net.png")
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := NewCmdNet(cmdutil.IO{Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs([]string{"--miners", "20k,20k", "--bits", "11", "--blocks", "3", "--json", "--no-save", "--chart", chart, "--latency", "1ms..3ms"})
	if err := cmd.ExecuteContext(ctx); err != nil {
		t.Fatalf("%v (stderr %s)", err, errb.String())
	}
	var rec struct {
		Converged *bool `json:"converged"`
		Nodes     []struct {
			BlocksWon     *int     `json:"blocks_won"`
			HashrateShare *float64 `json:"hashrate_share"`
		} `json:"nodes"`
		Config struct {
			Command []string `json:"command"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
	}
	if rec.Converged == nil || !*rec.Converged || len(rec.Nodes) != 2 {
		t.Fatalf("record: %s", out.String())
	}
	won := 0
	for _, n := range rec.Nodes {
		if n.BlocksWon == nil || n.HashrateShare == nil || *n.HashrateShare != 0.5 {
			t.Fatalf("node fields missing: %s", out.String())
		}
		won += *n.BlocksWon
	}
	if won < 3 {
		t.Errorf("blocks won %d, want >= 3", won)
	}
	if st, err := os.Stat(chart); err != nil || st.Size() == 0 {
		t.Errorf("chart: %v", err)
	}
	if !strings.Contains(errb.String(), "chart written") {
		t.Errorf("stderr %q", errb.String())
	}
}

// `powlab net --sim --nodes N` alone: ten equal miners and, above the
// mesh limit, a random topology of degree 8.
func TestRunSimDefaults(t *testing.T) {
	var out, errb bytes.Buffer
	cmd := NewCmdNet(cmdutil.IO{Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs([]string{"--sim", "--nodes", "1500", "--blocks", "10", "--json", "--no-save", "--chart", filepath.Join(t.TempDir(), "c.svg")})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v (stderr %s)", err, errb.String())
	}
	var rec results.Net
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if c := rec.Config; c.Topology != "random" || c.Degree != 8 || c.Nodes != 1500 || len(rec.Nodes) != 10 || rec.Height < 10 {
		t.Fatalf("topology %s, degree %d, nodes %d, miners %d, height %d", c.Topology, c.Degree, c.Nodes, len(rec.Nodes), rec.Height)
	}
}

// A simulation end to end: the record on stdout marked simulated, a
// selfish miner and relays in it, the chart on disk.
func TestRunSimJSON(t *testing.T) {
	dir := t.TempDir()
	chart := filepath.Join(dir, "sim.svg")
	var out, errb bytes.Buffer
	cmd := NewCmdNet(cmdutil.IO{Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs([]string{"--sim", "--miners", "selfish:25%,3x1M", "--nodes", "40", "--topology", "random", "--degree", "3",
		"--blocks", "300", "--latency", "50ms..500ms", "--gamma", "0.5", "--json", "--no-save", "--chart", chart})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v (stderr %s)", err, errb.String())
	}
	var rec results.Net
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
	}
	if !rec.Simulated || !rec.Converged || rec.Height < 300 || len(rec.Nodes) != 4 || rec.Relays == nil || rec.Relays.Count != 36 ||
		rec.Nodes[0].Strategy != "selfish" || rec.Config.Gamma == nil || rec.Config.Degree != 3 {
		t.Fatalf("record: %s", out.String())
	}
	if st, err := os.Stat(chart); err != nil || st.Size() == 0 {
		t.Errorf("chart: %v", err)
	}
	// The table names the mode and the relays.
	out.Reset()
	cmdutil.RenderNet(cmdutil.IO{Out: &out}, &rec)
	for _, want := range []string{"powlab net --sim: 40 nodes (4 mining)", "selfish", "relays    36 nodes", "spread"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

type cobraCommand = cobra.Command

// --daa sets the nodes' difficulty algorithm, aiming at --block-time (which
// may then come with --bits) or at one block a second.
func TestDAAConfig(t *testing.T) {
	o := &NetOptions{Miners: "1M,1M", Rules: "powlab", Blocks: 10, BlocksSet: true, Latency: "0", Topology: "mesh",
		DAA: "asert", HalfLife: 5 * time.Second, BlockTime: 500 * time.Millisecond}
	o.Target.Bits = "20"
	cfg, err := o.config()
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Difficulty
	if d.DAA != "asert" || d.HalfLife != 5*time.Second || d.BlockTime != 500*time.Millisecond || d.RetargetInterval != nil {
		t.Fatalf("difficulty %+v", d)
	}
	o = &NetOptions{Miners: "1M,1M", Rules: "bitcoin", Blocks: 10, BlocksSet: true, Latency: "0", Topology: "mesh", DAA: "lwma", DAAWindow: 12}
	if cfg, err = o.config(); err != nil {
		t.Fatal(err)
	}
	if d := cfg.Difficulty; d.DAA != "lwma" || d.BlockTime != time.Second || d.RetargetInterval == nil || *d.RetargetInterval != 12 {
		t.Fatalf("difficulty %+v", d)
	}
}

func TestParseRateSteps(t *testing.T) {
	steps, err := parseRateSteps(" 100:4, 200:1 ")
	if err != nil || len(steps) != 2 || steps[0] != (netlab.RateStep{Height: 100, Factor: 4}) || steps[1] != (netlab.RateStep{Height: 200, Factor: 1}) {
		t.Fatalf("%+v %v", steps, err)
	}
	if steps, err := parseRateSteps(""); err != nil || steps != nil {
		t.Fatalf("empty: %+v %v", steps, err)
	}
	for _, bad := range []string{"100", "100:", ":4", "a:4", "100:x", "100:4,"} {
		if _, err := parseRateSteps(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// --sim --like: the simulation of a real run's network, with the
// calibration table; a missing or simulated record is an error.
func TestRunLike(t *testing.T) {
	dir := t.TempDir()
	real := &results.Net{Header: results.NewHeader(results.KindNet, nil), MeanIntervalSeconds: 1, MinedBlocks: 21, StaleBlocks: 1,
		Nodes:  []results.NetNode{{ID: 1, Spec: "2M", BlocksWon: 12}, {ID: 2, Spec: "1M", BlocksWon: 8}},
		Config: results.NetConfig{Miners: []string{"2M", "1M"}, Topology: "mesh", Latency: "50ms", Seed: 1, Links: []results.NetLink{{A: 1, B: 2, LatencySeconds: 0.05}}}}
	path, err := results.Write(dir, real)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd := NewCmdNet(cmdutil.IO{Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs([]string{"--sim", "--like", path, "--blocks", "2000", "--no-save"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	for _, want := range []string{"calibration against the real run", "node 1 (2M)", "60.0% (12/20)", "stale rate", "agrees"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	real.Simulated = true
	sim, _ := results.Write(filepath.Join(dir, "sim"), real)
	for _, bad := range []string{filepath.Join(dir, "missing.json"), sim} {
		cmd := NewCmdNet(cmdutil.IO{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, nil)
		cmd.SetArgs([]string{"--sim", "--like", bad, "--no-save"})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--like") {
			t.Errorf("--like %s: %v", bad, err)
		}
	}
}
