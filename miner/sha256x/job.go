package sha256x

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Encoding is how a nonce is written into the message.
type Encoding uint8

const (
	// Decimal writes the nonce as ASCII decimal digits with no leading zeros,
	// as Python's f"{proof}" does.
	Decimal Encoding = iota
	// Binary writes the nonce as 8 bytes, big-endian.
	Binary
	// LE32 writes the nonce as 4 bytes, little-endian, as Bitcoin's block
	// header holds it. Nonces are limited to 32 bits.
	LE32
)

// BinaryNonceLen is the length of a Binary nonce.
const BinaryNonceLen = 8

// MaxDecimalWidth is the number of digits of the largest uint64.
const MaxDecimalWidth = 20

func (e Encoding) String() string {
	switch e {
	case Decimal:
		return "decimal"
	case Binary:
		return "binary"
	case LE32:
		return "le32"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// Job is a family of messages prefix || encode(nonce(i)) || suffix with
// nonce(i) = Start + i·Step, the hash applied to them (Algo) and the target
// their digests must meet. Index i runs from 0 to MaxIndex().
type Job struct {
	Algo     Algo
	Prefix   []byte
	Encoding Encoding
	Suffix   []byte
	Start    uint64
	Step     uint64
	Target   Target
}

// ErrBadJob is wrapped by Validate's errors.
var ErrBadJob = errors.New("invalid search job")

// Validate checks the job's fields.
func (j *Job) Validate() error {
	if j.Step == 0 {
		return fmt.Errorf("%w: step must be at least 1", ErrBadJob)
	}
	if j.Encoding > LE32 {
		return fmt.Errorf("%w: unknown nonce encoding %d", ErrBadJob, j.Encoding)
	}
	if j.Algo > SHA256d {
		return fmt.Errorf("%w: unknown algorithm %d", ErrBadJob, j.Algo)
	}
	if j.Encoding == LE32 && j.Start > math.MaxUint32 {
		return fmt.Errorf("%w: start nonce %d does not fit the 32-bit nonce", ErrBadJob, j.Start)
	}
	// Keep message lengths far from overflowing the 64-bit bit count.
	if len(j.Prefix) > 1<<30 || len(j.Suffix) > 1<<30 {
		return fmt.Errorf("%w: prefix or suffix longer than 1 GiB", ErrBadJob)
	}
	return nil
}

// MaxIndex is the largest index whose nonce does not overflow the
// encoding's range (uint64, or uint32 for LE32).
func (j *Job) MaxIndex() uint64 {
	if j.Step == 0 {
		return 0
	}
	if j.Encoding == LE32 {
		if j.Start > math.MaxUint32 {
			return 0
		}
		return (math.MaxUint32 - j.Start) / j.Step
	}
	return (math.MaxUint64 - j.Start) / j.Step
}

// Nonce returns nonce(i).
func (j *Job) Nonce(i uint64) uint64 { return j.Start + i*j.Step }

// AppendMessage appends the whole message for index i to b.
func (j *Job) AppendMessage(b []byte, i uint64) []byte {
	b = append(b, j.Prefix...)
	b = AppendNonce(b, j.Encoding, j.Nonce(i))
	return append(b, j.Suffix...)
}

// AppendNonce appends n in encoding e.
// An LE32 nonce is written modulo 2^32.
func AppendNonce(b []byte, e Encoding, n uint64) []byte {
	switch e {
	case Binary:
		return binary.BigEndian.AppendUint64(b, n)
	case LE32:
		return binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return strconv.AppendUint(b, n, 10)
}

// DecimalWidth is the number of decimal digits of n.
func DecimalWidth(n uint64) int {
	w := 1
	for n >= 10 {
		n /= 10
		w++
	}
	return w
}

// NonceLen is the encoded length of n.
func (e Encoding) NonceLen(n uint64) int {
	switch e {
	case Binary:
		return BinaryNonceLen
	case LE32:
		return 4
	}
	return DecimalWidth(n)
}

// Searcher tests a contiguous range of nonce indexes of one Job.
// A Searcher is used by one goroutine at a time; make one per worker.
type Searcher interface {
	// Search tests indexes from, from+1, …, from+count-1 in that order and
	// returns the lowest one whose digest meets the job's target. The caller
	// guarantees from+count-1 <= MaxIndex() and count >= 1.
	Search(from, count uint64) (hit uint64, ok bool)
}
