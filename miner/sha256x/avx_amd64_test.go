//go:build !purego && !noasm

package sha256x

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestAVXCtxLayout checks avxCtx against the offsets the generator uses.
func TestAVXCtxLayout(t *testing.T) {
	var c avxCtx
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"inv", unsafe.Offsetof(c.inv), 0},
		{"st", unsafe.Offsetof(c.st), 256},
		{"init", unsafe.Offsetof(c.init), 288},
		{"base", unsafe.Offsetof(c.base), 320},
		{"q", unsafe.Offsetof(c.q), 328},
		{"qm", unsafe.Offsetof(c.qm), 332},
		{"qw", unsafe.Offsetof(c.qw), 336},
		{"ql", unsafe.Offsetof(c.ql), 340},
		{"lane", unsafe.Offsetof(c.lane), 384},
		{"out", unsafe.Offsetof(c.out), 512},
		{"w", unsafe.Offsetof(c.w), 1024},
		{"ws", unsafe.Offsetof(c.ws), 2048},
		{"out2", unsafe.Offsetof(c.out2), 3072},
		{"ring", unsafe.Offsetof(c.ring), 3584},
		{"size", unsafe.Sizeof(c), 5632},
	} {
		if f.got != f.want {
			t.Errorf("avxCtx.%s at %d, generator expects %d", f.name, f.got, f.want)
		}
	}
}

// TestAVXShapes runs every generated kernel on random blocks and compares
// it with its Go twin and with compressWords lane by lane.
func TestAVXShapes(t *testing.T) {
	fams := []struct {
		name string
		ok   bool
		fn   *avxFuncs
	}{
		{"avx512", hasAVX512, &avx512Funcs},
		{"avx2", hasAVX2, &avx2Funcs},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, fam := range fams {
		t.Run(fam.name, func(t *testing.T) {
			if !fam.ok {
				t.Skip("CPU lacks the features")
			}
			lanes := fam.fn.lanes
			for shape := shapePair; shape <= shapeChain; shape++ {
				for v := 0; v < 16; v++ {
					if shape != shapePair && v > 0 {
						break
					}
					for rep := 0; rep < 4; rep++ {
						var c, twin avxCtx
						var kw [64]uint32
						var words [16]uint32
						var lane [16]bool
						for i := range words {
							words[i] = rng.Uint32()
						}
						var start [8]uint32
						for i := range start {
							start[i] = rng.Uint32()
						}
						// Per-lane messages and input states.
						var msgs [16][16]uint32
						var ins [16][8]uint32
						for l := 0; l < lanes; l++ {
							msgs[l] = words
							ins[l] = start
						}
						switch shape {
						case shapePair:
							lane[v] = true
							if v+1 < 16 {
								lane[v+1] = true
							}
							c.base[0] = words[v] &^ 0xffff
							if v+1 < 16 {
								c.base[1] = words[v+1] &^ 0xff000000
							}
							for l := 0; l < lanes; l++ {
								c.lane[0][l] = rng.Uint32() & 0xffff
								msgs[l][v] = c.base[0] | c.lane[0][l]
								if v+1 < 16 {
									c.lane[1][l] = rng.Uint32() & 0xff000000
									msgs[l][v+1] = c.base[1] | c.lane[1][l]
								}
							}
							planConsts(&words, &lane, &kw, &c.inv)
							c.init = start
							c.st = start
							scalarRounds(&c.st, &kw, v+1)
						case shapeFull:
							kw = roundK
							for l := 0; l < lanes; l++ {
								for i := range msgs[l] {
									msgs[l][i] = rng.Uint32()
									c.w[i][l] = msgs[l][i]
								}
								for i := range ins[l] {
									ins[l][i] = rng.Uint32()
									c.out[i][l] = ins[l][i]
								}
							}
						case shapeChain:
							var scratch [64]uint32
							planConsts(&words, &lane, &kw, &scratch)
							for l := 0; l < lanes; l++ {
								for i := range ins[l] {
									ins[l][i] = rng.Uint32()
									c.out[i][l] = ins[l][i]
								}
							}
						}
						// A quick test that passes about half the lanes.
						q := rng.IntN(8)
						c.q, c.qm, c.qw, c.ql = uint32(64*q), 0x80000000, 0, 0
						twin = c
						got := fam.fn.run(shape, v, &c, &kw)
						want := avxTwin(shape, v, lanes, &twin, &kw)
						if got != want&(uint16(1)<<lanes-1) {
							t.Fatalf("shape %d v %d: mask %016b, twin %016b", shape, v, got, want)
						}
						for l := 0; l < lanes; l++ {
							h := ins[l]
							var w [64]uint32
							copy(w[:], msgs[l][:])
							compressWords(&h, &w)
							for i := range h {
								if c.out[i][l] != h[i] || twin.out[i][l] != h[i] {
									t.Fatalf("shape %d v %d lane %d word %d: kernel %08x, twin %08x, compress %08x", shape, v, l, i, c.out[i][l], twin.out[i][l], h[i])
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestAVXPairX2 runs every two-batch pair kernel on random blocks and
// compares each batch with the Go twin of the one-batch kernel.
func TestAVXPairX2(t *testing.T) {
	if !hasAVX512 {
		t.Skip("CPU lacks AVX-512")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for v := 0; v < 16; v++ {
		for rep := 0; rep < 4; rep++ {
			var c avxCtx
			var kw [64]uint32
			var words [16]uint32
			var lane [16]bool
			for i := range words {
				words[i] = rng.Uint32()
			}
			lane[v] = true
			if v+1 < 16 {
				lane[v+1] = true
			}
			c.base[0] = words[v] &^ 0xffff
			if v+1 < 16 {
				c.base[1] = words[v+1] &^ 0xff000000
			}
			var w [2][32]uint32
			for l := 0; l < 32; l++ {
				w[0][l] = rng.Uint32() & 0xffff
				if v+1 < 16 {
					w[1][l] = rng.Uint32() & 0xff000000
				}
			}
			planConsts(&words, &lane, &kw, &c.inv)
			for i := range c.init {
				c.init[i] = rng.Uint32()
			}
			c.st = c.init
			scalarRounds(&c.st, &kw, v+1)
			q := rng.IntN(8)
			c.q, c.qm, c.qw, c.ql = uint32(64*q), 0x80000000, 0, 0
			lo, hi := c, c
			lo.lane = [2][16]uint32{[16]uint32(w[0][:]), [16]uint32(w[1][:])}
			hi.lane = [2][16]uint32{[16]uint32(w[0][16:]), [16]uint32(w[1][16:])}
			want := uint32(avxTwin(shapePair, v, 16, &lo, &kw)) | uint32(avxTwin(shapePair, v, 16, &hi, &kw))<<16
			i, got := avx512Funcs.pair2[v]((*[1408]uint32)(unsafe.Pointer(&c)), &kw, &w[0][0], &w[1][0], 1)
			if i != 0 {
				t.Fatalf("v %d: batch %d of 1", v, i)
			}
			if got != want {
				t.Fatalf("v %d: mask %032b, twin %032b", v, got, want)
			}
			if c.out != lo.out || c.out2 != hi.out {
				t.Fatalf("v %d: states differ from the twin", v)
			}
		}
	}
}
