package chain_test

import (
	"context"
	"fmt"
	"os"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// A node's life: open a chain, take a transaction, mine, serve /chain, and
// adopt a peer's longer chain.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "powlab-example")
	defer os.RemoveAll(dir)

	c, err := chain.Open(ctx, dir, chain.Options{Rules: chain.RulesTutorial, Target: miner.MustPrefix("0000")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	tips, stop := c.Subscribe() // e.g. to cancel a search when a peer's block arrives
	defer stop()

	next, _ := c.AddTx(chain.Tx{Sender: "alice", Recipient: "bob", Amount: chain.Int(5)})
	fmt.Println("transaction goes into block", next)
	for range 3 {
		m, err := c.Mine(ctx, chain.MineOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("block", m.Block.Index, "proof", m.Block.Proof, m.Result)
	}
	fmt.Println("last tip event at height", (<-tips).Height)

	doc := c.ChainJSON() // the tutorial's {"chain": [...], "length": n}
	blocks, _ := chain.DecodeChainJSON(doc)
	adopted, err := c.ReplaceChain(ctx, blocks) // same chain: not more work
	fmt.Println("adopted:", adopted, err)
	// Output:
	// transaction goes into block 2
	// block 2 proof 35293 extended
	// block 3 proof 35089 extended
	// block 4 proof 119678 extended
	// last tip event at height 4
	// adopted: false <nil>
}
