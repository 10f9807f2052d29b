package chain

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Hash is a SHA-256 digest: a block's hash, a Merkle root.
type Hash [32]byte

// String is the digest in 64 lower-case hex digits, as Python's hexdigest().
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zeros.
func (h Hash) IsZero() bool { return h == Hash{} }

// ParseHash parses 64 lower-case hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if !isLowerHex(s, 64) {
		return h, fmt.Errorf("%.80q is not a hash (64 lower-case hex digits)", s)
	}
	hex.Decode(h[:], []byte(s))
	return h, nil
}

// RewardSender is the sender of the miner's reward transaction.
const RewardSender = "0"

// Tx is a transaction, with the tutorial's JSON names.
type Tx struct {
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	Amount    Number `json:"amount"`
}

// IsReward reports whether tx is a reward (sender "0").
func (tx Tx) IsReward() bool { return tx.Sender == RewardSender }

// CanonicalJSON is tx as json.dumps(tx, sort_keys=True) writes it.
func (tx Tx) CanonicalJSON() []byte { return tx.appendCanonical(nil) }

func (tx Tx) appendCanonical(b []byte) []byte {
	b = append(b, `{"amount": `...)
	b = append(b, tx.Amount.String()...)
	b = append(b, `, "recipient": `...)
	b = appendPyString(b, tx.Recipient)
	b = append(b, `, "sender": `...)
	b = appendPyString(b, tx.Sender)
	return append(b, '}')
}

// MarshalJSON writes the canonical form.
func (tx Tx) MarshalJSON() ([]byte, error) { return tx.CanonicalJSON(), nil }

// UnmarshalJSON reads a transaction; see DecodeTx.
func (tx *Tx) UnmarshalJSON(b []byte) error {
	v, err := DecodeTx(b)
	if err != nil {
		return err
	}
	*tx = v
	return nil
}

// DecodeTx parses one transaction object. Its three fields are required,
// of the right JSON types; extra fields are refused.
func DecodeTx(data []byte) (Tx, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return Tx{}, err
	}
	return txFromValue(v)
}

// Block is a block with the tutorial's JSON names. Blocks made under
// powlab rules also carry Version (>= 1), MerkleRoot and Target, written
// as "version", "merkle_root" and "target"; blocks made under bitcoin rules
// carry Version, MerkleRoot and Bits ("bits", the compact target as 8 hex
// digits) instead of Target; a block with Version 0 has exactly the
// tutorial's five fields.
//
// PrevHash is the zero Hash in a genesis block (Index 1), whose JSON
// prev_hash is the integer 1, as the tutorial writes it.
//
// Blocks returned by a Chain are shared: treat them as read-only (Clone
// before changing one).
type Block struct {
	Index        uint64
	Timestamp    Number // seconds since 1970, Python's time.time()
	Transactions []Tx
	Proof        uint64
	PrevHash     Hash

	Version    uint32
	MerkleRoot Hash
	Target     Compact // powlab rules
	Bits       uint32  // bitcoin rules: Bitcoin's compact target (nBits)
	// Coinbase (bitcoin rules) is the first leaf of the Merkle tree: the
	// reward transaction's canonical JSON, a 0 byte and an extra nonce
	// (see BtcCoinbasePrefix). Written as "coinbase" in hex.
	Coinbase []byte
}

// IsGenesis reports whether b is at index 1.
func (b *Block) IsGenesis() bool { return b.Index == 1 }

// Clone returns a deep copy.
func (b *Block) Clone() *Block {
	c := *b
	c.Transactions = append([]Tx(nil), b.Transactions...)
	c.Coinbase = bytes.Clone(b.Coinbase)
	return &c
}

// CanonicalJSON is the block as Python's json.dumps(block, sort_keys=True)
// writes it: the bytes the tutorial's hash covers.
func (b *Block) CanonicalJSON() []byte {
	return b.appendCanonical(make([]byte, 0, 256+100*len(b.Transactions)))
}

