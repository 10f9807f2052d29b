//go:build !purego && !noasm

package sha256x

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

func init() {
	register(&Kernel{
		Name: "avx512", Algo: SHA256d, Lanes: 16,
		Desc:      "AVX-512: header sha256d, 16 ZMM lanes per step, one step's first hash interleaved with the last one's second, early exit on word 7",
		Needs:     []string{"AVX", "AVX512F"},
		Available: hasAVX512,
		Reason:    missing(hasAVX512, "AVX", "AVX512F"),
		New:       func(j *Job) Searcher { return newSHA256dAVX(j, sha256dAVX512, 16) },
		rank:      40,
	})
	register(&Kernel{
		Name: "avx2", Algo: SHA256d, Lanes: 8,
		Desc:      "AVX2: header sha256d, 8 YMM lanes per step, nonce-free work once per job, early exit on word 7",
		Needs:     []string{"AVX", "AVX2"},
		Available: hasAVX2,
		Reason:    missing(hasAVX2, "AVX", "AVX2"),
		New:       func(j *Job) Searcher { return newSHA256dAVX(j, sha256dAVX2, 8) },
		rank:      25,
	})
}

// sha256dCtx is the memory the sha256d kernels read and write. Its layout
// is fixed by the offsets in _asm/avx/sha256d.go; TestSHA256dCtxLayout
// checks them.
type sha256dCtx struct {
	kw1  [64]uint32 // K+W of the header's second block (K alone for per-lane words)
	inv1 [64]uint32 // per-lane schedule words: their lane-invariant terms, summed
	kw2  [64]uint32 // the same for the second hash; kw2[60] also holds IV[7]
	inv2 [64]uint32
	st1  [8]uint32 // state after rounds 0..3 of the second block, round 3 without W[3]
	mid  [8]uint32 // state after the first block
	st2  [8]uint32 // second hash: state after round 0 without W[0]
	qm   uint32    // quick test: ((h7 & qm) ^ qx) <= ql
	qx   uint32
	ql   uint32
	swap uint32    // 0x00ff00ff: the AVX-512 byte swap's select mask
	_    [4]uint32 //
	shuf [8]uint32 // VPSHUFB control that byte-swaps each word (AVX2)
	_    [8]uint32
	lane [32]uint32        // 0..31: nonce offset of each lane
	h7   [32]uint32        // word 7 of every lane's digest, last step run
	ring [2][16][16]uint32 // schedule ring of each batch
	hand [8][16]uint32     // digest words from the first hash to the second (pipelined kernel)
}

// sha256dKernel is a generated sha256d kernel (see sha256dAVX512).
type sha256dKernel func(c *[1008]uint32, n uint32, nb int) (i int, mask uint32)

// digestConsts is the second hash's part of every sha256dCtx: its message
// is a 32-byte digest, so everything but words 0..7 is fixed.
type digestConsts struct {
	kw, inv [64]uint32
	st      [8]uint32
}

var digestPlan = func() (p digestConsts) {
	words := [16]uint32{8: 0x80000000, 15: 256}
	lane := [16]bool{true, true, true, true, true, true, true, true}
	planConsts(&words, &lane, &p.kw, &p.inv)
	p.st = iv
	scalarRounds(&p.st, &p.kw, 1) // round 0 without W[0]: kw[0] is K[0]
	// The kernels stop after round 60: the digest's word 7 is IV[7]
	// plus e after that round.
	p.kw[60] += iv[7]
	return p
}()

