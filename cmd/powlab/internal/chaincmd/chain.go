// Package chaincmd implements `powlab chain`: print the stored chain.
package chaincmd

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// ChainOptions are the flags of `powlab chain`.
type ChainOptions struct {
	IO      cmdutil.IO
	Data    string
	JSON    bool
	Headers bool
}

// NewCmdChain builds the command; runF replaces the run function in tests.
func NewCmdChain(io cmdutil.IO, runF func(context.Context, *ChainOptions) error) *cobra.Command {
	opts := &ChainOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Print the chain kept in a data directory",
		Long: `Print the main chain stored in --data, one block per paragraph, or with
--json exactly the tutorial's /chain document: {"chain": [...], "length": n},
blocks written as Python's json.dumps(block, sort_keys=True) writes them, so
hashes computed from it match a Python node's.

--headers prints a bitcoin-rules chain's raw 80-byte block headers, one per
line as 160 hex characters (genesis first): the form powlab validate
--headers reads.`,
		Example: `  powlab chain
  powlab chain --json > chain.json && powlab validate --file chain.json
  powlab chain --headers | powlab validate --headers - --bits 16 --retarget 10 --block-time 1s`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runChain(c.Context(), opts)
		},
	}
	cmdutil.AddDataFlag(cmd.Flags(), &opts.Data)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the tutorial's /chain JSON document")
	cmd.Flags().BoolVar(&opts.Headers, "headers", false, "bitcoin rules: print the raw block headers, one per line in hex")
	return cmd
}

func runChain(ctx context.Context, opts *ChainOptions) error {
	if opts.JSON && opts.Headers {
		return cmdutil.FlagErrorf("give --json or --headers, not both")
	}
	dir, err := cmdutil.ResolveDataDir(opts.Data)
	if err != nil {
		return err
	}
	c, err := chain.Open(ctx, dir, chain.Options{MustExist: true})
	if err != nil {
		if errors.Is(err, chain.ErrNoChain) {
			return fmt.Errorf("%w (mine one with: powlab mine --data %s)", err, dir)
		}
		return err
	}
	defer c.Close()
	blocks := c.Blocks()
	if opts.Headers {
		if c.Params().Rules != chain.RulesBitcoin {
			return cmdutil.FlagErrorf("--headers: the chain in %s follows %s rules; only bitcoin-rules blocks have Bitcoin headers", dir, c.Params().Rules)
		}
		bw := bufio.NewWriter(opts.IO.Out)
		for _, b := range blocks {
			h := chain.BlockHeader(b)
			raw := h.Bytes()
			bw.WriteString(hex.EncodeToString(raw[:]))
			bw.WriteByte('\n')
		}
		return bw.Flush()
	}
	if opts.JSON {
		out := append(chain.EncodeChainJSON(blocks), '\n')
		_, err := opts.IO.Out.Write(out)
		return err
	}
	r := c.Rules()
	w := opts.IO.Out
	fmt.Fprintf(w, "chain %s: %s; node address %s; %d blocks\n", dir, c.Params(), c.Address(), len(blocks))
	for _, b := range blocks {
		fmt.Fprintf(w, "\nblock %d  %s\n", b.Index, r.Hash(b))
		prev := "1 (genesis)"
		if !b.IsGenesis() {
			prev = b.PrevHash.String()
		}
		fmt.Fprintf(w, "  prev_hash  %s\n", prev)
		fmt.Fprintf(w, "  time       %s (%s)\n", b.Timestamp, formatTime(b.Timestamp))
		fmt.Fprintf(w, "  proof      %d\n", b.Proof)
		switch {
		case b.Bits != 0:
			fmt.Fprintf(w, "  bits       %08x (version %d)\n", b.Bits, b.Version)
			fmt.Fprintf(w, "  merkle     %s\n", b.MerkleRoot)
		case b.Version > 0:
			fmt.Fprintf(w, "  target     %s\n", b.Target)
			fmt.Fprintf(w, "  merkle     %s\n", b.MerkleRoot)
		}
		for i, tx := range b.Transactions {
			fmt.Fprintf(w, "  tx %-4d    %q -> %q  %s\n", i, tx.Sender, tx.Recipient, tx.Amount)
		}
	}
	return nil
}

func formatTime(n chain.Number) string {
	f := n.Float64()
	if math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return "out of range"
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC().Format("2006-01-02 15:04:05.000000 UTC")
}
