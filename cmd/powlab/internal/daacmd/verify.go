package daacmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/chain/daa"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// VerifyOptions are `powlab daa verify`'s flags and arguments.
type VerifyOptions struct {
	IO    cmdutil.IO
	Algo  string
	Files []string
	JSON  bool
}

// FileVerdict is one file's outcome, as --json prints it (one object per
// line).
type FileVerdict struct {
	File  string        `json:"file"`
	Algo  string        `json:"algo"`
	OK    bool          `json:"ok"`
	Rows  int           `json:"rows"`
	Error *VerdictError `json:"error,omitempty"`
}

// VerdictError is why a file failed: kind "mismatch" (exit 1) with the row
// and both bits, or "input" (the file could not be read or parsed, exit 2).
type VerdictError struct {
	Kind     string `json:"kind"`
	Line     int    `json:"line,omitempty"`
	Height   uint64 `json:"height,omitempty"`
	Expected string `json:"expected_bits,omitempty"`
	Computed string `json:"computed_bits,omitempty"`
	Message  string `json:"message"`
}

// NewCmdVerify returns `powlab daa verify`.
func NewCmdVerify(io cmdutil.IO, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "verify --algo asert|bitcoin FILE...",
		Short: "Check an algorithm against published test vectors",
		Long: `Recompute every row of each vector file and compare the bits.

--algo asert reads aserti3-2d run files (Bitcoin Cash Node's official
vectors: seven "##" header lines with the anchor, then rows
"ITERATION HEIGHT TIME 0xBITS", each the bits required after the block at
HEIGHT and TIME), under the specification's parameters: 600 s blocks, a
half-life of 172800 s, limit 0x1d00ffff. Each row is computed
independently from the anchor.

--algo bitcoin reads a JSON list of Bitcoin retargets:
{"first_block_time", "last_block_time", "last_bits", "expected_bits",
"pow_limit_bits"} (bits as "0x..." strings; other fields ignored), each
Bitcoin Core's next work at a 2016-block boundary of 600 s blocks.

Prints "FILE: N rows ok" per file. Exit status 0 when every row of every
file matches; 1 at a mismatch, naming the file, the row's line, its height
and both bits; 2 when a file cannot be read or parsed. --json prints one
JSON object per file and line.`,
		Example: `  powlab daa verify --algo asert chain/daa/testdata/asert/run*.txt
  powlab daa verify --algo bitcoin chain/daa/testdata/bitcoin_cases.json
  powlab daa verify --algo asert --json run11.txt`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf("%s needs at least one vector file", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runVerify(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Algo, "algo", "", "the algorithm the vectors are for: "+strings.Join(daa.VerifyAlgos, " or "))
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per file")
	return cmd
}

func runVerify(ctx context.Context, opts *VerifyOptions) error {
	if !slices.Contains(daa.VerifyAlgos, opts.Algo) {
		if opts.Algo == "" {
			return cmdutil.FlagErrorf("--algo is required: %s", strings.Join(daa.VerifyAlgos, " or "))
		}
		return cmdutil.FlagErrorf("--algo %q: vectors exist for %s", opts.Algo, strings.Join(daa.VerifyAlgos, " and "))
	}
	var firstMismatch, firstInput error
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetEscapeHTML(false)
	for _, file := range opts.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := daa.VerifyFile(opts.Algo, file)
		v := FileVerdict{File: file, Algo: opts.Algo, OK: err == nil, Rows: res.Rows}
		var me *daa.MismatchError
		switch {
		case err == nil:
		case errors.As(err, &me):
			v.Error = &VerdictError{Kind: "mismatch", Line: me.Line, Height: me.Height,
				Expected: fmt.Sprintf("%#08x", me.Want), Computed: fmt.Sprintf("%#08x", me.Got), Message: err.Error()}
			if firstMismatch == nil {
				firstMismatch = err
			}
		default:
			v.Rows = 0
			msg, line := err.Error(), 0
			var ie *daa.InputError
			if errors.As(err, &ie) { // without the file name, which the verdict has
				msg, line = ie.Err.Error(), ie.Line
				if line > 0 {
					msg = fmt.Sprintf("line %d: %s", line, msg)
				}
			}
			v.Error = &VerdictError{Kind: "input", Line: line, Message: msg}
			if firstInput == nil {
				firstInput = err
			}
		}
		if opts.JSON {
			if err := enc.Encode(v); err != nil {
				return err
			}
			continue
		}
		switch {
		case v.OK:
			fmt.Fprintf(opts.IO.Out, "%s: %d rows ok\n", file, v.Rows)
		case v.Error.Kind == "mismatch":
			fmt.Fprintf(opts.IO.Out, "%s: MISMATCH at line %d (height %d): expected %s, computed %s\n", file, me.Line, me.Height, v.Error.Expected, v.Error.Computed)
		default:
			fmt.Fprintf(opts.IO.Out, "%s: unreadable: %s\n", file, v.Error.Message)
		}
	}
	switch {
	case firstInput != nil:
		return cmdutil.FlagErrorWrap(firstInput)
	case firstMismatch != nil:
		return firstMismatch
	}
	return nil
}
