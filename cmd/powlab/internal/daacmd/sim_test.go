package daacmd

import (
	"reflect"
	"testing"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func TestSimFlagsToOptions(t *testing.T) {
	defaults := SimOptions{Algo: "all", Scenario: "steady", Blocks: 100000, BlockTime: 10 * time.Minute, Seed: 1,
		StepFactor: 10, AttackHashrate: 2, AttackWindow: 144, RampFactor: 10, Windows: map[string]int64{"powlab": 144},
		RecordFlags: cmdutil.RecordFlags{Out: DefaultSimOut, RecordDir: "results-out"}}
	for _, tc := range []struct {
		name string
		argv []string
		want func(o *SimOptions)
	}{
		{"defaults", nil, func(*SimOptions) {}},
		{"step", []string{"--algo", "fixed", "--scenario", "step", "--blocks", "3000", "--block-time", "1s", "--seed", "7",
			"--step-at", "100", "--step-back", "200", "--step-factor", "4", "--json", "-o", "x.svg", "--no-save", "--record-dir", "d"},
			func(o *SimOptions) {
				o.Algo, o.Scenario, o.Blocks, o.BlockTime, o.Seed = "fixed", "step", 3000, time.Second, 7
				o.StepAt, o.StepBack, o.StepFactor = 100, 200, 4
				o.RecordFlags = cmdutil.RecordFlags{Out: "x.svg", JSON: true, NoSave: true, RecordDir: "d"}
			}},
		{"onoff", []string{"--scenario", "onoff", "--attack-hashrate", "0.5", "--attack-window", "20"},
			func(o *SimOptions) { o.Scenario, o.AttackHashrate, o.AttackWindow = "onoff", 0.5, 20 }},
		{"from", []string{"--from", "r.json"}, func(o *SimOptions) { o.From = "r.json" }},
		{"windows", []string{"--window", "fixed=5,powlab=10"}, func(o *SimOptions) { o.Windows = map[string]int64{"fixed": 5, "powlab": 10} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdSim, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			tc.want(&want)
			g := *got
			g.IO, g.Argv, g.cmd = cmdutil.IO{}, nil, nil
			if !reflect.DeepEqual(g, want) {
				t.Fatalf("got  %+v\nwant %+v", g, want)
			}
		})
	}
}

func TestParseAlgos(t *testing.T) {
	got, err := parseAlgos(" fixed , fixed")
	if err != nil || !reflect.DeepEqual(got, []string{"fixed"}) {
		t.Fatalf("parseAlgos = %v, %v", got, err)
	}
	if _, err := parseAlgos("fixed,nope"); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("unknown algorithm: %v", err)
	}
	if all, _ := parseAlgos("all"); len(all) == 0 {
		t.Fatal("all is empty")
	}
}
