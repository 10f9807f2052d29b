package sha256x

import (
	"crypto/sha256"
	"encoding/binary"
)

// stdlibSearcher hashes the whole message with crypto/sha256.Sum256 on a
// reused buffer, moving the nonce in place; for sha256d it hashes the digest
// again with Sum256.
type stdlibSearcher struct {
	job   *Job
	buf   []byte
	width int
	add   decimalAdder
}

func newStdlib(j *Job) Searcher {
	return &stdlibSearcher{job: j, add: newDecimalAdder(j.Step)}
}

func (s *stdlibSearcher) layout(n uint64) {
	b := append(s.buf[:0], s.job.Prefix...)
	b = AppendNonce(b, s.job.Encoding, n)
	s.width = len(b) - len(s.job.Prefix)
	s.buf = append(b, s.job.Suffix...)
}

func (s *stdlibSearcher) Search(from, count uint64) (uint64, bool) {
	j := s.job
	n := j.Nonce(from)
	s.layout(n)
	off := len(j.Prefix)
	qw := 4 * j.Target.QuickWord()
	for i := uint64(0); i < count; i++ {
		if i > 0 {
			n += j.Step
			if !s.add.advance(j.Encoding, s.buf, off, s.width, n) {
				s.layout(n)
			}
		}
		d := sha256.Sum256(s.buf)
		if j.Algo == SHA256d {
			d = sha256.Sum256(d[:])
		}
		if j.Target.Quick(binary.BigEndian.Uint32(d[qw:])) && j.Target.MeetsDigest(&d) {
			return from + i, true
		}
	}
	return 0, false
}
