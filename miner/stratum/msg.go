package stratum

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrProtocol is wrapped by every error about a line the pool sent.
var ErrProtocol = errors.New("stratum protocol error")

func protoErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// Limits on what a pool may send, so hostile input costs bounded memory.
const (
	// DefaultMaxLineBytes bounds one line: a notify carries the coinbase
	// halves and the Merkle branch, a few KiB at most on real pools.
	DefaultMaxLineBytes = 16 << 10
	maxBranch           = 32  // a tree of 2^32 transactions
	maxJobIDLen         = 128 // pools use a few hex digits
	maxExtranonceBytes  = 32
)

// request is a line the client sends.
type request struct {
	ID     uint64 `json:"id"`
	Method string `json:"method"`
	Params []any  `json:"params"`
}

// message is any line the pool sends: a response (ID, Result, Error) or a
// notification (Method, Params).
type message struct {
	ID     json.RawMessage `json:"id"`
	Method *string         `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func decodeMessage(line []byte) (message, error) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return m, protoErrorf("invalid JSON: %v", err)
	}
	return m, nil
}

// id is the response's numeric id (ok false for null, missing or another
// type).
func (m *message) id() (uint64, bool) {
	var id uint64
	if len(m.ID) == 0 || json.Unmarshal(m.ID, &id) != nil {
		return 0, false
	}
	return id, true
}

// isNull reports whether a raw JSON value is absent or null.
func isNull(r json.RawMessage) bool {
	r = bytes.TrimSpace(r)
	return len(r) == 0 || bytes.Equal(r, []byte("null"))
}

// params splits a params array, requiring at least n elements.
func params(method string, raw json.RawMessage, n int) ([]json.RawMessage, error) {
	var ps []json.RawMessage
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, protoErrorf("%s: params are not an array", method)
	}
	if len(ps) < n {
		return nil, protoErrorf("%s: %d params, want %d", method, len(ps), n)
	}
	return ps, nil
}

func str(method, field string, raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", protoErrorf("%s: %s is not a string", method, field)
	}
	return s, nil
}

func hexBytes(method, field string, raw json.RawMessage, maxLen int) ([]byte, error) {
	s, err := str(method, field, raw)
	if err != nil {
		return nil, err
	}
	if len(s) > 2*maxLen {
		return nil, protoErrorf("%s: %s has %d hex digits, at most %d", method, field, len(s), 2*maxLen)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, protoErrorf("%s: %s: %v", method, field, err)
	}
	return b, nil
}

// subscription is the result of mining.subscribe.
type subscription struct {
	Extranonce1     []byte
	Extranonce2Size int
}

// parseSubscribe reads [[subscriptions…], extranonce1_hex, extranonce2_size].
func parseSubscribe(raw json.RawMessage) (subscription, error) {
	ps, err := params("mining.subscribe result", raw, 3)
	if err != nil {
		return subscription{}, err
	}
	return parseExtranonce("mining.subscribe result", ps[1], ps[2])
}

// parseExtranonce reads an extranonce1 hex and an extranonce2 size, as
// the subscribe result and mining.set_extranonce carry them.
func parseExtranonce(method string, en1Raw, sizeRaw json.RawMessage) (subscription, error) {
	en1, err := hexBytes(method, "extranonce1", en1Raw, maxExtranonceBytes)
	if err != nil {
		return subscription{}, err
	}
	var size int
	if err := json.Unmarshal(sizeRaw, &size); err != nil {
		return subscription{}, protoErrorf("%s: extranonce2_size is not a whole number", method)
	}
	if size < 0 || size > maxExtranonceBytes {
		return subscription{}, protoErrorf("%s: extranonce2_size %d, want 0 to %d", method, size, maxExtranonceBytes)
	}
	return subscription{Extranonce1: en1, Extranonce2Size: size}, nil
}

// parseSetDifficulty reads mining.set_difficulty params [D].
func parseSetDifficulty(raw json.RawMessage) (Difficulty, error) {
	ps, err := params("mining.set_difficulty", raw, 1)
	if err != nil {
		return Difficulty{}, err
	}
	var n json.Number
	if err := json.Unmarshal(ps[0], &n); err != nil {
		return Difficulty{}, protoErrorf("mining.set_difficulty: %.40s is not a number", ps[0])
	}
	d, err := ParseDifficulty(n.String())
	if err != nil {
		return Difficulty{}, protoErrorf("mining.set_difficulty: %v", err)
	}
	return d, nil
}

// parseNotify reads mining.notify params [job_id, prevhash, coinb1, coinb2,
// merkle_branch, version, nbits, ntime, clean_jobs].
func parseNotify(raw json.RawMessage) (*Job, error) {
	const m = "mining.notify"
	ps, err := params(m, raw, 9)
	if err != nil {
		return nil, err
	}
	j := &Job{}
	if j.ID, err = str(m, "job_id", ps[0]); err != nil {
		return nil, err
	}
	if j.ID == "" || len(j.ID) > maxJobIDLen {
		return nil, protoErrorf("%s: job_id of %d characters, want 1 to %d", m, len(j.ID), maxJobIDLen)
	}
	s, err := str(m, "prevhash", ps[1])
	if err != nil {
		return nil, err
	}
	prev, err := parseHash("prevhash", s)
	if err != nil {
		return nil, protoErrorf("%s: %v", m, err)
	}
	j.PrevHash = swapWords(prev)
	if j.Coinb1, err = hexBytes(m, "coinb1", ps[2], DefaultMaxLineBytes); err != nil {
		return nil, err
	}
	if j.Coinb2, err = hexBytes(m, "coinb2", ps[3], DefaultMaxLineBytes); err != nil {
		return nil, err
	}
	var branch []json.RawMessage
	if err := json.Unmarshal(ps[4], &branch); err != nil {
		return nil, protoErrorf("%s: merkle_branch is not an array", m)
	}
	if len(branch) > maxBranch {
		return nil, protoErrorf("%s: merkle_branch of %d hashes, at most %d", m, len(branch), maxBranch)
	}
	for i, b := range branch {
		s, err := str(m, "merkle_branch["+strconv.Itoa(i)+"]", b)
		if err != nil {
			return nil, err
		}
		h, err := parseHash("merkle_branch["+strconv.Itoa(i)+"]", s)
		if err != nil {
			return nil, protoErrorf("%s: %v", m, err)
		}
		j.Branch = append(j.Branch, h)
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *uint32
	}{{"version", ps[5], &j.Version}, {"nbits", ps[6], &j.NBits}, {"ntime", ps[7], &j.NTime}} {
		s, err := str(m, f.name, f.raw)
		if err != nil {
			return nil, err
		}
		if *f.dst, err = parseHex32(f.name, s); err != nil {
			return nil, protoErrorf("%s: %v", m, err)
		}
	}
	if err := json.Unmarshal(ps[8], &j.Clean); err != nil {
		return nil, protoErrorf("%s: clean_jobs is not a boolean", m)
	}
	return j, nil
}

// parseResultBool reads a response's result as a boolean (ok false for any
// other type).
func parseResultBool(raw json.RawMessage) (v, ok bool) {
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, false
	}
	return v, true
}

// parseError reads a response's error: Stratum's [code, message, …], a
// JSON-RPC {"code", "message"} object, or a bare string.
func parseError(raw json.RawMessage) (code int, msg string) {
	if isNull(raw) {
		return 0, ""
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		if len(arr) > 0 {
			_ = json.Unmarshal(arr[0], &code)
		}
		if len(arr) > 1 {
			_ = json.Unmarshal(arr[1], &msg)
		}
		return code, clip(msg)
	}
	var obj struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Code, clip(obj.Message)
	}
	if json.Unmarshal(raw, &msg) == nil {
		return 0, clip(msg)
	}
	return 0, clip(string(raw))
}

// clip bounds a pool's text before it reaches a log.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// Password options: many pools read settings from the authorize password,
// written as comma-separated key=value items ("x,d=0.5"). powlab uses two:
// d, the share difficulty a miner asks for (as mining.suggest_difficulty),
// and rate, the hashes/s a rate-capped miner declares, so a lab pool can
// draw a worker's true rate beside its estimate.
const (
	PasswordDifficulty = "d"
	PasswordRate       = "rate"
)

// PasswordOptions returns the key=value items of a password; items
// without "=" (such as the usual "x") are skipped, and a repeated key keeps
// its last value.
func PasswordOptions(pw string) map[string]string {
	opts := map[string]string{}
	for _, item := range strings.Split(pw, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if ok && k != "" {
			opts[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return opts
}

// WithPasswordOption appends key=value to a password.
func WithPasswordOption(pw, key, value string) string {
	if pw == "" {
		return key + "=" + value
	}
	return pw + "," + key + "=" + value
}
