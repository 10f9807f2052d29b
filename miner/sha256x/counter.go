package sha256x

import "encoding/binary"

// decimalAdder adds a fixed step to a nonce written in ASCII decimal in
// place, so that moving to the next nonce costs a digit or two instead of a
// full conversion.
type decimalAdder struct {
	step    uint64
	stepRev [MaxDecimalWidth]byte // step's digits, least significant first
	nstep   int
}

func newDecimalAdder(step uint64) decimalAdder {
	a := decimalAdder{step: step}
	for v := step; ; {
		a.stepRev[a.nstep] = byte(v % 10)
		a.nstep++
		v /= 10
		if v == 0 {
			break
		}
	}
	return a
}

// add adds the step to the digits d (ASCII, most significant first). It
// returns false when the sum needs more digits than len(d); d is then left
// in an unspecified state and the caller rewrites the nonce from its value.
func (a *decimalAdder) add(d []byte) bool {
	if a.step == 1 {
		for i := len(d) - 1; i >= 0; i-- {
			if d[i] != '9' {
				d[i]++
				return true
			}
			d[i] = '0'
		}
		return false
	}
	if a.nstep > len(d) {
		return false
	}
	var carry byte
	for j := 0; j < len(d); j++ {
		var s byte
		if j < a.nstep {
			s = a.stepRev[j]
		} else if carry == 0 {
			return true
		}
		p := len(d) - 1 - j
		v := d[p] - '0' + s + carry
		carry = 0
		if v >= 10 {
			v -= 10
			carry = 1
		}
		d[p] = '0' + v
	}
	return carry == 0
}

// advance writes nonce n, one step past the nonce at b[off:off+width], in
// place: eight big-endian bytes for Binary, four little-endian ones for
// LE32, a decimal add otherwise. It
// returns false when n needs a different number of digits; the caller then
// lays its buffer out again for n.
func (a *decimalAdder) advance(e Encoding, b []byte, off, width int, n uint64) bool {
	switch e {
	case Binary:
		binary.BigEndian.PutUint64(b[off:], n)
		return true
	case LE32:
		binary.LittleEndian.PutUint32(b[off:], uint32(n))
		return true
	}
	return a.add(b[off : off+width])
}