func (b *Block) appendCanonical(out []byte) []byte {
	out = append(out, '{')
	if b.Version > 0 && b.Bits != 0 {
		out = append(out, `"bits": "`...)
		out = appendHex32(out, b.Bits)
		out = append(out, `", `...)
		if len(b.Coinbase) > 0 {
			out = append(out, `"coinbase": "`...)
			out = hex.AppendEncode(out, b.Coinbase)
			out = append(out, `", `...)
		}
	}
	out = append(out, `"index": `...)
	out = strconv.AppendUint(out, b.Index, 10)
	if b.Version > 0 {
		out = append(out, `, "merkle_root": "`...)
		out = hex.AppendEncode(out, b.MerkleRoot[:])
		out = append(out, '"')
	}
	out = append(out, `, "prev_hash": `...)
	if b.Index == 1 {
		out = append(out, '1')
	} else {
		out = append(out, '"')
		out = hex.AppendEncode(out, b.PrevHash[:])
		out = append(out, '"')
	}
	out = append(out, `, "proof": `...)
	out = strconv.AppendUint(out, b.Proof, 10)
	if b.Version > 0 && b.Bits == 0 {
		out = append(out, `, "target": "`...)
		out = append(out, b.Target.Hex()...)
		out = append(out, '"')
	}
	out = append(out, `, "timestamp": `...)
	out = append(out, b.Timestamp.String()...)
	out = append(out, `, "transactions": [`...)
	for i, tx := range b.Transactions {
		if i > 0 {
			out = append(out, ", "...)
		}
		out = tx.appendCanonical(out)
	}
	out = append(out, ']')
	if b.Version > 0 {
		out = append(out, `, "version": `...)
		out = strconv.AppendUint(out, uint64(b.Version), 10)
	}
	return append(out, '}')
}

// appendHex32 appends v as 8 lower-case hex digits.
func appendHex32(out []byte, v uint32) []byte {
	const digits = "0123456789abcdef"
	for sh := 28; sh >= 0; sh -= 4 {
		out = append(out, digits[v>>uint(sh)&0xf])
	}
	return out
}

// MarshalJSON writes the canonical form.
func (b *Block) MarshalJSON() ([]byte, error) { return b.CanonicalJSON(), nil }

// UnmarshalJSON reads a block; see DecodeBlock.
func (b *Block) UnmarshalJSON(data []byte) error {
	v, err := DecodeBlock(data)
	if err != nil {
		return err
	}
	*b = *v
	return nil
}

// DecodeBlock parses one block object. Every field must be present with its
// JSON type (ints where the tutorial has ints); unknown fields are refused,
// because a Python node would hash them. Errors are *RuleError with
// CodeMalformed, or wrap ErrBadJSON.
func DecodeBlock(data []byte) (*Block, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	return blockFromValue(v)
}

var blockKeys = map[string]bool{
	"index": true, "timestamp": true, "transactions": true, "proof": true, "prev_hash": true,
	"version": true, "merkle_root": true, "target": true, "bits": true, "coinbase": true,
}

func malformed(index uint64, format string, a ...any) *RuleError {
	return ruleErr(CodeMalformed, index, format, a...)
}

// jsonType names a decoded value's JSON type for error messages.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case Number:
		if x.IsFloat() {
			return "a float"
		}
		return "an int"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func uintField(m map[string]any, key string, index uint64, max uint64) (uint64, error) {
	v, ok := m[key]
	if !ok {
		return 0, malformed(index, "missing field %q", key)
	}
	n, ok := v.(Number)
	if !ok || !n.IsInt() {
		return 0, malformed(index, "%s is %s, want an int", key, jsonType(v))
	}
	u, ok := n.Uint64()
	if !ok || u > max {
		return 0, malformed(index, "%s %.40s is out of range 0..%d", key, n, max)
	}
	return u, nil
}

