package miner

import (
	"fmt"
	"strconv"

	"github.com/powlab/powlab/miner/sha256x"
)

// Puzzle is what a search hashes: Prefix || encode(nonce) || Suffix for
// nonce = Start, Start+Step, Start+2·Step, …
type Puzzle struct {
	Prefix   []byte
	Encoding sha256x.Encoding
	Suffix   []byte
	Start    uint64
	Step     uint64 // 0 means 1
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
	j := &sha256x.Job{Prefix: p.Prefix, Encoding: p.Encoding, Suffix: p.Suffix, Start: p.Start, Step: p.step(), Target: t.Compile()}
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
	s := fmt.Sprintf("sha256(%q + %s nonce", p.Prefix, p.Encoding)
	if len(p.Suffix) > 0 {
		s += fmt.Sprintf(" + %q", p.Suffix)
	}
	s += ")"
	if p.Start != 0 || p.step() != 1 {
		s += fmt.Sprintf(", nonce = %d + %d·i", p.Start, p.step())
	}
	return s
}
