// Command shani generates shani_amd64.s and its Go stubs: SHA-256 one-block
// compressions with the SHA extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2)
// over several independent messages interleaved in one thread, so that the
// 4-cycle latency of SHA256RNDS2 is hidden behind the other streams, and
// sha256d of Bitcoin's header over consecutive nonces (sha256d.go).
//
// Run it through `go generate ./miner/sha256x` from the repository root.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// roundK are SHA-256's round constants (FIPS 180-4, 4.2.2).
var roundK = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

var kTable, flipMask Mem

func main() {
	ConstraintExpr("!purego,!noasm")

	kTable = GLOBL("shaniK", RODATA|NOPTR)
	for i, k := range roundK {
		DATA(4*i, U32(k))
	}
	flipMask = GLOBL("shaniFlip", RODATA|NOPTR)
	// PSHUFB mask turning each little-endian dword of a loaded block into
	// the big-endian message word.
	DATA(0, U64(0x0405060700010203))
	DATA(8, U64(0x0c0d0e0f08090a0b))

	for _, s := range []int{1, 2, 4} {
		blocks(s)
	}
	sha256dConsts()
	for _, s := range []int{2, 4} {
		sha256d(s)
	}
	Generate()
}

// blocks emits shaniBlocks<s>, which hashes n messages (n a multiple of s),
// s at a time.
func blocks(s int) {
	name := fmt.Sprintf("shaniBlocks%d", s)
	TEXT(name, 0, "func(mid *[8]uint32, start *[8]uint32, skip int, tmpl *byte, tstride uintptr, delta *byte, dstride uintptr, nblocks int, n int, out *uint32)")
	Pragma("noescape")
	Doc(
		name+" hashes n messages (n a multiple of "+fmt.Sprint(s)+"), "+fmt.Sprint(s)+" interleaved streams at a time.",
		"Message i has nblocks 64-byte blocks; block b is the byte-wise sum",
		"tmpl[i*tstride+64b:][:64] + delta[i*dstride+64b:][:64]. Each message",
		"starts from mid and its final state goes to out[8i:8i+8]; states are",
		"in the SHA-NI layout {F, E, B, A, H, G, D, C}.",
		"When skip > 0 the first 2·skip rounds of each message's first block are",
		"not run: every message enters round 2·skip with state *start (the",
		"caller computed it from message words common to all n messages).",
		"Its Go twin is shaniBlocksGo.",
	)

	// Stack: per stream the 64 words W+K that feed SHA256RNDS2 (256 bytes),
	// the words W themselves for the schedule (256 bytes) and the state
	// before the current block (32 bytes); and a copy of *start.
	wk := AllocLocal(256 * s)
	w := AllocLocal(256 * s)
	prev := AllocLocal(32 * s)
	startLocal := AllocLocal(32)

	mid := Load(Param("mid"), RAX)
	tp := Load(Param("tmpl"), RBX)
	ts := Load(Param("tstride"), RCX)
	dp := Load(Param("delta"), RDX)
	ds := Load(Param("dstride"), RSI)
	nb := Load(Param("nblocks"), RDI)
	n := Load(Param("n"), R8)
	out := Load(Param("out"), R9)
	bcnt := R10
	skip := R15
	ts3, ds3 := R11, R12
	tpBase, dpBase := R13, R14
	if s == 4 {
		LEAQ(Mem{Base: ts, Index: ts, Scale: 2}, ts3)
		LEAQ(Mem{Base: ds, Index: ds, Scale: 2}, ds3)
	}
	tAddr := func(k, off int) Mem {
		switch k {
		case 0:
			return Mem{Base: tp, Disp: off}
		case 1:
			return Mem{Base: tp, Index: ts, Scale: 1, Disp: off}
		case 2:
			return Mem{Base: tp, Index: ts, Scale: 2, Disp: off}
		}
		return Mem{Base: tp, Index: ts3, Scale: 1, Disp: off}
	}
	dAddr := func(k, off int) Mem {
		switch k {
		case 0:
			return Mem{Base: dp, Disp: off}
		case 1:
			return Mem{Base: dp, Index: ds, Scale: 1, Disp: off}
		case 2:
			return Mem{Base: dp, Index: ds, Scale: 2, Disp: off}
		}
		return Mem{Base: dp, Index: ds3, Scale: 1, Disp: off}
	}

	// *start goes to the stack so that no register is held for it.
	Load(Param("start"), R10)
	MOVOU(Mem{Base: R10}, X0)
	MOVOU(X0, startLocal)
	MOVOU(Mem{Base: R10, Disp: 16}, X0)
	MOVOU(X0, startLocal.Offset(16))

	mask := X15
	MOVOU(flipMask, mask)
	midABEF, midCDGH := X13, X14
	MOVOU(Mem{Base: mid}, midABEF)
	MOVOU(Mem{Base: mid, Disp: 16}, midCDGH)
	tmp := X9
	// State registers: stream k uses abef[k], cdgh[k].
	abef := []VecPhysical{X1, X3, X5, X7}[:s]
	cdgh := []VecPhysical{X2, X4, X6, X8}[:s]

	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))

	// The loop is long and fully unrolled; start it on a 64-byte line so
	// that its placement does not shift with unrelated code changes.
	pcalign(64)
	Label(name + "_group")
	MOVQ(tp, tpBase)
	MOVQ(dp, dpBase)
	// Every stream starts from mid, held in X13/X14 (free otherwise).
	for k := 0; k < s; k++ {
		MOVOU(midABEF, prev.Offset(32*k))
		MOVOU(midCDGH, prev.Offset(32*k+16))
	}
	MOVQ(nb, bcnt)
	Load(Param("skip"), skip)

	Label(name + "_block")
	// The message schedule is a serial chain per stream (SHA256MSG2 feeds
	// the next quad); computed all at once before the rounds it would sit
	// on the critical path. Instead quad q+lookahead of every stream is
	// computed while the rounds of quad q run, through the stack.
	sched := func(q int) {
		Commentf("schedule: quad %d of every stream", q)
		x, t1, t2, t3 := X9, X10, X11, X12
		for k := 0; k < s; k++ {
			if q < 4 {
				MOVOU(tAddr(k, 16*q), x)
				MOVOU(dAddr(k, 16*q), t1)
				PADDB(t1, x)
				PSHUFB(mask, x)
			} else {
				MOVOU(wq(w, k, q-4), x)
				MOVOU(wq(w, k, q-3), t1)
				SHA256MSG1(t1, x)
				MOVOU(wq(w, k, q-1), t2)
				MOVOU(wq(w, k, q-2), t1)
				MOVO(t2, t3)
				PALIGNR(Imm(4), t1, t3)
				PADDD(t3, x)
				SHA256MSG2(t2, x)
			}
			if q < 15 {
				MOVOU(x, wq(w, k, q))
			}
			PADDD(kTable.Offset(16*q), x)
			MOVOU(x, wq(wk, k, q))
		}
	}
	for q := 0; q < lookahead; q++ {
		sched(q)
	}
	half := func(h int) string { return fmt.Sprintf("%s_half%d", name, h) }
	TESTQ(skip, skip)
	JNZ(LabelRef(name + "_skip"))
	for k := 0; k < s; k++ {
		MOVOU(prev.Offset(32*k), abef[k])
		MOVOU(prev.Offset(32*k+16), cdgh[k])
	}
	for q := 0; q < 16; q++ {
		if q+lookahead < 16 {
			sched(q + lookahead)
		}
		Commentf("rounds %d..%d, streams interleaved", 4*q, 4*q+3)
		for h := 2 * q; h < 2*q+2; h++ {
			Label(half(h))
			for k := 0; k < s; k++ {
				MOVQ(wk.Offset(256*k+8*h), X0)
				if h%2 == 0 {
					SHA256RNDS2(X0, abef[k], cdgh[k])
				} else {
					SHA256RNDS2(X0, cdgh[k], abef[k])
				}
			}
		}
	}
	XORQ(skip, skip) // later blocks run every round
	for k := 0; k < s; k++ {
		MOVOU(prev.Offset(32*k), tmp)
		PADDD(tmp, abef[k])
		MOVOU(prev.Offset(32*k+16), tmp)
		PADDD(tmp, cdgh[k])
		MOVOU(abef[k], prev.Offset(32*k))
		MOVOU(cdgh[k], prev.Offset(32*k+16))
	}
	ADDQ(Imm(64), tp)
	ADDQ(Imm(64), dp)
	DECQ(bcnt)
	JNZ(LabelRef(name + "_block"))

	for k := 0; k < s; k++ {
		MOVOU(abef[k], Mem{Base: out, Disp: 32 * k})
		MOVOU(cdgh[k], Mem{Base: out, Disp: 32*k + 16})
	}
	ADDQ(Imm(uint64(32*s)), out)
	// Next group: advance the bases by s strides.
	MOVQ(tpBase, tp)
	MOVQ(dpBase, dp)
	for k := 0; k < s; k++ {
		ADDQ(ts, tp)
		ADDQ(ds, dp)
	}
	SUBQ(Imm(uint64(s)), n)
	JNZ(LabelRef(name + "_group"))

	Label(name + "_done")
	RET()

	// skip > 0: enter the rounds at half skip (round 2·skip). The schedule
	// quads the jump passes over are computed first, then the state comes
	// from *start. Entering at an odd half the registers' roles are
	// swapped: cdgh holds ABEF and abef holds CDGH (see the RNDS2 pairs).
	Label(name + "_skip")
	for q := lookahead; q < 8+lookahead; q++ {
		sched(q)
		for h := 2 * (q - lookahead); h < 2*(q-lookahead)+2; h++ {
			if h == 0 {
				continue
			}
			CMPQ(skip, Imm(uint64(h)))
			JEQ(LabelRef(half(h) + "_entry"))
		}
	}
	JMP(LabelRef(name + "_done")) // unreachable: the Go side passes skip < 16
	for h := 1; h < 16; h++ {
		Label(half(h) + "_entry")
		for k := 0; k < s; k++ {
			a, c := abef[k], cdgh[k]
			if h%2 == 1 {
				a, c = c, a
			}
			MOVOU(startLocal, a)
			MOVOU(startLocal.Offset(16), c)
		}
		JMP(LabelRef(half(h)))
	}
}

// pcalign emits the assembler's PCALIGN directive (avo has no builtin for
// it): padding so that the next instruction starts on an n-byte boundary,
// with the function itself aligned to n by the linker.
func pcalign(n uint64) {
	Instruction(&ir.Instruction{Opcode: "PCALIGN", Operands: []Op{Imm(n)}})
}

// lookahead is how many quads of the schedule run ahead of the rounds.
const lookahead = 2

// wq is quad q of stream k in a per-stream area of 16 quads.
func wq(area Mem, k, q int) Mem { return area.Offset(256*k + 16*q) }
