// Package validatecmd implements `powlab validate`: check a chain from the
// local store, a file, or a node's /chain.
package validatecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner"
)

// ValidateOptions are the flags of `powlab validate`.
type ValidateOptions struct {
	IO       cmdutil.IO
	Data     string
	File     string
	URL      string
	Chain    cmdutil.ChainFlags
	Timeout  time.Duration
	MaxBytes int64
	Workers  int
	JSON     bool
	// --headers mode: raw Bitcoin headers, one per line.
	Headers   string
	Prev      string
	Height    uint64
	heightSet bool
	// Client fetches --url (nil: http.DefaultClient with Timeout).
	Client *http.Client
}

// Defaults for fetching a chain over HTTP.
const (
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBytes caps a /chain response: 256 MiB holds about a million
	// small blocks, far more than a lab chain, and bounds a hostile peer.
	DefaultMaxBytes = 256 << 20
)

// NewCmdValidate builds the command; runF replaces the run function in tests.
func NewCmdValidate(io cmdutil.IO, runF func(context.Context, *ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a chain: the local store, a /chain JSON file, or a node",
		Long: `Validate every block of a chain: the link to its parent, its proof against
the target its height needs, the Merkle root and timestamps (powlab rules),
the transactions and the reward. Exit status 0 means valid; 1 explains the
first failure.

The chain comes from the store in --data (the default), from --file (the
tutorial's /chain document, {"chain": [...], "length": n}), or from --url
(a node: its /chain is fetched). For a file or a node, the rules are those
of the blocks (blocks with version, merkle_root and target are powlab
blocks, with bits bitcoin blocks) unless --rules says otherwise; tutorial
rules default to --prefix 0000; a bitcoin chain's limit is its genesis
bits, its window --retarget (default 2016) blocks of --block-time
(default 10m).

Tutorial-rules chains are valid only in a weak sense: a proof depends on the
previous proof alone, so old transactions can be rewritten and the chain
relinked with the same proofs. validate prints a warning and shows it.

--headers FILE ('-': standard input) checks raw Bitcoin block headers
instead, 160 hex characters per line (blank lines and # comments skipped),
under Bitcoin mainnet's parameters (proof-of-work limit 0x1d00ffff,
2016-block windows of 10 minutes): each header's proof of work against its
own bits, the bits within the limit, each previous-hash equal to the hash
of the line before (the first line's parent is taken as given, or checked
against --prev), each time above the median of the 11 headers before it,
and the bits against the retarget rule wherever a whole window lies in the
file. --bits/--threshold (the limit), --retarget and --block-time switch to
a lab chain's parameters, as powlab mine --rules bitcoin takes them.
--height is the first line's height (default 0 when its previous hash is
zero, else 1).`,
		Example: `  powlab validate
  powlab validate --file chain.json --rules tutorial --prefix 0000
  powlab validate --url http://127.0.0.1:5005
  powlab validate --headers mainnet.txt --prev 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f
  powlab chain --headers --data /tmp/btc | powlab validate --headers - --bits 16 --retarget 10 --block-time 1s`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.heightSet = c.Flags().Changed("height")
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runValidate(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	cmdutil.AddDataFlag(f, &opts.Data)
	f.StringVar(&opts.File, "file", "", "read the chain from this /chain JSON file ('-': standard input)")
	f.StringVar(&opts.URL, "url", "", "fetch the chain from this node (http://host:port, or its /chain URL)")
	cmdutil.AddChainFlags(f, &opts.Chain)
	f.DurationVar(&opts.Timeout, "timeout", DefaultTimeout, "HTTP timeout for --url")
	f.Int64Var(&opts.MaxBytes, "max-bytes", DefaultMaxBytes, "largest chain document read from --file or --url")
	f.IntVarP(&opts.Workers, "workers", "w", 0, "goroutines checking blocks (0: one per CPU)")
	f.BoolVar(&opts.JSON, "json", false, "print the verdict as JSON")
	f.StringVar(&opts.Headers, "headers", "", "check raw Bitcoin headers from this file, one per line ('-': standard input)")
	f.StringVar(&opts.Prev, "prev", "", "with --headers: the hash (display order) the first header's previous-hash must be")
	f.Uint64Var(&opts.Height, "height", 0, "with --headers: the first header's height (default 0 after a zero previous hash, else 1)")
	return cmd
}

// Verdict is what --json prints.
type Verdict struct {
	Valid     bool       `json:"valid"`
	Source    string     `json:"source"`
	Rules     string     `json:"rules"`
	Params    string     `json:"params"`
	Blocks    int        `json:"blocks"`
	Height    uint64     `json:"height,omitempty"`
	Tip       string     `json:"tip,omitempty"`
	Work      float64    `json:"work,omitempty"`       // for reading
	WorkExact string     `json:"work_exact,omitempty"` // exact, decimal
	Seconds   float64    `json:"seconds"`
	Error     *RuleJSON  `json:"error,omitempty"`
	Warning   string     `json:"warning,omitempty"`
	Forgery   *ForgeJSON `json:"forgery_demo,omitempty"`
}

// RuleJSON is a rule failure in --json output.
type RuleJSON struct {
	Code    string `json:"code"`
	Index   uint64 `json:"index,omitempty"`
	Message string `json:"message"`
}

// ForgeJSON reports the tutorial-rules forgery demonstration.
type ForgeJSON struct {
	Block        uint64 `json:"block"`
	Change       string `json:"change"`
	StillValid   bool   `json:"still_valid"`
	NewTipHash   string `json:"new_tip_hash,omitempty"`
	ProofsReused int    `json:"proofs_reused"`
}

// TutorialWarning is printed for chains checked under tutorial rules.
const TutorialWarning = `tutorial rules are weak: a proof depends only on the previous proof, never on the block's contents, so every chain has the same proof sequence and history can be rewritten for free (change old transactions, relink prev_hash, keep every proof); use --rules powlab for chains whose proofs commit to their blocks`

func runValidate(ctx context.Context, opts *ValidateOptions) error {
	if opts.Headers != "" {
		return runHeaders(ctx, opts)
	}
	if opts.Prev != "" || opts.heightSet {
		return cmdutil.FlagErrorf("--prev and --height go with --headers")
	}
	sources := 0
	for _, s := range []string{opts.File, opts.URL} {
		if s != "" {
			sources++
		}
	}
	if opts.Data != "" {
		sources++
	}
	if sources > 1 {
		return cmdutil.FlagErrorf("give one of --data, --file, --url")
	}
	if opts.MaxBytes <= 0 {
		return cmdutil.FlagErrorf("--max-bytes %d: must be above 0", opts.MaxBytes)
	}
	if opts.Timeout <= 0 {
		return cmdutil.FlagErrorf("--timeout %s: must be above 0", opts.Timeout)
	}
	workers, err := cmdutil.ResolveWorkers(opts.Workers)
	if err != nil {
		return err
	}
	if _, err := opts.Chain.Options(); err != nil {
		return err
	}

	var blocks []*chain.Block
	var rules chain.Rules
	var source string
	switch {
	case opts.File != "" || opts.URL != "":
		var data []byte
		if opts.File != "" {
			source = opts.File
			data, err = readFile(opts.IO.In, opts.File, opts.MaxBytes)
		} else {
			source, err = chainURL(opts.URL)
			if err != nil {
				return err
			}
			data, err = fetch(ctx, opts.client(), source, opts.MaxBytes)
		}
		if err != nil {
			return err
		}
		if blocks, err = chain.DecodeChainJSON(data); err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		name := chain.RulesTutorial
		switch g := blocks[0]; {
		case g.Bits != 0:
			name = chain.RulesBitcoin
		case g.Version > 0:
			name = chain.RulesPowlab
		}
		p, err := opts.Chain.Params(name)
		if err != nil {
			return err
		}
		// A powlab or bitcoin chain states its genesis target (the
		// bitcoin limit); use it unless a target flag was given.
		if g := blocks[0]; !opts.Chain.TargetSet() {
			switch {
			case p.Rules == chain.RulesPowlab && g.Version > 0 && g.Target.Valid():
				p.Target = g.Target.Target()
			case p.Rules == chain.RulesBitcoin && g.Bits != 0:
				if t, err := miner.CompactTarget(g.Bits); err == nil {
					p.Target = t
				}
			}
		}
		if rules, err = chain.NewRules(p); err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
	default:
		dir, err := cmdutil.ResolveDataDir(opts.Data)
		if err != nil {
			return err
		}
		source = dir
		co, err := opts.Chain.Options()
		if err != nil {
			return err
		}
		co.MustExist = true
		c, err := chain.Open(ctx, dir, co)
		if err != nil {
			if errors.Is(err, chain.ErrParamsMismatch) || errors.Is(err, chain.ErrBadParams) {
				return cmdutil.FlagErrorWrap(err)
			}
			return err
		}
		blocks, rules = c.Blocks(), c.Rules()
		c.Close()
	}

	start := time.Now()
	info, verr := chain.ValidateChain(ctx, rules, blocks, chain.ValidateOptions{Workers: workers})
	v := Verdict{Valid: verr == nil, Source: source, Rules: rules.Name(), Params: rules.Params().String(),
		Blocks: len(blocks), Seconds: time.Since(start).Seconds()}
	if info != nil {
		v.Height, v.Tip, v.Work, v.WorkExact = info.Height, info.Tip.String(), info.Work.Float64(), info.Work.String()
	}
	if verr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		re, ok := chain.IsRuleError(verr)
		if !ok {
			return verr
		}
		v.Error = &RuleJSON{Code: re.Code.String(), Index: re.Index, Message: re.Msg}
	}
	if rules.Name() == chain.RulesTutorial {
		v.Warning = TutorialWarning
		if v.Valid {
			v.Forgery = forgeryDemo(ctx, rules, blocks, workers)
		}
	}
	if opts.JSON {
		if err := cmdutil.PrintJSON(opts.IO.Out, v); err != nil {
			return err
		}
	} else {
		printVerdict(opts.IO, v)
	}
	if verr != nil {
		return fmt.Errorf("%s: invalid chain: %w", source, verr)
	}
	return nil
}

func printVerdict(io cmdutil.IO, v Verdict) {
	out := io.Out
	if v.Valid {
		fmt.Fprintf(out, "valid: %d blocks from %s, tip %s at height %d\n", v.Blocks, v.Source, v.Tip, v.Height)
		fmt.Fprintf(out, "rules: %s; cumulative work %s expected attempts; checked in %s\n", v.Params,
			cmdutil.HumanCount(v.Work), cmdutil.HumanSeconds(v.Seconds))
	} else {
		fmt.Fprintf(out, "invalid: %d blocks from %s under %s\n", v.Blocks, v.Source, v.Params)
		where := ""
		if v.Error.Index > 0 {
			where = fmt.Sprintf("block %d: ", v.Error.Index)
		}
		fmt.Fprintf(out, "first failure: %s%s: %s\n", where, v.Error.Code, v.Error.Message)
	}
	if v.Warning != "" {
		fmt.Fprintf(io.ErrOut, "warning: %s\n", v.Warning)
	}
	if f := v.Forgery; f != nil {
		verdict := "the forged chain still validates"
		if !f.StillValid {
			verdict = "the forged chain no longer validates"
		}
		fmt.Fprintf(io.ErrOut, "demonstration: %s in block %d and the chain relinked keeping all %d proofs; %s (new tip %s)\n",
			f.Change, f.Block, f.ProofsReused, verdict, f.NewTipHash)
	}
}

// forgeryDemo rewrites the first transaction of the oldest block that has
// one, relinks the chain keeping every proof, and validates the forgery.
func forgeryDemo(ctx context.Context, r chain.Rules, blocks []*chain.Block, workers int) *ForgeJSON {
	for i, b := range blocks {
		if len(b.Transactions) == 0 {
			continue
		}
		forged := make([]*chain.Block, len(blocks))
		copy(forged, blocks)
		fb := b.Clone()
		tx := &fb.Transactions[0]
		change := fmt.Sprintf("transaction 0 (%s → %s, %s) rewritten to pay 1000000 to \"mallory\"", tx.Sender, tx.Recipient, tx.Amount)
		tx.Recipient, tx.Amount = "mallory", chain.Int(1000000)
		if tx.IsReward() {
			tx.Amount = r.Params().Reward // the reward amount is checked; steal the reward instead
			change = fmt.Sprintf("the reward to %s redirected to \"mallory\"", b.Transactions[0].Recipient)
		}
		forged[i] = fb
		forged = chain.Relink(r, forged)
		info, err := chain.ValidateChain(ctx, r, forged, chain.ValidateOptions{Workers: workers})
		f := &ForgeJSON{Block: b.Index, Change: change, StillValid: err == nil, ProofsReused: len(forged)}
		if info != nil {
			f.NewTipHash = info.Tip.String()
		}
		return f
	}
	return nil
}

func (o *ValidateOptions) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return &http.Client{Timeout: o.Timeout}
}

// chainURL accepts http://host:port, host:port or a full /chain URL.
func chainURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", cmdutil.FlagErrorf("--url %q: want http://host:port", s)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/chain"
	}
	return u.String(), nil
}

func fetch(ctx context.Context, client *http.Client, u string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch chain: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("fetch %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	return readLimited(resp.Body, u, max)
}

func readFile(stdin io.Reader, name string, max int64) ([]byte, error) {
	if name == "-" {
		return readLimited(stdin, "standard input", max)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, name, max)
}

func readLimited(r io.Reader, name string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: larger than --max-bytes %d", name, max)
	}
	return data, nil
}
