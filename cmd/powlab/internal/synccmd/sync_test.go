package synccmd

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/chain/node"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := NewCmdSync(cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.Execute()
	return out.String(), err
}

// serve runs a tutorial-rules node at prefix "0" with height blocks.
func serve(t *testing.T, height int) *node.Node {
	t.Helper()
	n, err := node.New(context.Background(), node.Config{
		DataDir: t.TempDir(),
		Chain:   chain.Options{Rules: chain.RulesTutorial, Target: miner.MustPrefix("0")},
		Miner:   node.MinerOptions{Workers: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	for deadline := time.Now().Add(10 * time.Second); n.Addr() == ""; {
		if time.Now().After(deadline) {
			t.Fatal("node did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for n.Height() < uint64(height) {
		if _, err := n.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestSyncAdoptsBest(t *testing.T) {
	short, long := serve(t, 2), serve(t, 5)
	dir := t.TempDir()
	out, err := run(t, "--data", dir, "--rules", "tutorial", "--prefix", "0", short.Addr(), strings.TrimPrefix(long.Addr(), "http://"), "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"adopted the chain of " + long.Addr(), "height 1 -> 5", "unreachable", "less work", long.Tip().Hash.String()} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	// Again: nothing better now.
	out, err = run(t, "--data", dir, short.Addr(), long.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "kept the local chain: height 5") {
		t.Fatalf("second sync:\n%s", out)
	}
}

func TestSyncAskNode(t *testing.T) {
	a, b := serve(t, 1), serve(t, 3)
	if _, err := a.AddPeers(b.Addr()); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "--node", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "replaced (now 3 blocks)") || a.Height() != 3 {
		t.Fatalf("output %q, height %d", out, a.Height())
	}
}

func TestSyncUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		has  string
	}{
		{"nothing", nil, "at least one node URL"},
		{"both", []string{"--node", "127.0.0.1:1", "127.0.0.1:2"}, "not both"},
		{"bad url", []string{"ftp://x:1"}, "scheme"},
		{"timeout", []string{"--timeout", "0s", "127.0.0.1:1"}, "--timeout"},
		{"rules", []string{"--rules", "x", "127.0.0.1:1"}, "--rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.args...)
			var fe *cmdutil.FlagError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.has) {
				t.Fatalf("error %v, want a FlagError with %q", err, tc.has)
			}
		})
	}
}

func TestSyncParamsMismatch(t *testing.T) {
	src := serve(t, 2)
	dir := t.TempDir()
	if _, err := run(t, "--data", dir, "--rules", "tutorial", "--prefix", "0", src.Addr()); err != nil {
		t.Fatal(err)
	}
	_, err := run(t, "--data", dir, "--rules", "powlab", src.Addr())
	if !errors.Is(err, chain.ErrParamsMismatch) {
		t.Fatalf("error %v, want ErrParamsMismatch", err)
	}
}
