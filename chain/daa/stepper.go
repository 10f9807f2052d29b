package daa

import "github.com/holiman/uint256"

// maxRing bounds the blocks a generic Stepper keeps (48 bytes each).
const maxRing = 1 << 22

// NewStepper returns a Stepper for a: its own when a is Incremental,
// otherwise one that keeps the last Window+2 blocks (at most 2^22, and
// always the first) in a Ring and calls a.Next over it, which covers every
// window the registered algorithms read.
func NewStepper(a Algorithm) Stepper {
	if inc, ok := a.(Incremental); ok {
		return inc.NewStepper()
	}
	w := a.Params().Window
	return &ringStepper{a: a, r: NewRing(int(min(w, maxRing-2) + 2))}
}

type ringStepper struct {
	a Algorithm
	r *Ring
}

func (s *ringStepper) Add(b Block)       { s.r.Push(b) }
func (s *ringStepper) Next() uint256.Int { return s.a.Next(s.r) }
