package main

// The sha256d kernels: Bitcoin's proof of work, sha256(sha256(header)) of
// an 80-byte header whose last four bytes are the little-endian nonce.
//
// Go hashes the header's first 64 bytes once per job (the midstate) and
// runs rounds 0..3 of the second block, round 3 without W[3], the only
// word that differs per lane (the byte-swapped nonce). A kernel call
// then, for batch after batch of consecutive nonces:
//
//   - first SHA-256, second block: adds W[3] to a and e, runs rounds 4..63
//     with the constant words folded into kw1[t] = K[t]+W[t] and the
//     lane-invariant parts of the per-lane schedule words summed in
//     inv1[t], and feeds the midstate forward;
//   - second SHA-256, of the 32-byte digest: its words 0..7 differ per
//     lane, 8..15 are the fixed padding. Round 0 from the initial value
//     is folded into st2 (the state after round 0 without W[0]), and
//     since the digest's word 7 is IV[7] + e after round 60, rounds 57..60
//     compute e only and the rest is skipped (kw2[60] includes IV[7]);
//   - quick test on that word, ((h7 & qm) ^ qx) <= ql, in-vector. The
//     loop stops at the first batch where a lane passes.
//
// Schedule terms known to be zero whatever the header (from the fixed
// padding words) are not added at all.

