package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rec := &Bench{Header: NewHeader(KindBench, []string{"powlab", "bench"}), Target: "prefix 000000",
		Runs: []BenchRun{{Kernel: "stdlib", Workers: 1, Attempts: 10, Seconds: 1, AttemptsPerSec: 10}}}
	path, err := Write(dir, rec)
	if err != nil {
		t.Fatal(err)
	}
	var got Bench
	if err := Read(path, KindBench, &got); err != nil {
		t.Fatal(err)
	}
	if got.Target != rec.Target || len(got.Runs) != 1 || got.Runs[0] != rec.Runs[0] || got.Env.CPU == "" {
		t.Fatalf("round trip: %+v", got)
	}
	if err := Read(path, KindNet, &got); err == nil || !strings.Contains(err.Error(), `"bench" record`) {
		t.Fatalf("kind mismatch not reported: %v", err)
	}
}

func TestReadRejects(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"garbage.json": "not json",
		"other.json":   `{"schema": "something/v1"}`,
		"newer.json":   `{"schema": "powlab.record/v9", "kind": "bench"}`,
	}
	for name, body := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		var b Bench
		if err := Read(p, "", &b); !errors.Is(err, ErrSchema) {
			t.Errorf("%s: err %v, want ErrSchema", name, err)
		}
	}
	var b Bench
	if err := Read(filepath.Join(dir, "missing.json"), "", &b); err == nil {
		t.Error("missing file accepted")
	}
}