func blockFromValue(v any) (*Block, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, malformed(0, "a block is %s, want an object", jsonType(v))
	}
	b := &Block{}
	idx, err := uintField(m, "index", 0, math.MaxUint64)
	if err != nil {
		return nil, err
	}
	if idx == 0 {
		return nil, malformed(0, "index 0: indexes start at 1")
	}
	b.Index = idx
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !blockKeys[k] {
			return nil, malformed(idx, "unknown field %.40q", k)
		}
	}
	ts, ok := m["timestamp"]
	if !ok {
		return nil, malformed(idx, "missing field \"timestamp\"")
	}
	if b.Timestamp, ok = ts.(Number); !ok {
		return nil, malformed(idx, "timestamp is %s, want a number", jsonType(ts))
	}
	if b.Proof, err = uintField(m, "proof", idx, math.MaxUint64); err != nil {
		return nil, err
	}
	ph, ok := m["prev_hash"]
	if !ok {
		return nil, malformed(idx, "missing field \"prev_hash\"")
	}
	if idx == 1 {
		if n, ok := ph.(Number); !ok || !n.Equal(Int(1)) {
			return nil, malformed(idx, "a genesis block's prev_hash must be the int 1, got %s", jsonType(ph))
		}
	} else {
		s, ok := ph.(string)
		if !ok {
			return nil, malformed(idx, "prev_hash is %s, want a string", jsonType(ph))
		}
		if b.PrevHash, err = ParseHash(s); err != nil {
			return nil, malformed(idx, "prev_hash: %v", err)
		}
	}
	txs, ok := m["transactions"]
	if !ok {
		return nil, malformed(idx, "missing field \"transactions\"")
	}
	list, ok := txs.([]any)
	if !ok {
		return nil, malformed(idx, "transactions is %s, want an array", jsonType(txs))
	}
	b.Transactions = make([]Tx, 0, len(list))
	for i, tv := range list {
		tx, err := txFromValue(tv)
		if err != nil {
			return nil, malformed(idx, "transaction %d: %v", i, err)
		}
		b.Transactions = append(b.Transactions, tx)
	}

	_, hasV := m["version"]
	_, hasM := m["merkle_root"]
	_, hasT := m["target"]
	_, hasB := m["bits"]
	switch {
	case !hasV && !hasM && !hasT && !hasB:
		return b, nil
	case hasT && hasB:
		return nil, malformed(idx, "a block carries target (powlab rules) or bits (bitcoin rules), not both")
	case hasB && (!hasV || !hasM):
		return nil, malformed(idx, "a bitcoin block needs all of version, merkle_root and bits")
	case !hasB && (!hasV || !hasM || !hasT):
		return nil, malformed(idx, "a powlab block needs all of version, merkle_root and target")
	}
	ver, err := uintField(m, "version", idx, math.MaxUint32)
	if err != nil {
		return nil, err
	}
	if ver == 0 {
		return nil, malformed(idx, "version 0: powlab blocks start at version 1")
	}
	b.Version = uint32(ver)
	mr, ok := m["merkle_root"].(string)
	if !ok {
		return nil, malformed(idx, "merkle_root is %s, want a string", jsonType(m["merkle_root"]))
	}
	if b.MerkleRoot, err = ParseHash(mr); err != nil {
		return nil, malformed(idx, "merkle_root: %v", err)
	}
	if hasB {
		bs, ok := m["bits"].(string)
		if !ok {
			return nil, malformed(idx, "bits is %s, want a string", jsonType(m["bits"]))
		}
		if !isLowerHex(bs, 8) {
			return nil, malformed(idx, "bits %.40q is not 8 lower-case hex digits", bs)
		}
		v, _ := strconv.ParseUint(bs, 16, 32)
		if v == 0 {
			return nil, malformed(idx, "bits 00000000 is not a target")
		}
		b.Bits = uint32(v)
		if cv, ok := m["coinbase"]; ok {
			cs, ok := cv.(string)
			if !ok {
				return nil, malformed(idx, "coinbase is %s, want a string", jsonType(cv))
			}
			if len(cs) == 0 || len(cs) > 2*maxCoinbaseJSON || !isLowerHex(cs, len(cs)) || len(cs)%2 != 0 {
				return nil, malformed(idx, "coinbase %.40q… is not 1 to %d bytes of lower-case hex", cs, maxCoinbaseJSON)
			}
			b.Coinbase, _ = hex.DecodeString(cs)
		}
		return b, nil
	}
	if _, ok := m["coinbase"]; ok {
		return nil, malformed(idx, "coinbase belongs to bitcoin blocks (with bits)")
	}
	ts2, ok := m["target"].(string)
	if !ok {
		return nil, malformed(idx, "target is %s, want a string", jsonType(m["target"]))
	}
	if b.Target, err = ParseCompactHex(ts2); err != nil {
		return nil, malformed(idx, "%v", err)
	}
	return b, nil
}

func txFromValue(v any) (Tx, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Tx{}, fmt.Errorf("%w: a transaction is %s, want an object", ErrInvalidTx, jsonType(v))
	}
	for k := range m {
		if k != "sender" && k != "recipient" && k != "amount" {
			return Tx{}, fmt.Errorf("%w: unknown field %.40q", ErrInvalidTx, k)
		}
	}
	var tx Tx
	for _, f := range []struct {
		key string
		dst *string
	}{{"sender", &tx.Sender}, {"recipient", &tx.Recipient}} {
		x, ok := m[f.key]
		if !ok {
			return Tx{}, fmt.Errorf("%w: missing field %q", ErrInvalidTx, f.key)
		}
		s, ok := x.(string)
		if !ok {
			return Tx{}, fmt.Errorf("%w: %s is %s, want a string", ErrInvalidTx, f.key, jsonType(x))
		}
		*f.dst = s
	}
	a, ok := m["amount"]
	if !ok {
		return Tx{}, fmt.Errorf("%w: missing field \"amount\"", ErrInvalidTx)
	}
	if tx.Amount, ok = a.(Number); !ok {
		return Tx{}, fmt.Errorf("%w: amount is %s, want a number", ErrInvalidTx, jsonType(a))
	}
	return tx, nil
}

