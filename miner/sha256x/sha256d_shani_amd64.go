//go:build !purego && !noasm

package sha256x

import (
	"encoding/binary"
	"unsafe"
)

// shaniDStreams is the number of nonces the sha256d SHA-NI kernel hashes
// side by side. SHA256RNDS2 has a latency of about 4 cycles and issues
// every 2 on the development machine (AMD EPYC, Zen 4), so two streams
// leave no slack for the schedule and the X0 loads: four measure 23 M/s
// per core there, two 14 M/s (BenchmarkSHANISHA256dStreams), four being
// about 94% of the SHA unit's 60 SHA256RNDS2 per nonce. Eight would need
// 16 state registers, and the legacy-encoded SHA instructions reach only
// X0..X15, X0 being their implicit operand.
const shaniDStreams = 4

func init() {
	registerSHANI(SHA256d, shaniDStreams, "SHA extensions, 4 interleaved headers, block 2 from round 4, second hash to round 60", newSHANISHA256d)
}

// shaniDCtx is the per-job input of the shaniSHA256d kernels; the
// generator (_asm/shani, dfMid…dfQLimit) relies on this layout.
type shaniDCtx struct {
	mid  [8]uint32 // state after header bytes 0..63, SHA-NI layout
	st4  [8]uint32 // block 2 after round 3 with W3 = 0, SHA-NI layout
	w012 [4]uint32 // block 2's W0, W1, W2, then 0
	// The quick test on digest word 7, each value in every dword:
	// pass when ((h7 & qmask) ^ qxor) <= qlimit.
	qmask, qxor, qlimit [4]uint32
}

// newSHANIDCtx prepares the kernel's input for a header prefix (76 bytes)
// and a quick test.
func newSHANIDCtx(prefix []byte, mask, xor, limit uint32) shaniDCtx {
	p := newHeaderPlan(prefix)
	var c shaniDCtx
	c.mid = toSHANI(&p.mid)
	st := p.mid
	roundsGo(&st, []uint32{p.w[0], p.w[1], p.w[2], 0}, 0)
	c.st4 = toSHANI(&st)
	c.w012 = [4]uint32{p.w[0], p.w[1], p.w[2], 0}
	for i := range 4 {
		c.qmask[i], c.qxor[i], c.qlimit[i] = mask, xor, limit
	}
	return c
}

// shaniDSearcher runs sha256d on Bitcoin's header shape with the SHA-NI
// kernel. The kernel stops at the first group of streams holding a lane
// that passes the quick test on digest word 7; each passing lane is then
// confirmed with Sum256d and the exact target.
type shaniDSearcher struct {
	job     *Job
	streams int // 2 or 4: which kernel runs (tests and benchmarks vary it)
	ctx     shaniDCtx
	out     [4]uint32
	hdr     [HeaderLen]byte
}

func newSHANISHA256d(j *Job) Searcher { return newSHANISHA256dStreams(j, shaniDStreams) }

// newSHANISHA256dStreams returns the searcher running the kernel with the
// given number of streams (2 or 4); jobs the kernel does not cover go to
// the generic kernel.
func newSHANISHA256dStreams(j *Job, streams int) Searcher {
	w, mask, xor, limit := j.Target.QuickTest()
	if !IsHeaderJob(j) || w != 7 {
		return newGeneric(j)
	}
	s := &shaniDSearcher{job: j, streams: streams, ctx: newSHANIDCtx(j.Prefix, mask, xor, limit)}
	copy(s.hdr[:], j.Prefix)
	return s
}

// shaniDMaxGroups bounds one kernel call so the nonce count stays in an int
// on every platform and a call's work stays small (about 0.5 ms).
const shaniDMaxGroups = 1 << 14

func (s *shaniDSearcher) Search(from, count uint64) (uint64, bool) {
	j := s.job
	st := uint64(s.streams)
	c := (*[32]uint32)(unsafe.Pointer(&s.ctx))
	for count > 0 {
		groups := min((count+st-1)/st, shaniDMaxGroups)
		nonce := uint32(j.Start + from)
		var g int
		if s.streams == 2 {
			g = shaniSHA256d2(c, nonce, int(groups), &s.out)
		} else {
			g = shaniSHA256d4(c, nonce, int(groups), &s.out)
		}
		if uint64(g) == groups {
			done := groups * st
			if done >= count {
				return 0, false
			}
			from += done
			count -= done
			continue
		}
		// Group g holds a lane that passes the quick test.
		first := from + uint64(g)*st
		for l := uint64(0); l < st && first+l < from+count; l++ {
			if j.Target.Quick(s.out[l]) && s.confirm(first+l) {
				return first + l, true
			}
		}
		done := uint64(g+1) * st
		if done >= count {
			return 0, false
		}
		from += done
		count -= done
	}
	return 0, false
}

// confirm is the exact test of index i, independent of the kernel: the
// header is rebuilt and hashed with crypto/sha256 twice.
func (s *shaniDSearcher) confirm(i uint64) bool {
	binary.LittleEndian.PutUint32(s.hdr[HeaderNonceOffset:], uint32(s.job.Nonce(i)))
	d := Sum256d(s.hdr[:])
	return s.job.Target.MeetsDigest(&d)
}

// shaniSHA256dGo is the Go twin of the shaniSHA256d kernels with the given
// number of streams: the same outputs from the same inputs.
func shaniSHA256dGo(c *shaniDCtx, nonce uint32, groups, streams int, out *[4]uint32) int {
	var w [64]uint32
	for g := 0; g < groups; g++ {
		pass := false
		for l := 0; l < streams; l++ {
			n := nonce + uint32(g*streams+l)
			w3 := n>>24 | n>>8&0xff00 | n<<8&0xff0000 | n<<24
			// Block 2 from round 4: a and e of the round-3 state get W3.
			st := fromSHANI(c.st4[:])
			st[0] += w3
			st[4] += w3
			w[0], w[1], w[2], w[3] = c.w012[0], c.w012[1], c.w012[2], w3
			w[4] = 0x80000000
			for i := 5; i < 15; i++ {
				w[i] = 0
			}
			w[15] = 640
			expandGo(&w)
			roundsGo(&st, w[4:], 4)
			h := fromSHANI(c.mid[:])
			for i := range h {
				h[i] += st[i]
			}
			// The digest from round 0 to round 60; h7 = IV[7] + e.
			copy(w[:8], h[:])
			w[8] = 0x80000000
			for i := 9; i < 15; i++ {
				w[i] = 0
			}
			w[15] = 256
			expandGo(&w)
			st = iv
			roundsGo(&st, w[:61], 0)
			out[l] = iv[7] + st[4]
			if (out[l]&c.qmask[0])^c.qxor[0] <= c.qlimit[0] {
				pass = true
			}
		}
		if pass {
			return g
		}
	}
	return groups
}
