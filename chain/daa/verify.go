package daa

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Verification against published test vectors: aserti3-2d's run files and
// JSON lists of Bitcoin retarget cases.

// ASERT run parameters fixed by the specification's vectors.
const (
	ASERTVectorBlockTime = 600    // seconds
	ASERTVectorHalfLife  = 172800 // seconds: two days
	// ASERTVectorLimitBits is the proof-of-work limit of the vectors
	// (Bitcoin Cash mainnet's).
	ASERTVectorLimitBits = 0x1d00ffff
)

// MismatchError is a vector row whose computed bits differ from the
// expected ones.
type MismatchError struct {
	File   string
	Line   int    // 1-based line of the row
	Height uint64 // the height of the row's block (the tip)
	Want   uint32 // expected bits
	Got    uint32 // computed bits
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: line %d, height %d: expected bits %#08x, computed %#08x", e.File, e.Line, e.Height, e.Want, e.Got)
}

// InputError is a vector file that cannot be read or parsed: a distinct
// kind from a mismatch (`powlab daa verify` exits 2 for it, 1 for a
// mismatch).
type InputError struct {
	File string
	Line int // 0 when the error is not about one line
	Err  error
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// ASERTRun is one aserti3-2d vector file.
type ASERTRun struct {
	Description string
	Anchor      Anchor // Height, ParentTime and Target (from AnchorBits)
	AnchorBits  uint32
	StartHeight uint64
	StartTime   int64
	Iterations  uint64
	Rows        []ASERTRow
}

// ASERTRow is one row: the block at Height with Time, and the bits
// required of the block after it.
type ASERTRow struct {
	Line      int
	Iteration uint64
	Height    uint64
	Time      int64
	Bits      uint32
}

// ParseASERTRun reads a run file: seven "##" header lines (description,
// anchor height, anchor parent time — "anchor ancestor time" in older
// files —, anchor nBits, start height, start time, iterations), then rows
// "ITERATION HEIGHT TIME 0xBITS"; lines starting with one "#" are
// comments. name labels errors, which are *InputError.
func ParseASERTRun(name string, r io.Reader) (*ASERTRun, error) {
	run := &ASERTRun{}
	fail := func(line int, format string, a ...any) error {
		return &InputError{File: name, Line: line, Err: fmt.Errorf(format, a...)}
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "##"):
			key, val, ok := strings.Cut(strings.TrimSpace(line[2:]), ":")
			if !ok {
				return nil, fail(n, "header %q has no \"key: value\"", line)
			}
			key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
			var err error
			switch key {
			case "description":
				run.Description = val
			case "anchor height":
				run.Anchor.Height, err = strconv.ParseUint(val, 10, 64)
			case "anchor parent time", "anchor ancestor time":
				key = "anchor parent time"
				run.Anchor.ParentTime, err = strconv.ParseInt(val, 10, 64)
			case "anchor nbits":
				run.AnchorBits, err = parseBits(val)
				if err == nil {
					run.Anchor.Target, err = BitsToTarget(run.AnchorBits)
				}
			case "start height":
				run.StartHeight, err = strconv.ParseUint(val, 10, 64)
			case "start time":
				run.StartTime, err = strconv.ParseInt(val, 10, 64)
			case "iterations":
				run.Iterations, err = strconv.ParseUint(val, 10, 64)
			default:
				return nil, fail(n, "unknown header %q", key)
			}
			if err != nil {
				return nil, fail(n, "%s: %v", key, err)
			}
			seen[key] = true
		case strings.HasPrefix(line, "#"):
			continue
		default:
			f := strings.Fields(line)
			if len(f) != 4 {
				return nil, fail(n, "want 4 fields (iteration height time bits), got %d", len(f))
			}
			row := ASERTRow{Line: n}
			var err error
			if row.Iteration, err = strconv.ParseUint(f[0], 10, 64); err != nil {
				return nil, fail(n, "iteration: %v", err)
			}
			if row.Height, err = strconv.ParseUint(f[1], 10, 64); err != nil {
				return nil, fail(n, "height: %v", err)
			}
			if row.Time, err = strconv.ParseInt(f[2], 10, 64); err != nil {
				return nil, fail(n, "time: %v", err)
			}
			if row.Bits, err = parseBits(f[3]); err != nil {
				return nil, fail(n, "bits: %v", err)
			}
			run.Rows = append(run.Rows, row)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &InputError{File: name, Line: n + 1, Err: err}
	}
	for _, k := range []string{"anchor height", "anchor parent time", "anchor nbits"} {
		if !seen[k] {
			return nil, &InputError{File: name, Err: fmt.Errorf("no %q header: not an aserti3-2d run file", k)}
		}
	}
	if len(run.Rows) == 0 {
		return nil, &InputError{File: name, Err: errors.New("no rows")}
	}
	if seen["iterations"] && run.Iterations != uint64(len(run.Rows)) {
		return nil, &InputError{File: name, Err: fmt.Errorf("header says %d iterations, the file has %d rows", run.Iterations, len(run.Rows))}
	}
	return run, nil
}

// parseBits reads compact bits written as hex ("0x1d00ffff" or
// "1d00ffff").
func parseBits(s string) (uint32, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not 32-bit hex bits", s)
	}
	return uint32(v), nil
}

// tipChain is a Chain of one block, for algorithms that read only the
// tip (ASERT with an explicit anchor), or of a tip and one ancestor (a
// Bitcoin retarget window's ends).
type tipChain struct {
	tip, anc Block
	hasAnc   bool
}

