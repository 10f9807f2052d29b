package chaincmd

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
	"github.com/powlab/powlab/miner"
)

func TestFlagsToOptions(t *testing.T) {
	got, err := cmdtest.Options(NewCmdChain, []string{"--data", "/x", "--json"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Data != "/x" || !got.JSON {
		t.Fatalf("got %+v", *got)
	}
}

func TestChainOutput(t *testing.T) {
	dir := t.TempDir()
	c, err := chain.Open(context.Background(), dir, chain.Options{Rules: chain.RulesTutorial, Target: miner.MustPrefix("0")})
	if err != nil {
		t.Fatal(err)
	}
	c.AddTx(chain.Tx{Sender: "José", Recipient: "李四", Amount: chain.Int(5)})
	if _, err := c.Mine(context.Background(), chain.MineOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	want := string(c.ChainJSON()) + "\n"
	c.Close()

	tests := []struct {
		name string
		json bool
		has  []string
	}{
		{"text", false, []string{"tutorial rules, prefix 0", "block 2", `"José" -> "李四"  5`, "prev_hash  1 (genesis)"}},
		{"json", true, []string{`{"chain": [{"index": 1, "prev_hash": 1, "proof": 100,`, `"length": 2}`, `"sender": "Jos\u00e9"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err = runChain(context.Background(), &ChainOptions{Data: dir, JSON: tc.json, IO: cmdutil.IO{Out: &out, ErrOut: &bytes.Buffer{}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tc.has {
				if !strings.Contains(out.String(), h) {
					t.Fatalf("output lacks %q:\n%s", h, out.String())
				}
			}
			if tc.json && out.String() != want {
				t.Fatal("--json differs from ChainJSON")
			}
		})
	}
	err = runChain(context.Background(), &ChainOptions{Data: t.TempDir(), IO: cmdutil.IO{Out: &bytes.Buffer{}}})
	if err == nil || !strings.Contains(err.Error(), "powlab mine") {
		t.Fatalf("empty dir: %v", err)
	}
}

// TestChainHeaders: a bitcoin-rules chain's headers, as --headers prints
// them, pass the header validator under the chain's parameters and hash to
// the chain's blocks; other rules and --json together are usage errors.
func TestChainHeaders(t *testing.T) {
	dir := t.TempDir()
	bits, _ := miner.ZeroBitsTarget(10)
	interval := uint64(4)
	c, err := chain.Open(context.Background(), dir, chain.Options{Rules: chain.RulesBitcoin, Target: bits, RetargetInterval: &interval, BlockTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for range 9 {
		if _, err := c.Mine(context.Background(), chain.MineOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	blocks, r := c.Blocks(), c.Rules()
	c.Close()
	var out bytes.Buffer
	if err := runChain(context.Background(), &ChainOptions{Data: dir, Headers: true, IO: cmdutil.IO{Out: &out, ErrOut: &bytes.Buffer{}}}); err != nil {
		t.Fatal(err)
	}
	hs, _, err := chain.ReadHeaderLines(&out)
	if err != nil || len(hs) != len(blocks) {
		t.Fatalf("%d headers for %d blocks: %v", len(hs), len(blocks), err)
	}
	for i := range hs {
		if hs[i].Hash().Reversed() != r.Hash(blocks[i]) {
			t.Fatalf("header %d does not hash to block %d", i, blocks[i].Index)
		}
	}
	limit, _ := chain.BitsForZeroBits(10)
	if _, err := chain.ValidateHeaders(hs, chain.HeaderOptions{Params: chain.BtcParams{PowLimit: limit, Interval: 4, BlockTime: time.Second}}); err != nil {
		t.Fatal(err)
	}

	other := t.TempDir()
	oc, err := chain.Open(context.Background(), other, chain.Options{Target: bits})
	if err != nil {
		t.Fatal(err)
	}
	oc.Close()
	for _, o := range []*ChainOptions{{Data: other, Headers: true}, {Data: dir, Headers: true, JSON: true}} {
		o.IO = cmdutil.IO{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
		if err := runChain(context.Background(), o); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%+v: err %v, want a usage error", *o, err)
		}
	}
}
