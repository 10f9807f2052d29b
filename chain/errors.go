package chain

import (
	"errors"
	"fmt"
)

// ErrorCode names the consensus rule a block broke.
type ErrorCode int

// The rule error codes.
const (
	// CodeMalformed: a field is missing, has the wrong JSON type, or is out
	// of range for these rules.
	CodeMalformed ErrorCode = iota + 1
	// CodeBadGenesis: the first block is not a genesis block of these rules.
	CodeBadGenesis
	// CodeBadIndex: the index is not the parent's index + 1.
	CodeBadIndex
	// CodeBadPrevHash: prev_hash is not the parent's hash.
	CodeBadPrevHash
	// CodeBadVersion: an unknown block version.
	CodeBadVersion
	// CodeBadDifficulty: the block states a target other than the one its
	// height requires.
	CodeBadDifficulty
	// CodeBadTimestamp: the timestamp is out of bounds.
	CodeBadTimestamp
	// CodeBadMerkleRoot: merkle_root does not match the transactions.
	CodeBadMerkleRoot
	// CodeBadProof: the proof does not meet the target.
	CodeBadProof
	// CodeBadTransaction: a transaction is invalid (empty party, amount not
	// a positive finite number, too large).
	CodeBadTransaction
	// CodeBadReward: the reward transaction is missing, misplaced, repeated
	// or of the wrong amount.
	CodeBadReward
)

var codeNames = map[ErrorCode]string{
	CodeMalformed:      "malformed",
	CodeBadGenesis:     "bad genesis",
	CodeBadIndex:       "bad index",
	CodeBadPrevHash:    "wrong prev hash",
	CodeBadVersion:     "bad version",
	CodeBadDifficulty:  "wrong difficulty",
	CodeBadTimestamp:   "timestamp out of bounds",
	CodeBadMerkleRoot:  "bad merkle root",
	CodeBadProof:       "proof does not meet the target",
	CodeBadTransaction: "bad transaction",
	CodeBadReward:      "bad reward",
}

func (c ErrorCode) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// RuleError is a consensus failure: block Index broke rule Code. Msg gives
// the numbers (hash vs target, expected vs found).
type RuleError struct {
	Code  ErrorCode
	Index uint64 // the block's index (1-based); 0 when the block has none
	Msg   string
}

func (e *RuleError) Error() string {
	if e.Index == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Msg)
	}
	return fmt.Sprintf("block %d: %s: %s", e.Index, e.Code, e.Msg)
}

func ruleErr(code ErrorCode, index uint64, format string, a ...any) *RuleError {
	return &RuleError{Code: code, Index: index, Msg: fmt.Sprintf(format, a...)}
}

// IsRuleError reports whether err is or wraps a *RuleError, and returns it.
func IsRuleError(err error) (*RuleError, bool) {
	var re *RuleError
	ok := errors.As(err, &re)
	return re, ok
}

// Sentinel errors for expected states.
var (
	// ErrNotFound: no block with that hash or height.
	ErrNotFound = errors.New("block not found")
	// ErrStale: the tip moved while a block was being mined on the old one.
	ErrStale = errors.New("tip changed while mining")
	// ErrInvalidTx wraps every reason a transaction is refused by the mempool.
	ErrInvalidTx = errors.New("invalid transaction")
	// ErrMempoolFull: the mempool holds its maximum number of transactions.
	ErrMempoolFull = errors.New("mempool full")
	// ErrParamsMismatch: Open was asked for rules or a difficulty other than
	// the ones the store was created with.
	ErrParamsMismatch = errors.New("chain parameters differ from the stored ones")
	// ErrBadParams: Open was asked to create a chain with parameters that
	// do not go together (a window for asert, a half-life for lwma, a
	// difficulty algorithm under tutorial rules, ...).
	ErrBadParams = errors.New("invalid chain parameters")
	// ErrNoChain: Open with MustExist found no chain in the directory.
	ErrNoChain = errors.New("no chain")
	// ErrClosed: the chain was closed.
	ErrClosed = errors.New("chain closed")
	// ErrEmptyChain: a chain document with no blocks.
	ErrEmptyChain = errors.New("empty chain")
)