func (c *tipChain) Tip() Block { return c.tip }
func (c *tipChain) Ancestor(h uint64) (Block, bool) {
	switch {
	case h == c.tip.Height:
		return c.tip, true
	case c.hasAnc && h == c.anc.Height:
		return c.anc, true
	}
	return Block{}, false
}

// VerifyASERTRun checks every row of run against aserti3-2d with the
// vectors' parameters, each row computed independently from the anchor.
// A wrong row is a *MismatchError (the first one).
func VerifyASERTRun(name string, run *ASERTRun) error {
	limit, _ := BitsToTarget(ASERTVectorLimitBits)
	anc := run.Anchor
	a, err := New("asert", Params{BlockTime: ASERTVectorBlockTime, HalfLife: ASERTVectorHalfLife, Limit: limit, Anchor: &anc})
	if err != nil {
		return err
	}
	var c tipChain
	for _, row := range run.Rows {
		c.tip = Block{Height: row.Height, Time: row.Time, Target: anc.Target}
		t := a.Next(&c)
		if got := TargetToBits(&t); got != row.Bits {
			return &MismatchError{File: name, Line: row.Line, Height: row.Height, Want: row.Bits, Got: got}
		}
	}
	return nil
}

// BitcoinCase is one Bitcoin retarget: the times of a 2016-block window's
// first and last blocks, the last block's bits, and the bits Core's
// CalculateNextWorkRequired gives the next block (a 14-day timespan).
type BitcoinCase struct {
	FirstBlockTime int64  `json:"first_block_time"`
	LastBlockTime  int64  `json:"last_block_time"`
	LastBits       string `json:"last_bits"`
	ExpectedBits   string `json:"expected_bits"`
	PowLimitBits   string `json:"pow_limit_bits"`
}

// Bitcoin vector parameters: Core mainnet's interval and spacing.
const (
	BitcoinVectorInterval  = 2016
	BitcoinVectorBlockTime = 600
)

// ParseBitcoinCases reads a JSON list of BitcoinCase (unknown fields are
// ignored). Errors are *InputError.
func ParseBitcoinCases(name string, r io.Reader) ([]BitcoinCase, error) {
	var cs []BitcoinCase
	dec := json.NewDecoder(r)
	if err := dec.Decode(&cs); err != nil {
		return nil, &InputError{File: name, Err: fmt.Errorf("not a JSON list of bitcoin retarget cases: %w", err)}
	}
	if len(cs) == 0 {
		return nil, &InputError{File: name, Err: errors.New("no cases")}
	}
	return cs, nil
}

// VerifyBitcoinCases checks each case against the bitcoin algorithm at a
// retarget boundary. Line in a *MismatchError is the 1-based case index;
// Height is the window's last block (2015).
func VerifyBitcoinCases(name string, cs []BitcoinCase) error {
	for i, k := range cs {
		bad := func(field string, err error) error {
			return &InputError{File: name, Line: i + 1, Err: fmt.Errorf("case %d: %s: %w", i+1, field, err)}
		}
		var bits [3]uint32
		for j, s := range []string{k.LastBits, k.ExpectedBits, k.PowLimitBits} {
			var err error
			if bits[j], err = parseBits(s); err != nil {
				return bad([]string{"last_bits", "expected_bits", "pow_limit_bits"}[j], err)
			}
		}
		last, err := BitsToTarget(bits[0])
		if err != nil {
			return bad("last_bits", err)
		}
		limit, err := BitsToTarget(bits[2])
		if err != nil {
			return bad("pow_limit_bits", err)
		}
		a, err := New("bitcoin", Params{BlockTime: BitcoinVectorBlockTime, Window: BitcoinVectorInterval, Limit: limit, Initial: limit})
		if err != nil {
			return bad("parameters", err)
		}
		c := tipChain{
			tip:    Block{Height: BitcoinVectorInterval - 1, Time: k.LastBlockTime, Target: last},
			anc:    Block{Height: 0, Time: k.FirstBlockTime},
			hasAnc: true,
		}
		t := a.Next(&c)
		if got := TargetToBits(&t); got != bits[1] {
			return &MismatchError{File: name, Line: i + 1, Height: c.tip.Height, Want: bits[1], Got: got}
		}
	}
	return nil
}

// VerifyResult is one verified file.
type VerifyResult struct {
	File string `json:"file"`
	Algo string `json:"algo"`
	Rows int    `json:"rows"`
}

// VerifyAlgos are the algorithms with published vectors VerifyFile reads.
var VerifyAlgos = []string{"asert", "bitcoin"}

// VerifyFile reads path as algo's vectors (asert: a run file; bitcoin: a
// JSON case list) and checks every row. Errors: *InputError for a file
// that cannot be read or parsed, *MismatchError for the first wrong row.
func VerifyFile(algo, path string) (VerifyResult, error) {
	res := VerifyResult{File: path, Algo: algo}
	f, err := os.Open(path)
	if err != nil {
		return res, &InputError{File: path, Err: err}
	}
	defer f.Close()
	switch algo {
	case "asert":
		run, err := ParseASERTRun(res.File, f)
		if err != nil {
			return res, err
		}
		res.Rows = len(run.Rows)
		return res, VerifyASERTRun(res.File, run)
	case "bitcoin":
		cs, err := ParseBitcoinCases(res.File, f)
		if err != nil {
			return res, err
		}
		res.Rows = len(cs)
		return res, VerifyBitcoinCases(res.File, cs)
	}
	return res, fmt.Errorf("no vectors for algorithm %q (want one of %v)", algo, VerifyAlgos)
}
