package cmdutil

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/powlab/powlab/chain/daa"
)

func parseChainFlags(t *testing.T, argv ...string) (*ChainFlags, *pflag.FlagSet) {
	t.Helper()
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	var f ChainFlags
	AddChainFlags(fs, &f)
	if err := fs.Parse(argv); err != nil {
		t.Fatal(err)
	}
	return &f, fs
}

func TestChainFlagsDAA(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	tests := []struct {
		name     string
		argv     []string
		daa      string
		window   *uint64
		halfLife time.Duration
		err      string
	}{
		{"unset", nil, "", nil, 0, ""},
		{"asert", []string{"--daa", "asert", "--half-life", "1h"}, "asert", nil, time.Hour, ""},
		{"window", []string{"--daa", "lwma", "--daa-window", "45"}, "lwma", u(45), 0, ""},
		{"retarget alone", []string{"--retarget", "10"}, "", u(10), 0, ""},
		{"retarget 0 is set", []string{"--retarget", "0"}, "", u(0), 0, ""},
		{"both agreeing", []string{"--retarget", "10", "--daa-window", "10"}, "", u(10), 0, ""},
		{"both differing", []string{"--retarget", "10", "--daa-window", "12"}, "", nil, 0, "same parameter"},
		{"unknown", []string{"--daa", "kgw"}, "", nil, 0, `--daa "kgw": want one of asert, bitcoin`},
		{"tutorial with lwma", []string{"--rules", "tutorial", "--daa", "lwma"}, "", nil, 0, "tutorial rules keep one target"},
		{"tutorial with fixed", []string{"--rules", "tutorial", "--daa", "fixed"}, "fixed", nil, 0, ""},
		{"half-life without asert", []string{"--daa", "ema", "--half-life", "1h"}, "", nil, 0, "--half-life is asert's"},
		{"negative half-life", []string{"--half-life", "-1h"}, "", nil, 0, "--half-life -1h0m0s"},
		{"zero half-life", []string{"--half-life", "0s"}, "", nil, 0, "--half-life 0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := parseChainFlags(t, tc.argv...)
			o, err := f.Options()
			if tc.err != "" {
				var fe *FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want a FlagError with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.DAA != tc.daa || o.HalfLife != tc.halfLife || (o.RetargetInterval == nil) != (tc.window == nil) ||
				(tc.window != nil && *o.RetargetInterval != *tc.window) {
				t.Fatalf("options %+v (window %v)", o, o.RetargetInterval)
			}
		})
	}
	// --daa's help lists every algorithm with its one-line doc.
	_, fs := parseChainFlags(t)
	help := fs.Lookup("daa").Usage
	for _, name := range daa.Names() {
		info, _ := daa.Lookup(name)
		if !strings.Contains(help, name+": "+info.Doc) {
			t.Fatalf("--daa help lacks %s: %s", name, help)
		}
	}
	// Params for a chain outside a store: bitcoin rules with asert drop
	// the 2016-block interval, which asert has no use for.
	f, _ := parseChainFlags(t, "--rules", "bitcoin", "--daa", "asert")
	p, err := f.Params("powlab")
	if err != nil || p.DAAName() != "asert" || p.RetargetInterval != 0 {
		t.Fatalf("params %+v, %v", p, err)
	}
	f, _ = parseChainFlags(t, "--daa", "asert", "--daa-window", "5")
	if _, err := f.Params("powlab"); err == nil || !strings.Contains(err.Error(), "has no window") {
		t.Fatalf("asert with a window: %v", err)
	}
}
