package miner

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"

	"github.com/powlab/powlab/miner/sha256x"
)

// Puzzle is what a search hashes: Prefix || encode(nonce) || Suffix for
// nonce = Start, Start+Step, Start+2·Step, …, with Algo (SHA-256 once, the
// zero value, or sha256d). With Reversed the target tests the digest
// byte-reversed, as Bitcoin shows and compares its block hashes.
type Puzzle struct {
	Algo     sha256x.Algo
	Prefix   []byte
	Encoding sha256x.Encoding
	Suffix   []byte
	Start    uint64
	Step     uint64 // 0 means 1
	Reversed bool
}

// HeaderPuzzle is Bitcoin's proof of work on an 80-byte block header:
// sha256d of the header with the nonce, a little-endian uint32 in its last
// four bytes, running from start upward; the target tests the hash in
// display order (the digest read as a little-endian number). The header's
// own nonce bytes are ignored.
func HeaderPuzzle(header []byte, start uint32) (Puzzle, error) {
	if len(header) != sha256x.HeaderLen {
		return Puzzle{}, fmt.Errorf("a block header has %d bytes, got %d", sha256x.HeaderLen, len(header))
	}
	return Puzzle{
		Algo: sha256x.SHA256d, Prefix: bytes.Clone(header[:sha256x.HeaderNonceOffset]),
		Encoding: sha256x.LE32, Start: uint64(start), Step: 1, Reversed: true,
	}, nil
}

// Hash is digest d as this puzzle's target reads it: d itself, or d
// byte-reversed for a Reversed puzzle (Bitcoin's display order).
func (p Puzzle) Hash(d [32]byte) [32]byte {
	if p.Reversed {
		slices.Reverse(d[:])
	}
	return d
}

// Digest hashes message i the plain way (crypto/sha256, twice for
// sha256d).
func (p Puzzle) Digest(i uint64) [32]byte {
	d := sha256.Sum256(p.Message(i))
	if p.Algo == sha256x.SHA256d {
		d = sha256.Sum256(d[:])
	}
	return d
}

// TutorialPuzzle is the tutorial's valid_proof puzzle:
// sha256(f"{last_proof}{proof}") for proof = 0, 1, 2, …
func TutorialPuzzle(lastProof uint64) Puzzle {
	return Puzzle{Prefix: strconv.AppendUint(nil, lastProof, 10), Encoding: sha256x.Decimal, Step: 1}
}

// MessagePuzzle hashes msg followed by a decimal nonce from start by step.
func MessagePuzzle(msg string, start, step uint64) Puzzle {
	return Puzzle{Prefix: []byte(msg), Encoding: sha256x.Decimal, Start: start, Step: step}
}

func (p Puzzle) step() uint64 {
	if p.Step == 0 {
		return 1
	}
	return p.Step
}

// Job compiles p and t into a kernel job.
func (p Puzzle) Job(t Target) (*sha256x.Job, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("%w: no target", ErrBadTarget)
	}
	j := &sha256x.Job{Algo: p.Algo, Prefix: p.Prefix, Encoding: p.Encoding, Suffix: p.Suffix, Start: p.Start, Step: p.step(), Target: t.compile(p.Reversed)}
	if err := j.Validate(); err != nil {
		return nil, err
	}
	return j, nil
}

// Nonce is the nonce tried at index i.
func (p Puzzle) Nonce(i uint64) uint64 { return p.Start + i*p.step() }

// Message returns the bytes hashed for nonce index i.
func (p Puzzle) Message(i uint64) []byte {
	b := append([]byte(nil), p.Prefix...)
	b = sha256x.AppendNonce(b, p.Encoding, p.Nonce(i))
	return append(b, p.Suffix...)
}

// String describes the puzzle for reports.
func (p Puzzle) String() string {
	if p.Algo == sha256x.SHA256d && p.Encoding == sha256x.LE32 && len(p.Prefix) == sha256x.HeaderNonceOffset && len(p.Suffix) == 0 {
		s := fmt.Sprintf("sha256d(80-byte header %x… + le32 nonce)", p.Prefix[:8])
		if p.Start != 0 || p.step() != 1 {
			s += fmt.Sprintf(", nonce = %d + %d·i", p.Start, p.step())
		}
		return s
	}
	s := fmt.Sprintf("%s(%q + %s nonce", p.Algo, p.Prefix, p.Encoding)
	if len(p.Suffix) > 0 {
		s += fmt.Sprintf(" + %q", p.Suffix)
	}
	s += ")"
	if p.Start != 0 || p.step() != 1 {
		s += fmt.Sprintf(", nonce = %d + %d·i", p.Start, p.step())
	}
	return s
}
