package benchcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
	"github.com/powlab/powlab/results"
)

func TestFlagsToOptions(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want BenchOptions
	}{
		{"defaults", nil, BenchOptions{Algo: "sha256", LastProof: 100, Kernel: "all", Duration: DefaultDuration, Out: results.DefaultDir}},
		{"sha256d sweep", []string{"--algo", "sha256d", "--kernel", "stdlib,generic", "-w", "1,2", "--duration", "5s", "--no-save"},
			BenchOptions{Algo: "sha256d", LastProof: 100, Kernel: "stdlib,generic", Workers: "1,2", Duration: 5 * time.Second, Out: results.DefaultDir, NoSave: true}},
		{"json and target", []string{"--bits", "32", "--json", "--out", "/tmp/x", "--last-proof", "7"},
			BenchOptions{Algo: "sha256", LastProof: 7, Kernel: "all", Duration: DefaultDuration, Out: "/tmp/x", JSON: true, Target: cmdutil.TargetFlags{Bits: "32"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdBench, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			got.IO = cmdutil.IO{}
			if got.Algo != tc.want.Algo || got.LastProof != tc.want.LastProof || got.Kernel != tc.want.Kernel || got.Workers != tc.want.Workers ||
				got.Duration != tc.want.Duration || got.Out != tc.want.Out || got.NoSave != tc.want.NoSave || got.JSON != tc.want.JSON || got.Target != tc.want.Target {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func run(t *testing.T, o *BenchOptions) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	o.IO = cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	if o.Algo == "" {
		o.Algo = "sha256"
	}
	if o.Out == "" {
		o.Out = t.TempDir()
	}
	err := runBench(context.Background(), o)
	return out.String(), errb.String(), err
}

// TestBenchOutput runs a tiny sweep of each algorithm and checks the table,
// the JSON record and the saved file.
func TestBenchOutput(t *testing.T) {
	for _, algo := range []string{"sha256", "sha256d"} {
		t.Run(algo, func(t *testing.T) {
			dir := t.TempDir()
			out, errs, err := run(t, &BenchOptions{Algo: algo, LastProof: 100, Kernel: "stdlib,generic", Workers: "1,2", Duration: 30 * time.Millisecond, Out: dir})
			if err != nil {
				t.Fatalf("%v: %s", err, errs)
			}
			for _, want := range []string{"powlab bench: " + algo, "attempts/s", "vs stdlib×1", "  stdlib        1", " generic        2", "1.00×"} {
				if !strings.Contains(out, want) {
					t.Errorf("table lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errs, "record written to "+dir) {
				t.Errorf("stderr: %s", errs)
			}
			out, _, err = run(t, &BenchOptions{Algo: algo, LastProof: 100, Kernel: "stdlib", Workers: "1", Duration: 30 * time.Millisecond, JSON: true, NoSave: true})
			if err != nil {
				t.Fatal(err)
			}
			var rec results.Bench
			if err := json.Unmarshal([]byte(out), &rec); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if rec.Algo != algo || len(rec.Runs) != 1 || rec.Runs[0].Kernel != "stdlib" || rec.Runs[0].Attempts == 0 {
				t.Fatalf("record %+v", rec)
			}
			if algo == "sha256d" && (!strings.Contains(rec.Target, "00000000ffff") || !strings.HasPrefix(rec.Puzzle, "sha256d(80-byte header")) {
				t.Fatalf("sha256d record: target %s puzzle %s", rec.Target, rec.Puzzle)
			}
		})
	}
}

func TestBenchUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		o    BenchOptions
		want string
	}{
		{"bad algo", BenchOptions{Algo: "scrypt", Duration: time.Second}, "--algo"},
		{"bad kernel", BenchOptions{Kernel: "warp9", Duration: time.Second}, "unknown kernel"},
		{"bad workers", BenchOptions{Workers: "0", Duration: time.Second}, "--workers"},
		{"short duration", BenchOptions{Duration: time.Millisecond}, "--duration"},
		{"two targets", BenchOptions{Duration: time.Second, Target: cmdutil.TargetFlags{Bits: "3", Prefix: "00"}}, "only one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.NoSave = true
			_, _, err := run(t, &o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Fatalf("got %v (exit %d), want a usage error about %q", err, cmdutil.ExitCode(err), tc.want)
			}
		})
	}
}
