package sha256x

import (
	"encoding/binary"
)

// genericSearcher is the pure-Go kernel: the state after the whole 64-byte
// blocks of the prefix (the midstate) is computed once; each attempt updates
// the nonce in place in the padded tail and compresses only the tail blocks.
// For sha256d the digest is then hashed once more (rehash).
type genericSearcher struct {
	job    *Job
	mid    [8]uint32
	rest   []byte // prefix bytes after the midstate blocks
	hashed int    // prefix bytes covered by mid
	tail   []byte // rest || nonce || suffix || padding
	width  int    // nonce length currently laid out in tail
	add    decimalAdder
	w      [64]uint32
}

func newGeneric(j *Job) Searcher {
	n := len(j.Prefix) &^ 63
	s := &genericSearcher{job: j, mid: iv, rest: j.Prefix[n:], hashed: n, add: newDecimalAdder(j.Step)}
	Compress(&s.mid, j.Prefix[:n])
	return s
}

// layout writes the tail for nonce n.
func (s *genericSearcher) layout(n uint64) {
	t := append(s.tail[:0], s.rest...)
	t = AppendNonce(t, s.job.Encoding, n)
	s.width = len(t) - len(s.rest)
	t = append(t, s.job.Suffix...)
	s.tail = appendPadding(t, s.hashed+len(t))
}

func (s *genericSearcher) Search(from, count uint64) (uint64, bool) {
	j := s.job
	n := j.Nonce(from)
	s.layout(n)
	off := len(s.rest)
	for i := uint64(0); i < count; i++ {
		if i > 0 {
			n += j.Step
			if !s.add.advance(j.Encoding, s.tail, off, s.width, n) {
				s.layout(n)
			}
		}
		h := s.mid
		for b := s.tail; len(b) >= 64; b = b[64:] {
			for k := 0; k < 16; k++ {
				s.w[k] = binary.BigEndian.Uint32(b[4*k:])
			}
			compressWords(&h, &s.w)
		}
		if j.Algo == SHA256d {
			rehash(&h, &s.w)
		}
		if j.Target.Meets(&h) {
			return from + i, true
		}
	}
	return 0, false
}
