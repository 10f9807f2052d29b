package minecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func TestFlagsToOptions(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want MineOptions
	}{
		{"defaults", nil, MineOptions{Blocks: 1, Kernel: "auto"}},
		{"tutorial", []string{"--blocks", "3", "--rules", "tutorial", "--prefix", "0000", "--data", "/d", "-w", "2"},
			MineOptions{Blocks: 3, Kernel: "auto", Data: "/d", Workers: 2}},
		{"json until stopped", []string{"-n", "0", "--json", "--bits", "12", "--kernel", "generic"}, MineOptions{Blocks: 0, Kernel: "generic", JSON: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdMine, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			if got.Blocks != tc.want.Blocks || got.Kernel != tc.want.Kernel || got.Data != tc.want.Data ||
				got.Workers != tc.want.Workers || got.JSON != tc.want.JSON {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func run(t *testing.T, o *MineOptions) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	o.IO = cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	if o.Kernel == "" {
		o.Kernel = "auto"
	}
	err := runMine(context.Background(), o)
	return out.String(), errb.String(), err
}

func TestMineTutorialProofs(t *testing.T) {
	o := &MineOptions{Data: t.TempDir(), Blocks: 3, Workers: 2}
	o.Chain.Rules = chain.RulesTutorial
	o.Chain.Target.Prefix = "0000"
	out, errs, err := run(t, o)
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	for _, p := range []string{"proof 35293 ", "proof 35089 ", "proof 119678 "} {
		if !strings.Contains(out, p) {
			t.Fatalf("output lacks %q:\n%s", p, out)
		}
	}
	if !strings.Contains(errs, "tutorial rules, prefix 0000") {
		t.Fatalf("stderr does not describe the chain: %s", errs)
	}
}

func TestMineJSONAndMismatch(t *testing.T) {
	dir := t.TempDir()
	o := &MineOptions{Data: dir, Blocks: 2, Workers: 1, JSON: true}
	o.Chain.Target.Bits = "8"
	out, errs, err := run(t, o)
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %s", len(lines), out)
	}
	var bl BlockLine
	if err := json.Unmarshal([]byte(lines[1]), &bl); err != nil {
		t.Fatal(err)
	}
	if bl.Height != 3 || bl.Rules != chain.RulesPowlab || bl.Target != "bits 8" || bl.Attempts == 0 || len(bl.Hash) != 64 {
		t.Fatalf("line %+v", bl)
	}

	o2 := &MineOptions{Data: dir, Blocks: 1}
	o2.Chain.Rules = chain.RulesTutorial
	_, _, err = run(t, o2)
	if !errors.Is(err, chain.ErrParamsMismatch) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("mismatch: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestMineBadFlags(t *testing.T) {
	tests := []struct {
		name string
		o    MineOptions
		want string
	}{
		{"negative blocks", MineOptions{Blocks: -1}, "--blocks"},
		{"bad rules", MineOptions{Blocks: 1, Chain: cmdutil.ChainFlags{Rules: "litecoin"}}, "--rules"},
		{"bad kernel", MineOptions{Blocks: 1, Kernel: "warp9"}, "unknown kernel"},
		{"bad reward", MineOptions{Blocks: 1, Chain: cmdutil.ChainFlags{Reward: "-1"}}, "--reward"},
		{"non-zero prefix under powlab", MineOptions{Blocks: 1, Chain: cmdutil.ChainFlags{Rules: "powlab", Target: targetPrefix("00001111")}}, "bound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Data = t.TempDir()
			_, _, err := run(t, &o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Fatalf("got %v (exit %d), want a usage error about %s", err, cmdutil.ExitCode(err), tc.want)
			}
		})
	}
}

func TestMineCancelKeepsBlocks(t *testing.T) {
	dir := t.TempDir()
	o := &MineOptions{Data: dir, Blocks: 2, Workers: 1}
	o.Chain.Target.Bits = "8"
	if _, _, err := run(t, o); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errb bytes.Buffer
	o = &MineOptions{Data: dir, Blocks: 0, Workers: 1, Kernel: "auto", IO: cmdutil.IO{Out: &bytes.Buffer{}, ErrOut: &errb}}
	err := runMine(ctx, o)
	if cmdutil.ExitCode(err) != cmdutil.ExitCanceled || !strings.Contains(errb.String(), "chain height 3 kept") {
		t.Fatalf("cancel: %v, %s", err, errb.String())
	}
}

func targetPrefix(p string) (f cmdutil.TargetFlags) {
	f.Prefix = p
	return f
}
