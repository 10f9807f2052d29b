package infocmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
	"github.com/powlab/powlab/miner/sha256x"
)

func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		json bool
	}{{nil, false}, {[]string{"--json"}, true}} {
		got, err := cmdtest.Options(NewCmdInfo, tc.argv)
		if err != nil {
			t.Fatal(err)
		}
		if got.JSON != tc.json {
			t.Fatalf("%v: JSON = %v", tc.argv, got.JSON)
		}
	}
	if _, err := cmdtest.Options(NewCmdInfo, []string{"extra"}); err == nil {
		t.Fatal("a positional argument was accepted")
	}
}

// TestCollect: every registered kernel of every algorithm is listed, auto
// names an available kernel of that algorithm, and self-tests ran on the
// kernels this CPU runs.
func TestCollect(t *testing.T) {
	inf := Collect()
	for _, a := range sha256x.Algos {
		n := 0
		for _, k := range inf.Kernels {
			if k.Algo != a.String() {
				continue
			}
			n++
			if k.Available && k.SelfTest != "ok" {
				t.Errorf("%s/%s: self-test %q", a, k.Name, k.SelfTest)
			}
			if !k.Available && (k.SelfTest != "not run" || k.Reason == "") {
				t.Errorf("%s/%s unavailable: self-test %q reason %q", a, k.Name, k.SelfTest, k.Reason)
			}
		}
		if n != len(sha256x.For(a)) {
			t.Errorf("%s: %d kernels listed, %d registered", a, n, len(sha256x.For(a)))
		}
		auto := inf.Auto[a.String()]
		k, err := sha256x.ByNameFor(a, auto)
		if err != nil || !k.Available {
			t.Errorf("auto for %s = %q: %v", a, auto, err)
		}
	}
}

func TestRender(t *testing.T) {
	inf := Info{
		Kernels: []KernelInfo{
			{Algo: "sha256", Name: "fast", Lanes: 16, Available: true, SelfTest: "ok", Desc: "a fast one"},
			{Algo: "sha256", Name: "missing", Lanes: 8, Reason: "CPU lacks X", SelfTest: "not run"},
			{Algo: "sha256d", Name: "slow", Lanes: 1, Available: true, SelfTest: "ok", Desc: "a slow one"},
		},
		Auto:  map[string]string{"sha256": "fast", "sha256d": "slow"},
		Notes: map[string]string{"sha256d": "quick failed its self-test; using slow"},
	}
	var out bytes.Buffer
	Render(cmdutil.IO{Out: &out}, inf)
	s := out.String()
	for _, want := range []string{"SHA256 KERNEL", "SHA256D KERNEL", "no: CPU lacks X", "auto picks for sha256: fast", "auto picks for sha256d: slow", "note: quick failed"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "slow") < strings.Index(s, "SHA256D KERNEL") {
		t.Errorf("sha256d kernel listed outside its table:\n%s", s)
	}
}

func TestJSON(t *testing.T) {
	var out bytes.Buffer
	if err := runInfo(context.Background(), &InfoOptions{IO: cmdutil.IO{Out: &out}, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var inf Info
	if err := json.Unmarshal(out.Bytes(), &inf); err != nil {
		t.Fatal(err)
	}
	if inf.Auto["sha256"] == "" || inf.Auto["sha256d"] == "" || inf.Env.CPU == "" && inf.Env.Arch == "" {
		t.Fatalf("json: %s", out.String())
	}
}
