package chain

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/miner"
)

// validateSlow is ValidateChain's obviously-correct twin: one block at a
// time with CheckBlock, no parallelism, no precomputed hashes.
func validateSlow(r Rules, blocks []*Block, now time.Time) error {
	var parent *Block
	var node *BlockNode
	for _, b := range blocks {
		var ctx HeaderCtx
		if node != nil {
			ctx = node
		}
		h, err := CheckBlock(r, b, parent, ctx, now)
		if err != nil {
			return err
		}
		node = NewBlockNode(b, h, r.Work(b), node)
		parent = b
	}
	return nil
}

func TestValidateChainMatchesSlowTwin(t *testing.T) {
	p := powlabParams(5)
	p.RetargetInterval = 3
	for _, params := range []Params{p, tutorialParams("0")} {
		r := mustRules(t, params)
		good := buildChain(t, r, 12, someTxs)
		now := testEpoch.Add(time.Hour)
		edits := []func(b *Block){
			func(b *Block) {},
			func(b *Block) { b.Proof ^= 1 },
			func(b *Block) { b.Index++ },
			func(b *Block) { b.Transactions[0].Amount = Int(-1) },
			func(b *Block) { b.Transactions = b.Transactions[1:] },
			func(b *Block) { b.Timestamp = Float(1) },
			func(b *Block) { b.PrevHash[5]++ },
			func(b *Block) { b.Target++ },
		}
		for i := range good {
			for e, edit := range edits {
				t.Run(fmt.Sprintf("%s/block %d/edit %d", params.Rules, i+1, e), func(t *testing.T) {
					c := cloneChain(good)
					if len(c[i].Transactions) == 0 && (e == 3 || e == 4) {
						return
					}
					edit(c[i])
					slow := validateSlow(r, c, now)
					for _, w := range []int{1, 2, 5} {
						_, fast := ValidateChain(context.Background(), r, c, ValidateOptions{Workers: w, Now: now})
						if !sameRuleError(fast, slow) {
							t.Fatalf("workers %d: %v; slow twin: %v", w, fast, slow)
						}
					}
				})
			}
		}
	}
}

func sameRuleError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ra, rb *RuleError
	if !errors.As(a, &ra) || !errors.As(b, &rb) {
		return false
	}
	return ra.Index == rb.Index && ra.Code == rb.Code
}

// TestRetargetingChain mines through retargets with the engine: blocks come
// every fake second against a one-minute goal, so the difficulty rises by
// the clamp (×4 = 2 bits) at each retarget, and the chain validates.
func TestRetargetingChain(t *testing.T) {
	interval := uint64(3)
	c := openTest(t, t.TempDir(), Options{Target: bitsOpt(4), RetargetInterval: &interval, BlockTime: time.Minute})
	mineN(t, c, 8, "")
	wantBits := []string{"bits 4", "bits 4", "bits 4", "bits 6", "bits 6", "bits 6", "bits 8", "bits 8", "bits 8"}
	for i, b := range c.Blocks() {
		if b.Target.String() != wantBits[i] {
			t.Fatalf("block %d: %s, want %s", b.Index, b.Target, wantBits[i])
		}
	}
	if _, err := c.Validate(context.Background(), ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestPythonAgrees has python3 recompute the tutorial's hashes and proofs
// over the /chain document (skipped without python3).
func TestPythonAgrees(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	c := openTest(t, t.TempDir(), Options{Rules: RulesTutorial, Target: miner.MustPrefix("00")})
	c.AddTx(Tx{Sender: "José 😀", Recipient: "李四\n", Amount: Float(1e-05)})
	c.AddTx(Tx{Sender: "big", Recipient: "int", Amount: mustNumber(t, "123456789012345678901234567890")})
	mineN(t, c, 3, "")
	script := `
import hashlib, json, sys
chain = json.load(sys.stdin)["chain"]
for a, b in zip(chain, chain[1:]):
    h = hashlib.sha256(json.dumps(a, sort_keys=True).encode()).hexdigest()
    assert b["prev_hash"] == h, (b["index"], b["prev_hash"], h)
    assert hashlib.sha256(f"{a['proof']}{b['proof']}".encode()).hexdigest().startswith("00")
print(hashlib.sha256(json.dumps(chain[-1], sort_keys=True).encode()).hexdigest())
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(c.ChainJSON()))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != c.Tip().Hash.String() {
		t.Fatalf("python tip hash %s, Go %s", got, c.Tip().Hash)
	}
}