// newSHA256dCtx lays out the plan of a header job: prefix is the header's
// first 76 bytes.
func newSHA256dCtx(prefix []byte, t *Target) *sha256dCtx {
	c := new(sha256dCtx)
	c.mid = iv
	Compress(&c.mid, prefix[:64])
	var words [16]uint32
	for i := 0; i < 3; i++ {
		words[i] = binary.BigEndian.Uint32(prefix[64+4*i:])
	}
	words[4], words[15] = 0x80000000, 640
	lane := [16]bool{3: true}
	planConsts(&words, &lane, &c.kw1, &c.inv1)
	c.st1 = c.mid
	scalarRounds(&c.st1, &c.kw1, 4) // kw1[3] is K[3]: the kernel adds W[3]
	c.kw2, c.inv2, c.st2 = digestPlan.kw, digestPlan.inv, digestPlan.st
	_, c.qm, c.qx, c.ql = t.QuickTest()
	c.swap = 0x00ff00ff
	for i := range c.shuf {
		c.shuf[i] = 0x00010203 + 0x04040404*uint32(i%4)
	}
	for i := range c.lane {
		c.lane[i] = uint32(i)
	}
	return c
}

// sha256dAVX is the Searcher of the sha256d kernels on Bitcoin's header
// shape.
type sha256dAVX struct {
	job   *Job
	c     *sha256dCtx
	fn    sha256dKernel
	lanes uint64
	hdr   [HeaderLen]byte
}

func newSHA256dAVX(j *Job, fn sha256dKernel, lanes int) Searcher {
	if !IsHeaderJob(j) || j.Target.QuickWord() != 7 {
		return newGeneric(j)
	}
	s := &sha256dAVX{job: j, c: newSHA256dCtx(j.Prefix, &j.Target), fn: fn, lanes: uint64(lanes)}
	copy(s.hdr[:], j.Prefix)
	return s
}

// confirm is the exact test of index i, independent of the kernels.
func (s *sha256dAVX) confirm(i uint64) bool {
	binary.LittleEndian.PutUint32(s.hdr[HeaderNonceOffset:], uint32(s.job.Nonce(i)))
	d := Sum256d(s.hdr[:])
	return s.job.Target.MeetsDigest(&d)
}

func (s *sha256dAVX) Search(from, count uint64) (uint64, bool) {
	cp := (*[1008]uint32)(unsafe.Pointer(s.c))
	for count > 0 {
		// One call runs the whole range, or up to the first step with a
		// candidate. The last step's lanes past the range are hashed
		// (their nonces wrap modulo 2^32) but masked off here.
		steps := (count + s.lanes - 1) / s.lanes
		i, mask := s.fn(cp, uint32(s.job.Nonce(from)), int(steps))
		done := uint64(i) * s.lanes
		k := min(s.lanes, count-done)
		mask &= uint32(1<<k - 1)
		for mask != 0 {
			l := uint64(bits.TrailingZeros32(mask))
			mask &= mask - 1
			if s.confirm(from + done + l) {
				return from + done + l, true
			}
		}
		from += done + k
		count -= done + k
	}
	return 0, false
}

// sha256dTwin is the Go twin of the sha256d kernels with the given lanes
// per step: from the same ctx it hashes the same nonces the plain way (the
// header's second block from st1 with W[3] added, the whole schedule, the
// feed-forward, then the full second SHA-256) and returns what the kernel
// returns and leaves in c.h7.
func sha256dTwin(c *sha256dCtx, lanes int, n uint32, nb int) (i int, mask uint32) {
	for i = 0; i < nb; i++ {
		mask = 0
		for l := 0; l < lanes; l++ {
			var w [64]uint32
			for t := 0; t < 16; t++ {
				w[t] = c.kw1[t] - roundK[t]
			}
			w[3] = bits.ReverseBytes32(n + uint32(i*lanes+l))
			expandSchedule(&w)
			s := c.st1
			s[0] += w[3]
			s[4] += w[3]
			roundsFrom(&s, &w, 4)
			for x := range s {
				s[x] += c.mid[x]
			}
			rehash(&s, &w)
			c.h7[l] = s[7]
			if (s[7]&c.qm)^c.qx <= c.ql {
				mask |= 1 << l
			}
		}
		if mask != 0 {
			return i, mask
		}
	}
	return nb - 1, 0
}