// Limits on transactions, in the mempool and in blocks.
const (
	// MaxPartyLen bounds sender and recipient (bytes of UTF-8).
	MaxPartyLen = 256
	// MaxTxJSON bounds a transaction's canonical JSON.
	MaxTxJSON = 1024
	// MaxBlockTxs bounds the transactions in one block, reward included.
	MaxBlockTxs = 10000
)

// CheckTx checks a transaction's fields: non-empty valid UTF-8 sender and
// recipient of at most MaxPartyLen bytes, an amount that is a positive
// finite number, a canonical form of at most MaxTxJSON bytes. Errors wrap
// ErrInvalidTx.
func CheckTx(tx Tx) error {
	for _, f := range []struct{ name, v string }{{"sender", tx.Sender}, {"recipient", tx.Recipient}} {
		switch {
		case f.v == "":
			return fmt.Errorf("%w: empty %s", ErrInvalidTx, f.name)
		case !utf8.ValidString(f.v):
			return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidTx, f.name)
		case len(f.v) > MaxPartyLen:
			return fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrInvalidTx, f.name, len(f.v), MaxPartyLen)
		}
	}
	if tx.Amount.Sign() <= 0 {
		return fmt.Errorf("%w: amount %.40s is not positive", ErrInvalidTx, tx.Amount)
	}
	if tx.Amount.IsFloat() && math.IsInf(tx.Amount.Float64(), 0) {
		return fmt.Errorf("%w: amount is not finite", ErrInvalidTx)
	}
	// An escape writes at most 6 bytes per input byte; skip building the
	// JSON when even that cannot exceed the limit.
	if bound := 6*(len(tx.Sender)+len(tx.Recipient)) + len(tx.Amount.String()) + 48; bound <= MaxTxJSON {
		return nil
	}
	if n := len(tx.CanonicalJSON()); n > MaxTxJSON {
		return fmt.Errorf("%w: %d bytes of JSON, the limit is %d", ErrInvalidTx, n, MaxTxJSON)
	}
	return nil
}

// EncodeChainJSON writes the tutorial's /chain document,
// {"chain": [...], "length": n}, with blocks in canonical form.
func EncodeChainJSON(blocks []*Block) []byte {
	out := make([]byte, 0, 64+300*len(blocks))
	out = append(out, `{"chain": [`...)
	for i, b := range blocks {
		if i > 0 {
			out = append(out, ", "...)
		}
		out = b.appendCanonical(out)
	}
	out = append(out, `], "length": `...)
	out = strconv.AppendInt(out, int64(len(blocks)), 10)
	return append(out, '}')
}

// DecodeChainJSON reads the tutorial's /chain document. "length" must equal
// the number of blocks. Errors wrap ErrBadJSON or ErrEmptyChain, or are a
// *RuleError (CodeMalformed) naming the block.
func DecodeChainJSON(data []byte) ([]*Block, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: a chain document is %s, want an object", ErrBadJSON, jsonType(v))
	}
	cv, ok := m["chain"]
	if !ok {
		return nil, fmt.Errorf("%w: no \"chain\" field", ErrBadJSON)
	}
	list, ok := cv.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: chain is %s, want an array", ErrBadJSON, jsonType(cv))
	}
	if lv, ok := m["length"]; ok {
		n, ok := lv.(Number)
		u, ok2 := n.Uint64()
		if !ok || !ok2 || u != uint64(len(list)) {
			return nil, fmt.Errorf("%w: length %v does not match the %d blocks", ErrBadJSON, lv, len(list))
		}
	}
	if len(list) == 0 {
		return nil, ErrEmptyChain
	}
	blocks := make([]*Block, len(list))
	for i, bv := range list {
		b, err := blockFromValue(bv)
		if err != nil {
			if re, ok := IsRuleError(err); ok && re.Index == 0 {
				re.Msg = fmt.Sprintf("chain position %d: %s", i, re.Msg)
			}
			return nil, err
		}
		blocks[i] = b
	}
	return blocks, nil
}
