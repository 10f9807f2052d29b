package cmdutil

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/powlab/powlab/results"
)

var testRecordOptions = RecordFlagOptions{Out: "x.png", From: "a saved blocktime record", Kind: results.KindBlockTime}

// parseRecordFlags binds the record flags and --seed (an experiment flag)
// to a new flag set and parses argv.
func parseRecordFlags(t *testing.T, o RecordFlagOptions, argv ...string) (*pflag.FlagSet, *RecordFlags) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	r := &RecordFlags{}
	AddRecordFlags(fs, r, o)
	fs.Uint64("seed", 1, "an experiment flag")
	fs.Uint64("trials", 1, "another experiment flag")
	if err := fs.Parse(argv); err != nil {
		t.Fatal(err)
	}
	return fs, r
}

func TestAddRecordFlags(t *testing.T) {
	tests := []struct {
		name    string
		o       RecordFlagOptions
		argv    []string
		want    RecordFlags
		absent  []string
		fromHas string
	}{
		{"defaults", testRecordOptions, nil, RecordFlags{Out: "x.png", RecordDir: results.DefaultDir}, nil, "redraw a saved blocktime record instead of running"},
		{"all set", testRecordOptions, []string{"-o", "a.svg", "--json", "--from", "r.json", "--record-dir", "d", "--no-save"},
			RecordFlags{Out: "a.svg", JSON: true, From: "r.json", RecordDir: "d", NoSave: true}, nil, ""},
		{"redraw only", RecordFlagOptions{Out: "n.png", From: "a saved net record", RedrawOnly: true, Maker: "powlab net"}, []string{"--from", "n.json"},
			RecordFlags{Out: "n.png", From: "n.json"}, []string{"record-dir", "no-save"}, "redraw a saved net record (required; powlab net writes one)"},
		{"instead", RecordFlagOptions{Out: "b.png", From: "a saved blocktime record", Instead: "reading a chain"}, nil,
			RecordFlags{Out: "b.png", RecordDir: results.DefaultDir}, nil, "instead of reading a chain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, r := parseRecordFlags(t, tc.o, tc.argv...)
			if *r != tc.want {
				t.Fatalf("got %+v, want %+v", *r, tc.want)
			}
			for _, n := range tc.absent {
				if fs.Lookup(n) != nil {
					t.Errorf("--%s is bound", n)
				}
			}
			if got := fs.Lookup("from").Usage; !strings.Contains(got, tc.fromHas) {
				t.Errorf("--from help %q lacks %q", got, tc.fromHas)
			}
			if fs.ShorthandLookup("o") == nil {
				t.Error("no -o")
			}
		})
	}
}

