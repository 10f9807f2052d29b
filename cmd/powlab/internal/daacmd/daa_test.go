package daacmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

const vectors = "../../../../chain/daa/testdata"

// run executes `powlab daa ARGV` and returns stdout and the exit code.
func run(t *testing.T, argv ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	cmd := NewCmdDaa(io)
	cmd.SetArgs(argv)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		out.WriteString("ERROR: " + err.Error() + "\n")
	}
	return out.String(), cmdutil.ExitCode(err)
}

func TestVerifyFlags(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want *VerifyOptions
		fail bool
	}{
		{"files", []string{"--algo", "asert", "a.txt", "b.txt"}, &VerifyOptions{Algo: "asert", Files: []string{"a.txt", "b.txt"}}, false},
		{"json", []string{"--algo", "bitcoin", "--json", "c.json"}, &VerifyOptions{Algo: "bitcoin", Files: []string{"c.json"}, JSON: true}, false},
		{"no files", []string{"--algo", "asert"}, nil, true},
		{"unknown flag", []string{"--nope", "a.txt"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdVerify, tt.argv)
			if tt.fail {
				if err == nil {
					t.Fatalf("no error, options %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO = cmdutil.IO{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVerifyOK(t *testing.T) {
	files, _ := filepath.Glob(vectors + "/asert/run*.txt")
	if len(files) != 12 {
		t.Fatalf("%d runs", len(files))
	}
	out, code := run(t, append([]string{"verify", "--algo", "asert"}, files...)...)
	if code != 0 || strings.Count(out, "rows ok") != 12 || !strings.Contains(out, "run06.txt: 1000 rows ok") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, code = run(t, "verify", "--algo", "bitcoin", vectors+"/bitcoin_cases.json")
	if code != 0 || !strings.Contains(out, "bitcoin_cases.json: 9 rows ok") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, code = run(t, "verify", "--algo", "asert", "--json", files[0], files[5])
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var v FileVerdict
	if err := json.Unmarshal([]byte(lines[1]), &v); err != nil || !v.OK || v.Rows != 1000 || v.Algo != "asert" || v.File != files[5] {
		t.Fatalf("%+v %v", v, err)
	}
}

// TestVerifyMismatch: a doctored copy of run06 fails with exit 1, naming
// the file, the row's line and height, and both bits.
func TestVerifyMismatch(t *testing.T) {
	raw, err := os.ReadFile(vectors + "/asert/run06.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	f := strings.Fields(lines[507]) // line 508: iteration 500
	lines[507] = strings.Join(append(f[:3:3], "0x1d00ffff"), " ")
	path := filepath.Join(t.TempDir(), "run06.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := vectors + "/asert/run01.txt"
	out, code := run(t, "verify", "--algo", "asert", ok, path)
	want := []string{"run01.txt: 10 rows ok", "line 508", "height " + f[1], "expected 0x1d00ffff", "computed " + f[3]}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if t.Failed() {
		t.Log(out)
	}
	out, code = run(t, "verify", "--algo", "asert", "--json", path)
	var v FileVerdict
	if err := json.Unmarshal([]byte(out[:strings.IndexByte(out, '\n')]), &v); err != nil || code != 1 || v.OK || v.Error == nil ||
		v.Error.Kind != "mismatch" || v.Error.Line != 508 || v.Error.Expected != "0x1d00ffff" || v.Error.Computed != f[3] {
		t.Fatalf("exit %d, %+v %+v %v\n%s", code, v, v.Error, err, out)
	}
}

func TestVerifyUnreadable(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.txt")
	os.WriteFile(garbage, []byte("## anchor height: 1\nnot a row\n"), 0o644)
	for _, tt := range []struct {
		name string
		argv []string
		want string
	}{
		{"missing file", []string{"--algo", "asert", filepath.Join(dir, "missing.txt")}, "missing.txt"},
		{"garbage", []string{"--algo", "asert", garbage}, "garbage.txt: unreadable: line 2"},
		{"json for asert", []string{"--algo", "asert", vectors + "/bitcoin_cases.json"}, "unreadable"},
		{"run file for bitcoin", []string{"--algo", "bitcoin", vectors + "/asert/run01.txt"}, "not a JSON list"},
		{"no algo", []string{vectors + "/asert/run01.txt"}, "--algo is required"},
		{"bad algo", []string{"--algo", "lwma", vectors + "/asert/run01.txt"}, `--algo "lwma"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, code := run(t, append([]string{"verify"}, tt.argv...)...)
			if code != 2 || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want 2 with %q:\n%s", code, tt.want, out)
			}
		})
	}
}

func TestParentAndList(t *testing.T) {
	out, code := run(t)
	if code != 2 || !strings.Contains(out, "needs a subcommand: list, verify") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, code = run(t, "list")
	for _, name := range []string{"asert", "bitcoin", "dgw", "ema", "fixed", "lwma", "powlab", "half-life 172800 ticks (288 blocks)", "window 2016 blocks"} {
		if !strings.Contains(out, name) {
			t.Errorf("list lacks %q", name)
		}
	}
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, code = run(t, "list", "--json", "--block-time", "10")
	var list []AlgoInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 7 {
		t.Fatalf("%v exit %d:\n%s", err, code, out)
	}
	if list[0].Name != "asert" || list[0].Defaults.HalfLife != 2880 || list[0].Doc == "" {
		t.Errorf("%+v", list[0])
	}
	if _, code = run(t, "list", "--block-time", "0"); code != 2 {
		t.Errorf("--block-time 0: exit %d", code)
	}
	var fe *cmdutil.FlagError
	_, err := cmdtest.Options(NewCmdList, []string{"extra"})
	if !errors.As(err, &fe) {
		t.Errorf("extra argument: %v", err)
	}
}
