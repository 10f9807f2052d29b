//go:build !purego && !noasm

package sha256x

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/klauspost/cpuid/v2"
)

// hasSHANI is set once from cpuid. The kernel executes SHA256RNDS2,
// SHA256MSG1, SHA256MSG2 (SHA), PSHUFB and PALIGNR (SSSE3) and SSE2; it is
// gated like Go's own crypto/sha256 on SHA, SSSE3 and SSE4.1 (no VEX-encoded
// instruction is used, so AVX is not needed).
var hasSHANI = cpuid.CPU.Supports(cpuid.SHA, cpuid.SSSE3, cpuid.SSE4)

// shaniStreams is the number of messages hashed side by side. On the
// development machine (AMD EPYC, Zen 4, ~3.4 GHz) SHA256RNDS2 has a latency
// of about 4 cycles but issues about every 2, so one stream is bound by the
// round chain and the schedule chain (about 150 cycles per attempt on the
// tutorial puzzle), two streams reach about 99 and four about 68, near the
// 62 that the 31 SHA256RNDS2 alone take. More would not fit the 16 XMM
// registers that legacy-encoded SHA instructions can use.
// BenchmarkSHANIStreams measures 1, 2 and 4.
const shaniStreams = 4

func init() {
	registerSHANI(SHA256, shaniStreams, "SHA extensions, 4 interleaved messages, midstate + batched nonce layout", newSHANI)
}

// registerSHANI registers the SHA-NI kernel of algorithm a.
func registerSHANI(a Algo, lanes int, desc string, newFn func(*Job) Searcher) {
	k := &Kernel{
		Name: "shani", Algo: a, Lanes: lanes, Desc: desc,
		Needs:     []string{"SHA", "SSSE3", "SSE4.1"},
		Available: hasSHANI,
		New:       newFn,
		rank:      30,
	}
	if !hasSHANI {
		k.Reason = "CPU lacks SHA (SHA-NI), SSSE3 or SSE4.1"
	}
	register(k)
}

// Tuning constants.
const (
	// shaniDecSlots is the number of consecutive decimal nonces laid out per
	// assembly call on the step-1 path: their last two digits run through
	// 00..99 over a shared template, so the template is rewritten once per
	// 100 attempts and each message is template + a precomputed delta.
	shaniDecSlots = 100
	// shaniBinSlots plays the same role for binary nonces: the last byte
	// runs through 0..63.
	shaniBinSlots = 64
	// shaniSlots is the number of individually laid out messages per call
	// on the general path (step > 1, one-digit nonces).
	shaniSlots = 64
	// shaniMaxTail bounds the per-message tail (bytes after the midstate)
	// the kernel takes; longer suffixes go to the generic Go kernel, which
	// keeps the buffers (up to 100 tails) small.
	shaniMaxTail = 8 * 64
)

// shaniPos maps a state word index (a..h) to its place in the SHA-NI layout
// {F, E, B, A, H, G, D, C}.
var shaniPos = [8]int{3, 2, 7, 6, 1, 0, 5, 4}

// toSHANI and fromSHANI convert between the usual state order and the
// SHA-NI layout.
func toSHANI(h *[8]uint32) (o [8]uint32) {
	for i, p := range shaniPos {
		o[p] = h[i]
	}
	return o
}

func fromSHANI(o []uint32) (h [8]uint32) {
	for i, p := range shaniPos {
		h[i] = o[p]
	}
	return h
}

// shaniSearcher hashes the tail blocks of a job (everything after the whole
// 64-byte blocks of the prefix, whose state is computed once) with the SHA
// extensions, shaniStreams messages at a time.
//
// Search splits its range into runs of one decimal width (so all messages of
// a run have the same length). A run is hashed
//   - step 1, binary or at least two digits: in groups aligned to 100 (or
//     64) nonces that share one template tail; message i of a group is the
//     template plus delta[i], which adds i's last digits (or last byte);
//   - otherwise: in groups of 64 slots, each slot a full tail whose nonce is
//     advanced in place.
//
// Each call returns the final states; the target's quick word filters them
// and candidates are confirmed with the exact test and with RefMeets.
type shaniSearcher struct {
	job     *Job
	streams int      // which shaniBlocks variant runs (tests and benchmarks vary it)
	gen     Searcher // generic kernel: tails longer than shaniMaxTail, LE32 nonces
	mid     [8]uint32
	midNI   [8]uint32
	rest    []byte // prefix bytes after the midstate blocks
	hashed  int    // prefix bytes covered by mid

	// quick filter on the state word the target constrains most
	qpos                int
	qmask, qxor, qlimit uint32 // pass: ((v & qmask) ^ qxor) <= qlimit

	// layout of the current run
	width int // nonce width; 0 = nothing laid out
	tlen  int // tail bytes, a multiple of 64
	fast  bool

	tmpl  []byte // fast: one tail; slots: shaniSlots tails
	delta []byte // fast: per-slot deltas; slots: one zero tail
	out   []uint32

	add     decimalAdder // slots: adds shaniSlots·step in place
	addOK   bool         // shaniSlots·step fits in uint64
	scratch []byte
	msg     []byte // confirm's message buffer

	// fast path: state common to a template group (see groupStart)
	cblocks  int    // leading tail blocks identical across a group
	skip     int    // pairs of rounds of the next block identical too
	key      []byte // the bytes gmid and gstart were computed from
	keyOK    bool
	gmid     [8]uint32 // SHA-NI layout: after cblocks blocks
	gstart   [8]uint32 // SHA-NI layout: then after 2·skip rounds
	lastSlot uint64    // slots: nonce of slot 0 in the current layout
}

