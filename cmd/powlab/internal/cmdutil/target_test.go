package cmdutil

import (
	"errors"
	"testing"

	"github.com/spf13/pflag"

	"github.com/powlab/powlab/miner"
)

func TestTargetFlags(t *testing.T) {
	def := miner.MustPrefix("0000")
	tests := []struct {
		name string
		f    TargetFlags
		want string
		err  bool
	}{
		{"default", TargetFlags{}, "prefix 0000", false},
		{"prefix", TargetFlags{Prefix: "ABC"}, "prefix abc", false},
		{"suffix", TargetFlags{Suffix: "01010"}, "suffix 01010", false},
		{"bits", TargetFlags{Bits: "20"}, "bits 20", false},
		{"threshold", TargetFlags{Threshold: "0x00ff"}, "threshold " + "00000000000000000000000000000000000000000000000000000000000000ff", false},
		{"two", TargetFlags{Prefix: "0", Bits: "2"}, "", true},
		{"bad prefix", TargetFlags{Prefix: "00g"}, "", true},
		{"bad bits", TargetFlags{Bits: "300"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f.Parse(def)
			if (err != nil) != tc.err {
				t.Fatalf("err %v", err)
			}
			if err != nil {
				if ExitCode(err) != ExitUsage || !errors.Is(err, miner.ErrBadTarget) {
					t.Fatalf("err %v: want a usage error wrapping ErrBadTarget", err)
				}
				return
			}
			if got.String() != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if tc.f.Set() != (tc.name != "default") {
				t.Fatalf("Set() = %v", tc.f.Set())
			}
		})
	}
}

func TestAddTargetFlags(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	var f TargetFlags
	AddTargetFlags(fs, &f, " (default 000000)")
	if err := fs.Parse([]string{"--bits", "12", "--suffix", "0a"}); err != nil {
		t.Fatal(err)
	}
	if f != (TargetFlags{Bits: "12", Suffix: "0a"}) {
		t.Fatalf("%+v", f)
	}
	if u := fs.Lookup("prefix").Usage; u != "hex pattern the digest must start with, e.g. 000000 or 00001111 (default 000000)" {
		t.Fatalf("--prefix help %q", u)
	}
}