func TestRecordFlagsCheck(t *testing.T) {
	tests := []struct {
		name   string
		argv   []string
		errHas []string // empty: no error
	}{
		{"run", []string{"--seed", "3"}, nil},
		{"from alone", []string{"--from", "r.json"}, nil},
		{"from with an experiment flag", []string{"--from", "r.json", "--seed", "3"}, []string{"--seed would change the experiment", "--from"}},
		{"from with two", []string{"--from", "r.json", "--seed", "3", "--trials", "2"}, []string{"--seed, --trials would change"}},
		{"from with output flags", []string{"--from", "r.json", "--json", "--out", "a.svg"}, nil},
		{"bad out", []string{"--out", "a.gif"}, []string{"--out", "a.gif", ".png or .svg"}},
		{"bad out with from", []string{"--from", "r.json", "--out", "a"}, []string{"--out"}},
		{"upper-case extension", []string{"--out", "A.SVG"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, r := parseRecordFlags(t, testRecordOptions, tc.argv...)
			err := r.Check(fs, "seed", "trials")
			if len(tc.errHas) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if ExitCode(err) != ExitUsage {
				t.Fatalf("err %v: exit %d, want a usage error", err, ExitCode(err))
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	// Options built without a command (nil flag set) skip the conflict check.
	if err := RejectWithFrom(nil, "seed"); err != nil {
		t.Fatal(err)
	}
}

func TestRedraw(t *testing.T) {
	dir := t.TempDir()
	good, err := results.Write(dir, &results.BlockTime{Header: results.NewHeader(results.KindBlockTime, nil), Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(dir, "net.json")
	if err := results.WriteFile(wrong, &results.Net{Header: results.NewHeader(results.KindNet, nil)}); err != nil {
		t.Fatal(err)
	}
	notRecord := filepath.Join(dir, "not.json")
	if err := os.WriteFile(notRecord, []byte(`{"a": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	o := RecordFlagOptions{Out: "x.png", From: "a saved blocktime record", Kind: results.KindBlockTime, RedrawOnly: true, Maker: "powlab chart blocktime"}
	tests := []struct {
		name   string
		r      RecordFlags
		code   int
		errHas []string
		outHas string
	}{
		{"table", RecordFlags{From: good, Out: filepath.Join(dir, "a.svg")}, ExitOK, nil, "table from test"},
		{"json", RecordFlags{From: good, Out: filepath.Join(dir, "b.svg"), JSON: true}, ExitOK, nil, `"source": "test"`},
		{"no from", RecordFlags{Out: "x.svg"}, ExitUsage, []string{"--from", "powlab chart blocktime"}, ""},
		{"bad out", RecordFlags{From: good, Out: "x.gif"}, ExitUsage, []string{"--out"}, ""},
		{"wrong kind", RecordFlags{From: wrong, Out: filepath.Join(dir, "c.svg")}, ExitError, []string{"--from " + wrong, `"net" record, want "blocktime"`}, ""},
		{"not a record", RecordFlags{From: notRecord, Out: filepath.Join(dir, "d.svg")}, ExitError, []string{"--from " + notRecord, "not a powlab record"}, ""},
		{"missing", RecordFlags{From: filepath.Join(dir, "none.json"), Out: filepath.Join(dir, "e.svg")}, ExitError, []string{"--from", "none.json"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			drawn := ""
			draw := func(rec *results.BlockTime, path string) error {
				drawn = path
				return nil
			}
			render := func(io IO, rec *results.BlockTime) { io.Out.Write([]byte("table from " + rec.Source)) }
			err := Redraw(IO{Out: &out, ErrOut: &errb}, tc.r, o, &results.BlockTime{}, render, draw)
			if code := ExitCode(err); code != tc.code {
				t.Fatalf("exit %d (%v), want %d", code, err, tc.code)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if err != nil {
				if drawn != "" || out.Len() > 0 {
					t.Errorf("drew %q, printed %q after an error", drawn, out.String())
				}
				return
			}
			if drawn != tc.r.Out || !strings.Contains(out.String(), tc.outHas) || errb.String() != "chart written to "+tc.r.Out+"\n" {
				t.Fatalf("drew %q, stdout %q, stderr %q", drawn, out.String(), errb.String())
			}
		})
	}
}

func TestSaveAndReport(t *testing.T) {
	dir := t.TempDir()
	rec := &results.BlockTime{Header: results.NewHeader(results.KindBlockTime, nil)}
	if p, err := (&RecordFlags{RecordDir: dir, NoSave: true}).Save(rec); p != "" || err != nil {
		t.Fatalf("--no-save: %q, %v", p, err)
	}
	p, err := (&RecordFlags{RecordDir: dir}).Save(rec)
	if err != nil || filepath.Dir(p) != dir {
		t.Fatalf("save: %q, %v", p, err)
	}
	var got results.BlockTime
	if err := ReadFromRecord(p, results.KindBlockTime, &got); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		saved  string
		charts []string
		want   string
	}{
		{"one chart", "", []string{"a.png"}, "chart written to a.png\n"},
		{"saved, two charts", "r.json", []string{"a.png", "a-seconds.png"}, "record written to r.json\ncharts written to a.png and a-seconds.png\n"},
		{"three charts", "", []string{"a", "b", "c"}, "charts written to a, b and c\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			ReportWritten(IO{ErrOut: &b}, tc.saved, tc.charts...)
			if b.String() != tc.want {
				t.Fatalf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}