func newSHANI(j *Job) Searcher { return newSHANIStreams(j, shaniStreams) }

// newSHANIStreams returns a shani searcher running the assembly variant
// with the given number of interleaved streams (1, 2 or 4).
func newSHANIStreams(j *Job, streams int) *shaniSearcher {
	n := len(j.Prefix) &^ 63
	s := &shaniSearcher{job: j, streams: streams, mid: iv, rest: j.Prefix[n:], hashed: n}
	Compress(&s.mid, j.Prefix[:n])
	s.midNI = toSHANI(&s.mid)
	var qw int
	qw, s.qmask, s.qxor, s.qlimit = j.Target.QuickTest()
	s.qpos = shaniPos[qw]
	if j.Step <= math.MaxUint64/shaniSlots {
		s.add = newDecimalAdder(j.Step * shaniSlots)
		s.addOK = true
	}
	s.out = make([]uint32, 8*max(shaniDecSlots, shaniBinSlots, shaniSlots))
	return s
}

// pow10 returns 10^w for w <= 19.
func pow10(w int) uint64 {
	p := uint64(1)
	for ; w > 0; w-- {
		p *= 10
	}
	return p
}

// putDecimal writes v's last len(d) decimal digits into d, zero-padded.
func putDecimal(d []byte, v uint64) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = '0' + byte(v%10)
		v /= 10
	}
}

func (s *shaniSearcher) Search(from, count uint64) (uint64, bool) {
	j := s.job
	last := from + count - 1
	for i := from; ; {
		// The run [i, runLast] has one nonce width.
		runLast := last
		w := j.Encoding.NonceLen(j.Nonce(i))
		if j.Encoding == Decimal && w < MaxDecimalWidth {
			// First index whose nonce has w+1 digits.
			d := pow10(w) - j.Start
			over := d / j.Step
			if d%j.Step != 0 {
				over++
			}
			if over-1 < runLast {
				runLast = over - 1
			}
		}
		if hit, ok := s.run(i, runLast, w); ok {
			return hit, true
		}
		if runLast == last {
			return 0, false
		}
		i = runLast + 1
	}
}

// run searches [a, b], whose nonces all have width w.
func (s *shaniSearcher) run(a, b uint64, w int) (uint64, bool) {
	j := s.job
	tlen := padLen(len(s.rest) + w + len(j.Suffix))
	if tlen > shaniMaxTail || j.Algo != SHA256 || j.Encoding == LE32 {
		if s.gen == nil {
			s.gen = newGeneric(j)
		}
		return s.gen.Search(a, b-a+1)
	}
	fast := j.Step == 1 && (j.Encoding == Binary || w >= 2)
	if w != s.width || tlen != s.tlen || fast != s.fast {
		s.layout(w, tlen, fast)
	}
	if fast {
		return s.runFast(a, b)
	}
	return s.runSlots(a, b)
}

