package root

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, args)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		errHas string
		outHas string
	}{
		{"unknown verb", []string{"frobnicate"}, 2, "unknown command", ""},
		{"unknown flag", []string{"search", "--nope"}, 2, "unknown flag", ""},
		{"bad hex", []string{"search", "--prefix", "00g0"}, 2, "'g' at position 3 is not a hex digit", ""},
		{"two targets", []string{"search", "--prefix", "0", "--bits", "3"}, 2, "only one of", ""},
		{"bits range", []string{"search", "--bits", "300"}, 2, "between 1 and 256", ""},
		{"bits not a number", []string{"search", "--bits", "x"}, 2, "not a whole number", ""},
		{"step zero", []string{"search", "--step", "0"}, 2, "step must be at least 1", ""},
		{"bad last proof", []string{"search", "--last-proof", "-1"}, 2, "--last-proof", ""},
		{"both messages", []string{"search", "--last-proof", "1", "--message", "x"}, 2, "not both", ""},
		{"bad kernel", []string{"search", "--kernel", "warp9"}, 2, "unknown kernel", ""},
		{"negative workers", []string{"search", "--workers", "-3"}, 2, "--workers", ""},
		{"stray argument", []string{"info", "extra"}, 2, "takes no arguments", ""},
		{"bench bad workers", []string{"bench", "--workers", "1,x"}, 2, "--workers", ""},
		{"bench bad duration", []string{"bench", "--duration", "1ns"}, 2, "--duration", ""},
		{"search ok", []string{"search", "--last-proof", "100", "--prefix", "0000"}, 0, "", "nonce      35293"},
		{"exhausted", []string{"search", "--bits", "40", "--max-attempts", "100"}, 1, "no solution", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, errs)
			}
			if !strings.Contains(errs, tc.errHas) {
				t.Fatalf("stderr %q lacks %q", errs, tc.errHas)
			}
			if !strings.Contains(out, tc.outHas) {
				t.Fatalf("stdout %q lacks %q", out, tc.outHas)
			}
		})
	}
}

func TestSearchJSON(t *testing.T) {
	code, out, errs := run(t, "search", "--step", "11", "--suffix", "000", "--json", "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"nonce", "attempts", "seconds", "attempts_per_sec", "kernel", "workers"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if got["nonce"].(float64) != 114213 {
		t.Fatalf("nonce %v, want 114213 (11 × 10383)", got["nonce"])
	}
}

func TestBenchJSON(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "bench", "--kernel", "stdlib,generic", "--workers", "1,2", "--duration", "30ms", "--bits", "12", "--json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rec struct {
		Schema string
		Runs   []struct {
			Kernel         string  `json:"kernel"`
			Workers        int     `json:"workers"`
			Attempts       uint64  `json:"attempts"`
			Seconds        float64 `json:"seconds"`
			AttemptsPerSec float64 `json:"attempts_per_sec"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Runs) != 4 {
		t.Fatalf("%d runs, want 4", len(rec.Runs))
	}
	for _, r := range rec.Runs {
		if r.Attempts == 0 || r.Seconds <= 0 || r.AttemptsPerSec <= 0 {
			t.Fatalf("empty run %+v", r)
		}
	}
	if !strings.Contains(errs, "record written to "+dir) {
		t.Fatalf("stderr %q does not name the record", errs)
	}
}

func TestInfo(t *testing.T) {
	code, out, _ := run(t, "info")
	if code != 0 || !strings.Contains(out, "auto picks for sha256:") || !strings.Contains(out, "generic") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}
