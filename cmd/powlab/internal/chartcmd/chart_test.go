package chartcmd

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []int
		errHas  string
		maxDiff int
	}{
		{"single", "3", []int{3}, "", 15},
		{"range", "1..6", []int{1, 2, 3, 4, 5, 6}, "", 15},
		{"list", "1,2,4", []int{1, 2, 4}, "", 15},
		{"mixed and repeated", "5, 1..3,2", []int{1, 2, 3, 5}, "", 15},
		{"one-wide range", "4..4", []int{4}, "", 15},
		{"backwards", "6..1", nil, "runs backwards; write 1..6", 15},
		{"not a number", "a", nil, `"a" is not a whole number`, 15},
		{"half range", "1..", nil, `"" is not a whole number`, 15},
		{"zero", "0..3", nil, "0 is out of range; difficulties go from 1 to 15", 15},
		{"too big", "1..99", nil, "99 is out of range", 15},
		{"empty", "", nil, "empty", 15},
		{"empty item", "1,,2", nil, "empty item", 15},
		{"three dots", "1...3", nil, "not a whole number", 15},
		{"negative", "-2", nil, "out of range", 15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRange("--prefix", tc.in, 1, tc.maxDiff)
			if tc.errHas != "" {
				var fe *cmdutil.FlagError
				if err == nil || !errors.As(err, &fe) || !bytes.Contains([]byte(err.Error()), []byte(tc.errHas)) {
					t.Fatalf("err %v, want a FlagError containing %q", err, tc.errHas)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestAttemptsFlagsToOptions(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want AttemptsOptions
	}{
		{"defaults", nil, AttemptsOptions{Trials: DefaultTrials, Kernel: "auto", Seed: 1, Budget: DefaultBudget,
			RecordFlags: cmdutil.RecordFlags{Out: DefaultAttemptsOut, RecordDir: "results-out"}}},
		{"brief", []string{"--prefix", "1..6", "--trials", "100", "-w", "2", "--kernel", "stdlib", "--seed", "9", "--out", "docs/a.svg", "--json", "--force", "--budget", "2h"},
			AttemptsOptions{Prefix: "1..6", Trials: 100, Workers: 2, Kernel: "stdlib", Seed: 9, Force: true, Budget: 2 * time.Hour,
				RecordFlags: cmdutil.RecordFlags{Out: "docs/a.svg", JSON: true, RecordDir: "results-out"}}},
		{"bits and from", []string{"--bits", "4..24", "--from", "r.json", "--record-dir", "d", "--no-save"},
			AttemptsOptions{Bits: "4..24", Trials: DefaultTrials, Kernel: "auto", Seed: 1, Budget: DefaultBudget,
				RecordFlags: cmdutil.RecordFlags{From: "r.json", Out: DefaultAttemptsOut, RecordDir: "d", NoSave: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdAttempts, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			g := *got
			g.IO, g.cmd, g.Argv = cmdutil.IO{}, nil, nil
			if !reflect.DeepEqual(g, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", g, tc.want)
			}
		})
	}
}

func TestHashrateAndBlockTimeFlagsToOptions(t *testing.T) {
	var h *HashrateOptions
	hc := NewCmdHashrate(cmdutil.IO{}, func(_ context.Context, o *HashrateOptions) error { h = o; return nil })
	hc.SetArgs([]string{"--from", "b.json", "--out", "h.svg", "--kernel", "stdlib", "-w", "1,2", "--duration", "2s"})
	if err := hc.Execute(); err != nil {
		t.Fatal(err)
	}
	if h.From != "b.json" || h.Out != "h.svg" || h.Kernel != "stdlib" || h.Workers != "1,2" || h.Duration != 2*time.Second {
		t.Fatalf("hashrate options %+v", *h)
	}
	var b *BlockTimeOptions
	bc := NewCmdBlockTime(cmdutil.IO{}, func(_ context.Context, o *BlockTimeOptions) error { b = o; return nil })
	bc.SetArgs([]string{"--file", "chain.json", "--prefix", "000", "--json"})
	if err := bc.Execute(); err != nil {
		t.Fatal(err)
	}
	if b.File != "chain.json" || b.Prefix != "000" || !b.JSON || b.Out != DefaultBlockTimeOut {
		t.Fatalf("blocktime options %+v", *b)
	}
}

func TestNum(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   float64
		want string
	}{
		{"small", 17.74, "17.7"},
		{"just under", 9999.94, "9999.9"},
		{"thousands", 64190, "64.19 k"},
		{"millions", 15.62e6, "15.62 M"},
		{"negative small", -9.12, "-9.1"},
		{"negative large", -2865756.4, "-2.87 M"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := num(tc.in); got != tc.want {
				t.Fatalf("num(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