// layout builds the template tail(s) and deltas for width w.
func (s *shaniSearcher) layout(w, tlen int, fast bool) {
	j := s.job
	s.width, s.tlen, s.fast = w, tlen, fast
	t := append(s.scratch[:0], s.rest...)
	t = append(t, make([]byte, w)...) // the nonce goes here
	t = append(t, j.Suffix...)
	t = appendPadding(t, s.hashed+len(t))
	s.scratch = t
	off := len(s.rest)
	s.keyOK = false
	if fast {
		// The first byte that differs between messages of a group: the tens
		// digit, or the last byte of a binary nonce.
		vary := off + w - 2
		if j.Encoding == Binary {
			vary = off + BinaryNonceLen - 1
		}
		s.cblocks, s.skip = split(vary)
		s.tmpl = append(s.tmpl[:0], t...)
		slots := shaniDecSlots
		if j.Encoding == Binary {
			slots = shaniBinSlots
		}
		s.delta = grow(s.delta, slots*tlen)
		clear(s.delta)
		for i := 0; i < slots; i++ {
			d := s.delta[i*tlen:]
			if j.Encoding == Binary {
				d[off+BinaryNonceLen-1] = byte(i)
			} else {
				d[off+w-1] = byte(i % 10)
				d[off+w-2] = byte(i / 10)
			}
		}
		return
	}
	s.tmpl = grow(s.tmpl, shaniSlots*tlen)
	for i := 0; i < shaniSlots; i++ {
		copy(s.tmpl[i*tlen:], t)
	}
	s.delta = grow(s.delta, tlen)
	clear(s.delta)
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// hash runs the assembly on n messages (rounded up to whole groups) from
// state mid, entering the first block at round 2·skip with state start.
func (s *shaniSearcher) hash(mid, start *[8]uint32, skip int, tmpl []byte, tstride int, delta []byte, dstride int, nblocks, n int) {
	n = (n + shaniStreams - 1) / shaniStreams * shaniStreams
	t, d, o := &tmpl[0], &delta[0], &s.out[0]
	ts, ds := uintptr(tstride), uintptr(dstride)
	switch s.streams {
	case 1:
		shaniBlocks1(mid, start, skip, t, ts, d, ds, nblocks, n, o)
	case 2:
		shaniBlocks2(mid, start, skip, t, ts, d, ds, nblocks, n, o)
	default:
		shaniBlocks4(mid, start, skip, t, ts, d, ds, nblocks, n, o)
	}
}

// groupStart prepares a group whose messages all share their first
// cblocks tail blocks and the first 2·skip words of the next block (tail
// holds those bytes): the state after them is computed here once, and kept
// while those bytes do not change.
func (s *shaniSearcher) groupStart(tail []byte, cblocks, skip int) {
	n := 64*cblocks + 8*skip
	if s.keyOK && bytes.Equal(s.key, tail[:n]) {
		return
	}
	s.key = append(s.key[:0], tail[:n]...)
	s.keyOK = true
	h := s.mid
	Compress(&h, tail[:64*cblocks])
	s.gmid = toSHANI(&h)
	if skip > 0 {
		var w [16]uint32
		blk := tail[64*cblocks:]
		for i := 0; i < 2*skip; i++ {
			w[i] = binary.BigEndian.Uint32(blk[4*i:])
		}
		roundsGo(&h, w[:2*skip], 0)
	}
	s.gstart = toSHANI(&h)
}

// split returns how many leading tail blocks, and then pairs of words, lie
// before byte vary, the first byte in which a group's messages differ.
func split(vary int) (cblocks, skip int) {
	return vary / 64, (vary % 64) / 8
}

// runFast searches [a, b] with step 1 over aligned groups sharing a template.
func (s *shaniSearcher) runFast(a, b uint64) (uint64, bool) {
	j := s.job
	off := len(s.rest)
	slots := uint64(shaniDecSlots)
	if j.Encoding == Binary {
		slots = shaniBinSlots
	}
	cur, lastN := j.Nonce(a), j.Nonce(b)
	for {
		base := cur - cur%slots
		lo := cur - base
		hi := min(slots-1, lastN-base)
		if j.Encoding == Binary {
			binary.BigEndian.PutUint64(s.tmpl[off:], base)
		} else {
			putDecimal(s.tmpl[off:off+s.width], base)
		}
		glo := lo &^ (shaniStreams - 1)
		s.groupStart(s.tmpl, s.cblocks, s.skip)
		c := 64 * s.cblocks
		s.hash(&s.gmid, &s.gstart, s.skip, s.tmpl[c:], 0, s.delta[int(glo)*s.tlen+c:], s.tlen, s.tlen/64-s.cblocks, int(hi-glo+1))
		first := a + (base + glo - j.Nonce(a)) // index of slot glo (wraps back)
		if k, ok := s.scan(int(lo-glo), int(hi-glo), first); ok {
			return first + uint64(k), true
		}
		if lastN-base < slots {
			return 0, false
		}
		cur = base + slots
	}
}

// runSlots searches [a, b] with one laid-out tail per slot.
func (s *shaniSearcher) runSlots(a, b uint64) (uint64, bool) {
	j := s.job
	off := len(s.rest)
	tl := s.tlen
	fresh := true
	for cur := a; ; {
		n := uint64(shaniSlots)
		if b-cur < n {
			n = b - cur + 1
		}
		v := j.Nonce(cur) // may wrap for slots past b; those are not scanned
		for k := uint64(0); k < n; k++ {
			slot := s.tmpl[int(k)*tl+off:]
			switch {
			case j.Encoding == Binary:
				binary.BigEndian.PutUint64(slot, v)
			case fresh || !s.addOK || !s.add.add(slot[:s.width]):
				putDecimal(slot[:s.width], v)
			}
			v += j.Step
		}
		// Only the last group of a run is short: every later group finds each
		// slot holding the nonce shaniSlots steps back, as the adder needs.
		// Slots past n hold stale nonces: hashed with the group, never scanned.
		fresh = false
		// The nonces rise through one width, so the bytes slots 0 and n-1
		// share are shared by every slot in between.
		first, last := s.tmpl[off:off+s.width], s.tmpl[int(n-1)*tl+off:]
		cp := 0
		for cp < s.width && first[cp] == last[cp] {
			cp++
		}
		cb, sk := split(off + cp)
		s.groupStart(s.tmpl[:tl], cb, sk)
		s.hash(&s.gmid, &s.gstart, sk, s.tmpl[64*cb:], tl, s.delta[64*cb:], 0, tl/64-cb, int(n))
		if k, ok := s.scan(0, int(n-1), cur); ok {
			return cur + uint64(k), true
		}
		if b-cur < shaniSlots {
			return 0, false
		}
		cur += shaniSlots
	}
}

// scan returns the first slot in [lo, hi] of s.out that meets the target.
// first is the index of slot 0, for the final check with RefMeets.
func (s *shaniSearcher) scan(lo, hi int, first uint64) (int, bool) {
	// The quick filter runs once per attempt: one load, a mask, an xor and
	// a compare.
	words := s.out[8*lo+s.qpos : 8*hi+s.qpos+1]
	m, x, l := s.qmask, s.qxor, s.qlimit
	for i := 0; i < len(words); i += 8 {
		if (words[i]&m)^x > l {
			continue
		}
		k := lo + i/8
		h := fromSHANI(s.out[8*k : 8*k+8])
		if s.job.Target.Meets(&h) && s.confirm(first+uint64(k)) {
			return k, true
		}
	}
	return 0, false
}

// confirm is RefMeets on a reused buffer: the slow, exact test of index i
// on a message built from scratch and hashed by crypto/sha256.
func (s *shaniSearcher) confirm(i uint64) bool {
	s.msg = s.job.AppendMessage(s.msg[:0], i)
	d := sha256.Sum256(s.msg)
	return s.job.Target.MeetsDigest(&d)
}

// shaniBlocksGo is the Go twin of the shaniBlocks assembly functions:
// message i has nblocks blocks, block b being the byte-wise sum
// tmpl[i*tstride+64b:][:64] + delta[i*dstride+64b:][:64]; its final state,
// from mid, goes to out[8i:8i+8]. With skip > 0 the first block starts at
// round 2·skip from state start. mid, start and out are in the SHA-NI layout.
func shaniBlocksGo(mid, start *[8]uint32, skip int, tmpl []byte, tstride int, delta []byte, dstride int, nblocks, n int, out []uint32) {
	var w [64]uint32
	for i := 0; i < n; i++ {
		h := fromSHANI(mid[:])
		for b := 0; b < nblocks; b++ {
			t := tmpl[i*tstride+64*b:]
			d := delta[i*dstride+64*b:]
			for k := 0; k < 16; k++ {
				w[k] = uint32(t[4*k]+d[4*k])<<24 | uint32(t[4*k+1]+d[4*k+1])<<16 |
					uint32(t[4*k+2]+d[4*k+2])<<8 | uint32(t[4*k+3]+d[4*k+3])
			}
			expandGo(&w)
			st, from := h, 0
			if b == 0 && skip > 0 {
				st, from = fromSHANI(start[:]), 2*skip
			}
			roundsGo(&st, w[from:], from)
			for k := range h {
				h[k] += st[k]
			}
		}
		o := toSHANI(&h)
		copy(out[8*i:], o[:])
	}
}

// expandGo fills w[16:64], the message schedule, from w[0:16].
func expandGo(w *[64]uint32) {
	for i := 16; i < 64; i++ {
		v1, v2 := w[i-2], w[i-15]
		s1 := bits.RotateLeft32(v1, -17) ^ bits.RotateLeft32(v1, -19) ^ (v1 >> 10)
		s0 := bits.RotateLeft32(v2, -7) ^ bits.RotateLeft32(v2, -18) ^ (v2 >> 3)
		w[i] = s1 + w[i-7] + s0 + w[i-16]
	}
}

// roundsGo runs rounds r0, r0+1, … r0+len(w)-1 on the working state st
// (a..h, no feed-forward), w[k] being the message word of round r0+k.
func roundsGo(st *[8]uint32, w []uint32, r0 int) {
	a, b, c, d, e, f, g, h := st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7]
	for k, wk := range w {
		t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
			((e & f) ^ (^e & g)) + roundK[r0+k] + wk
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
			((a & b) ^ (a & c) ^ (b & c))
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	*st = [8]uint32{a, b, c, d, e, f, g, h}
}