import (
	"fmt"
	"math/bits"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Offsets in bytes of sha256x.sha256dCtx.
const (
	offDKW1   = 0    // [64]uint32: K+W of the first hash's second block (K alone for per-lane words)
	offDInv1  = 256  // [64]uint32: lane-invariant part of its per-lane schedule words
	offDKW2   = 512  // [64]uint32: the same for the second hash; kw2[60] includes IV[7]
	offDInv2  = 768  // [64]uint32
	offDSt1   = 1024 // [8]uint32: state after rounds 0..3 of the second block, round 3 without W[3]
	offDMid   = 1056 // [8]uint32: midstate, fed forward
	offDSt2   = 1088 // [8]uint32: second hash's state after round 0 without W[0]
	offDQM    = 1120 // uint32: quick test ((h7 & qm) ^ qx) <= ql
	offDQX    = 1124
	offDQL    = 1128
	offDSwap  = 1132 // uint32: 0x00ff00ff (AVX-512 byte swap)
	offDShuf  = 1152 // [8]uint32: VPSHUFB control of a byte swap per word (AVX2)
	offDLane  = 1216 // [32]uint32: 0..31, lane offsets of the nonces
	offDH7    = 1344 // [32]uint32: word 7 of every lane's digest, last batch run
	offDRing  = 1472 // [2][16][16]uint32: schedule ring per batch
	offDHand  = 3520 // [8][16]uint32: digest words handed from the first hash to the second
	dCtxWords = 1008
)

// dMsg is what the generator knows about the words of one compression:
// which differ per lane, and the values of the others when they do not
// depend on the header.
type dMsg struct {
	vary  [64]bool
	known [64]bool
	val   [64]uint32
	last  int // last round run (and word used)
}

func sigma0(x uint32) uint32 {
	return bits.RotateLeft32(x, -7) ^ bits.RotateLeft32(x, -18) ^ x>>3
}

func sigma1(x uint32) uint32 {
	return bits.RotateLeft32(x, -17) ^ bits.RotateLeft32(x, -19) ^ x>>10
}

func newDMsg(lane [16]bool, known map[int]uint32, last int) *dMsg {
	m := &dMsg{vary: varying(lane), last: last}
	for t, v := range known {
		m.known[t], m.val[t] = true, v
	}
	for t := 16; t < 64; t++ {
		if !m.vary[t] && m.known[t-2] && m.known[t-7] && m.known[t-15] && m.known[t-16] {
			m.known[t] = true
			m.val[t] = sigma1(m.val[t-2]) + m.val[t-7] + sigma0(m.val[t-15]) + m.val[t-16]
		}
	}
	return m
}

// hash1Msg is the first hash's second block: words 0..2 from the header,
// 3 the nonce, then the padding of an 80-byte message.
func hash1Msg() *dMsg {
	known := map[int]uint32{4: 0x80000000, 15: 640}
	for t := 5; t < 15; t++ {
		known[t] = 0
	}
	return newDMsg([16]bool{3: true}, known, 63)
}

// hash2Msg is the second hash's block: the 8 digest words, then the
// padding of a 32-byte message.
func hash2Msg() *dMsg {
	known := map[int]uint32{8: 0x80000000, 15: 256}
	for t := 9; t < 15; t++ {
		known[t] = 0
	}
	var lane [16]bool
	for t := 0; t < 8; t++ {
		lane[t] = true
	}
	return newDMsg(lane, known, 60)
}

// constZero reports whether the lane-invariant part of per-lane word t is
// zero for every header.
func (m *dMsg) constZero(t int) bool {
	var sum uint32
	for _, k := range [4]int{t - 2, t - 7, t - 15, t - 16} {
		if m.vary[k] {
			continue
		}
		if !m.known[k] {
			return false
		}
		switch k {
		case t - 2:
			sum += sigma1(m.val[k])
		case t - 15:
			sum += sigma0(m.val[k])
		default:
			sum += m.val[k]
		}
	}
	return sum == 0
}

// stored reports whether per-lane word t is read by a later schedule word
// the kernel computes, so it must go to the ring.
func (m *dMsg) stored(t int) bool {
	for _, u := range [4]int{t + 2, t + 7, t + 15, t + 16} {
		if u >= 16 && u <= m.last {
			return true
		}
	}
	return false
}

// fullRound reports whether round t must compute a: in the second hash a
// is last read as d in round 60, four rounds after it is made.
func (m *dMsg) fullRound(t int) bool { return t <= m.last-4 || m.last == 63 }

// dBatch is one stream of the AVX-512 kernel: its registers (two
// streams share none, so they are independent for the out-of-order
// core) and where its schedule ring lives in ctx.
type dBatch struct {
	st             [8]VecPhysical
	t0, t1, t2, t3 VecPhysical
	w              [3]VecPhysical // W[t] in w[t%3]
	ring           int            // ctx offset of its schedule ring
	h7             VecPhysical    // the second hash's e after round 60
}

// dEmit collects one stream's instructions as closures, so two streams
// can be interleaved one instruction at a time. Closures take registers
// by value, never the rotating state array.
type dEmit struct {
	b    *dBatch
	c    func(int) Mem
	ops  []func()
	hand bool // words 0..15 of the message come from ctx.hand (second hash)
}

func (x *dEmit) emit(f func()) { x.ops = append(x.ops, f) }

// ring is where per-lane message word t is kept.
func (x *dEmit) ring(t int) Mem {
	if x.hand && t < 16 {
		return x.c(offDHand + 64*t)
	}
	return x.c(x.b.ring + 64*(t%16))
}

// round runs one round (only the e half when !full). With two streams
// interleaved the kernel is bound by throughput, not by the chain from e
// to the next e: a round whose e and a chains are three operations long
// instead of four, for two more additions ((H+d)+Ch)+Σ1 and
// (((H+Ch)+Σ1)+Maj)+Σ0 with H = h+K+W), took one stream alone from 46
// to 51 M/s but slows the pipeline (58-60 against 60-63).
func (x *dEmit) round(s [8]VecPhysical, k Mem, wt Op, full bool) [8]VecPhysical {
	a, bb, cc, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	t0, t1, t2, t3 := x.b.t0, x.b.t1, x.b.t2, x.b.t3
	x.emit(func() { VPADDD_BCST(k, h, h) })
	if wt != nil {
		x.emit(func() { VPADDD(wt, h, h) })
	}
	// Ch before Σ1: the path from e to the new e is then rotate,
	// ternlog, two adds.
	x.emit(func() { VMOVDQA32(e, t1) })
	x.emit(func() { VPTERNLOGD(U8(chABC), g, f, t1) })
	x.emit(func() { VPADDD(t1, h, h) })
	x.emit(func() { VPRORD(U8(6), e, t0) })
	x.emit(func() { VPRORD(U8(11), e, t2) })
	x.emit(func() { VPRORD(U8(25), e, t3) })
	x.emit(func() { VPTERNLOGD(U8(xor3), t3, t2, t0) })
	x.emit(func() { VPADDD(t0, h, h) })
	x.emit(func() { VPADDD(h, d, d) })
	if full {
		x.emit(func() { VPRORD(U8(2), a, t0) })
		x.emit(func() { VPRORD(U8(13), a, t2) })
		x.emit(func() { VPRORD(U8(22), a, t3) })
		x.emit(func() { VPTERNLOGD(U8(xor3), t3, t2, t0) })
		x.emit(func() { VPADDD(t0, h, h) })
		x.emit(func() { VMOVDQA32(a, t1) })
		x.emit(func() { VPTERNLOGD(U8(majABC), cc, bb, t1) })
		x.emit(func() { VPADDD(t1, h, h) })
	}
	return [8]VecPhysical{h, a, bb, cc, d, e, f, g}
}

// sched computes per-lane word t into w[t%3], so W[t-2] is still in a
// register for σ1 and W[t] waits on it by three operations (σ1 is added
// last), and stores it in the ring when a later word reads it. The terms
// built from lane-invariant words come summed in ctx at inv+4t unless
// they are zero for every header. It returns the register.
func (x *dEmit) sched(m *dMsg, t int, inv int) VecPhysical {
	b := x.b
	t0, t1, t2, t3 := b.t0, b.t1, b.t2, b.t3
	dst, prev := b.w[t%3], b.w[(t-2)%3]
	set := false
	add := func(src Op) {
		if set {
			x.emit(func() { VPADDD(src, dst, dst) })
		} else {
			x.emit(func() { VMOVDQU32(src, dst) })
		}
		set = true
	}
	if m.vary[t-15] {
		src := x.ring(t - 15)
		x.emit(func() { VMOVDQU32(src, t3) })
		x.emit(func() { VPRORD(U8(7), t3, dst) })
		x.emit(func() { VPRORD(U8(18), t3, t1) })
		x.emit(func() { VPSRLD(U8(3), t3, t2) })
		x.emit(func() { VPTERNLOGD(U8(xor3), t2, t1, dst) })
		set = true
	}
	for _, k := range [2]int{t - 7, t - 16} {
		if m.vary[k] {
			add(x.ring(k))
		}
	}
	inv += 4 * t
	if !m.constZero(t) && set {
		x.emit(func() { VPADDD_BCST(x.c(inv), dst, dst) })
	}
	if m.vary[t-2] {
		if t-2 < 16 {
			panic("σ1 of a per-lane word the schedule did not compute")
		}
		o := t0
		if !set {
			o = dst
		}
		x.emit(func() { VPRORD(U8(17), prev, o) })
		x.emit(func() { VPRORD(U8(19), prev, t1) })
		x.emit(func() { VPSRLD(U8(10), prev, t2) })
		x.emit(func() { VPTERNLOGD(U8(xor3), t2, t1, o) })
		if o != dst {
			x.emit(func() { VPADDD(o, dst, dst) })
		} else if !m.constZero(t) {
			x.emit(func() { VPADDD_BCST(x.c(inv), dst, dst) })
		}
	}
	if m.stored(t) {
		r := x.ring(t)
		x.emit(func() { VMOVDQU32(dst, r) })
	}
	return dst
}

// dHash1 returns the first hash of a batch whose first nonce is
// broadcast in nv, and the stores of its digest words to ctx.hand, which
// must follow every instruction interleaved with it.
func dHash1(b *dBatch, nv VecPhysical, c func(int) Mem) (ops, tail []func()) {
	x := &dEmit{b: b, c: c}
	t0, t1, w := b.t0, b.t1, b.w[0]
	m := hash1Msg()
	// The nonces, byte-swapped: W[3].
	x.emit(func() { VPADDD(c(offDLane), nv, t0) })
	x.emit(func() { VPRORD(U8(8), t0, w) })
	x.emit(func() { VPROLD(U8(8), t0, t1) })
	x.emit(func() { VPTERNLOGD_BCST(U8(tC&tB|^tC&tA), c(offDSwap), t1, w) })
	x.emit(func() { VMOVDQU32(w, x.ring(3)) })
	s := b.st
	for i, r := range s {
		x.emit(func() { VPBROADCASTD(c(offDSt1+4*i), r) })
	}
	a, e := s[0], s[4]
	x.emit(func() { VPADDD(w, a, a) })
	x.emit(func() { VPADDD(w, e, e) })
	for t := 4; t <= m.last; t++ {
		var wt Op
		if m.vary[t] {
			wt = x.sched(m, t, offDInv1)
		}
		s = x.round(s, c(offDKW1+4*t), wt, true)
	}
	// Feed forward: the digest words, the second hash's W[0..7].
	for i, r := range s {
		x.emit(func() { VPADDD_BCST(c(offDMid+4*i), r, r) })
		tail = append(tail, func() { VMOVDQU32(r, c(offDHand+64*i)) })
	}
	return x.ops, tail
}

// dHash2 returns the second hash of the digest words in ctx.hand; b.h7
// is then the digest's word 7.
func dHash2(b *dBatch, c func(int) Mem) []func() {
	x := &dEmit{b: b, c: c, hand: true}
	m := hash2Msg()
	s := b.st
	// From after round 0: a and e are W[0] plus constants, the rest
	// constants.
	w0, e := s[0], s[4]
	x.emit(func() { VMOVDQU32(c(offDHand), w0) })
	x.emit(func() { VPADDD_BCST(c(offDSt2+16), w0, e) })
	x.emit(func() { VPADDD_BCST(c(offDSt2), w0, w0) })
	for _, i := range []int{1, 2, 3, 5, 6, 7} {
		r := s[i]
		x.emit(func() { VPBROADCASTD(c(offDSt2+4*i), r) })
	}
	for t := 1; t <= m.last; t++ {
		var wt Op
		switch {
		case t >= 16:
			wt = x.sched(m, t, offDInv2)
		case m.vary[t]:
			wt = x.ring(t)
		}
		s = x.round(s, c(offDKW2+4*t), wt, m.fullRound(t))
	}
	b.h7 = s[4]
	return x.ops
}

// gen512d writes the AVX-512 sha256d kernel, 16 lanes per step, as a
// software pipeline: each loop iteration runs the first hash of one step
// interleaved instruction by instruction with the second hash of the
// step before, two independent streams in the code size of one step
// (24 KB). A call of nb steps runs nb+1 iterations: the first one's second
// hash (of stale ctx.hand) is ignored, the last one's first hash wasted.
//
// Measured on this machine (M nonces/s at best, alternating runs): one
// batch per step 51, the pipeline 60-62. Two batches of 16 lanes, both
// hashes each, interleaved (32 lanes per step) came to 21-33 against
// 34-38 for one batch at the time: their loop is 46 KB of code, more
// than the 32 KB instruction cache.
func gen512d(name string) {
	TEXT(name, NOSPLIT, fmt.Sprintf("func(c *[%d]uint32, n uint32, nb int) (i int, mask uint32)", dCtxWords))
	Doc(name+" runs sha256d on Bitcoin headers for nb steps of 16 nonces:",
		"step i hashes nonces n+16i .. n+16i+15 (mod 2^32) with the plan in c",
		"(a sha256dCtx). It stops at the first step with a lane whose word 7",
		"passes the quick test and returns its index and mask (bit l: nonce",
		"n+16i+l), or nb-1 and 0; ctx.h7 holds word 7 of that step's digests.",
		"nb must be at least 1. The first hash of step i+1 runs interleaved",
		"with the second hash of step i.",
		"Go twin: sha256dTwin in sha256d_avx_amd64.go.")
	Pragma("noescape")
	cp := Load(Param("c"), GP64())
	n := Load(Param("n"), GP32())
	nb := Load(Param("nb"), GP64())
	c := func(off int) Mem { return Mem{Base: cp, Disp: off} }
	it := GP64()
	XORQ(it, it)
	h1 := dBatch{st: [8]VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7}, t0: Z16, t1: Z17, t2: Z18, t3: Z19,
		w: [3]VecPhysical{Z20, Z21, Z22}, ring: offDRing}
	h2 := dBatch{st: [8]VecPhysical{Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15}, t0: Z23, t1: Z24, t2: Z25, t3: Z26,
		w: [3]VecPhysical{Z27, Z28, Z29}, ring: offDRing + 1024}
	nv := Z30
	Label(name + "_loop")
	VPBROADCASTD(n, nv)
	ops1, tail := dHash1(&h1, nv, c)
	ops2 := dHash2(&h2, c)
	for i := 0; i < max(len(ops1), len(ops2)); i++ {
		if i < len(ops1) {
			ops1[i]()
		}
		if i < len(ops2) {
			ops2[i]()
		}
	}
	for _, f := range tail {
		f()
	}
	Comment("Quick test on word 7 of the previous step (none before the first).")
	VPANDD_BCST(c(offDQM), h2.h7, h2.t0)
	VPXORD_BCST(c(offDQX), h2.t0, h2.t0)
	VPCMPUD_BCST(U8(2), c(offDQL), h2.t0, K1)
	r := GP32()
	KMOVW(K1, r)
	TESTQ(it, it)
	JZ(LabelRef(name + "_next"))
	TESTL(r, r)
	JNZ(LabelRef(name + "_found"))
	Label(name + "_next")
	INCQ(it)
	CMPQ(it, nb)
	JA(LabelRef(name + "_end"))
	ADDL(U8(16), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_end")
	DECQ(it) // it is nb+1: step nb-1 was the last
	Label(name + "_found")
	DECQ(it)
	VMOVDQU32(h2.h7, c(offDH7))
	VZEROUPPER()
	Store(it, ReturnIndex(0))
	Store(r, ReturnIndex(1))
	RET()
}

// gen256d writes the AVX2 sha256d kernel: one batch of 8 lanes per step,
// looped in assembly. Rotations are shift pairs; the schedule lives in
// the first ring of ctx.
func gen256d() {
	name := "sha256dAVX2"
	TEXT(name, NOSPLIT, fmt.Sprintf("func(c *[%d]uint32, n uint32, nb int) (i int, mask uint32)", dCtxWords))
	Doc(name+" runs sha256d on Bitcoin headers for nb steps of 8 nonces:",
		"step i hashes nonces n+8i .. n+8i+7 (mod 2^32) with the plan in c (a",
		"sha256dCtx). It stops at the first step with a lane whose word 7 passes",
		"the quick test and returns its index and mask (bit l: nonce n+8i+l), or",
		"nb-1 and 0; ctx.h7 holds word 7 of that step's digests. nb must be at",
		"least 1.",
		"Go twin: sha256dTwin in sha256d_avx_amd64.go.")
	Pragma("noescape")
	cp := Load(Param("c"), GP64())
	n := Load(Param("n"), GP32())
	nb := Load(Param("nb"), GP64())
	c := func(off int) Mem { return Mem{Base: cp, Disp: off} }
	ring := func(t int) Mem { return c(offDRing + 32*(t%16)) }
	it := GP64()
	XORQ(it, it)

	st := [8]VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7}
	t0, t1, t2, t3, t4, wreg := Y8, Y9, Y10, Y11, Y12, Y13
	// Maj(a,b,c) = ((a^b) & (b^c)) ^ b, and this round's a^b is the next
	// round's b^c: two registers take turns holding them.
	xab, xbc := Y14, Y15

	bigSigma, smallSigma := avx2Sigmas(t0, t1, t2)
	round := func(s [8]VecPhysical, k Mem, wt Op, full bool) [8]VecPhysical {
		a, b, cc, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
		VPBROADCASTD(k, t1)
		VPADDD(t1, h, h)
		if wt != nil {
			VPADDD(wt, h, h)
		}
		bigSigma(e, 6, 11, 25)
		VPADDD(t0, h, h)
		VPXOR(g, f, t0)
		VPAND(e, t0, t0)
		VPXOR(g, t0, t0)
		VPADDD(t0, h, h)
		VPADDD(h, d, d)
		if full {
			bigSigma(a, 2, 13, 22)
			VPADDD(t0, h, h)
			VPXOR(b, a, xab)
			VPAND(xbc, xab, t0)
			VPXOR(b, t0, t0)
			VPADDD(t0, h, h)
			xab, xbc = xbc, xab
		}
		return [8]VecPhysical{h, a, b, cc, d, e, f, g}
	}
	sched := func(m *dMsg, t int, inv int) {
		acc := false
		add := func(src Op) {
			if acc {
				VPADDD(src, wreg, wreg)
			} else {
				VMOVDQU(src, wreg)
				acc = true
			}
		}
		if m.vary[t-16] {
			add(ring(t - 16))
		}
		if m.vary[t-7] {
			add(ring(t - 7))
		}
		if m.vary[t-15] {
			VMOVDQU(ring(t-15), t3)
			smallSigma(t3, t4, 7, 18, 3)
			add(t4)
		}
		if m.vary[t-2] {
			VMOVDQU(ring(t-2), t3)
			smallSigma(t3, t4, 17, 19, 10)
			add(t4)
		}
		if !m.constZero(t) {
			VPBROADCASTD(c(inv+4*t), t4)
			add(t4)
		}
		if m.stored(t) {
			VMOVDQU(wreg, ring(t))
		}
	}

	Label(name + "_loop")
	m1, m2 := hash1Msg(), hash2Msg()
	s := st
	Comment("First hash, second block, from round 3.")
	for i := range s {
		VPBROADCASTD(c(offDSt1+4*i), s[i])
	}
	VMOVD(n, t0.AsX())
	VPBROADCASTD(t0.AsX(), t0)
	VPADDD(c(offDLane), t0, t0)
	VPSHUFB(c(offDShuf), t0, t0)
	if m1.stored(3) {
		VMOVDQU(t0, ring(3))
	}
	VPADDD(t0, s[0], s[0])
	VPADDD(t0, s[4], s[4])
	VPXOR(s[2], s[1], xbc)
	for t := 4; t <= m1.last; t++ {
		Commentf("Round %d.", t)
		var wt Op
		if m1.vary[t] {
			sched(m1, t, offDInv1)
			wt = wreg
		}
		s = round(s, c(offDKW1+4*t), wt, true)
	}
	Comment("Feed forward: the digest words are the second hash's W[0..7].")
	for i := range s {
		VPBROADCASTD(c(offDMid+4*i), t1)
		VPADDD(t1, s[i], s[i])
		if m2.stored(i) {
			VMOVDQU(s[i], ring(i))
		}
	}
	Comment("Second hash from after round 0.")
	VPBROADCASTD(c(offDSt2+16), t1)
	VPADDD(t1, s[0], s[4])
	VPBROADCASTD(c(offDSt2), t1)
	VPADDD(t1, s[0], s[0])
	for _, i := range []int{1, 2, 3, 5, 6, 7} {
		VPBROADCASTD(c(offDSt2+4*i), s[i])
	}
	VPXOR(s[2], s[1], xbc)
	for t := 1; t <= m2.last; t++ {
		Commentf("Round %d.", t)
		var wt Op
		switch {
		case t >= 16:
			sched(m2, t, offDInv2)
			wt = wreg
		case m2.vary[t]:
			wt = ring(t)
		}
		s = round(s, c(offDKW2+4*t), wt, m2.fullRound(t))
	}
	h7 := s[4]

	Comment("Quick test on word 7: ((h7 & qm) ^ qx) <= ql, as max(x, ql) == ql.")
	r := avx2QuickMask(h7, c(offDQM), c(offDQX), c(offDQL), t0, t1, t2)
	TESTL(r, r)
	JNZ(LabelRef(name + "_done"))
	INCQ(it)
	CMPQ(it, nb)
	JAE(LabelRef(name + "_last"))
	ADDL(U8(8), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_last")
	DECQ(it)
	Label(name + "_done")
	VMOVDQU(h7, c(offDH7))
	VZEROUPPER()
	Store(it, ReturnIndex(0))
	Store(r, ReturnIndex(1))
	RET()
}
