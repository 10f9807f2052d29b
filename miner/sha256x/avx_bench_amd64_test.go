//go:build !purego && !noasm

package sha256x

import (
	"testing"
	"unsafe"
)

// BenchmarkAVX512Pair1 times the bare pair kernel of the tutorial's shape
// (per-lane words 1 and 2), without the searcher around it.
func BenchmarkAVX512Pair1(b *testing.B) {
	if !hasAVX512 {
		b.Skip("CPU lacks AVX-512")
	}
	j := tutorialJob()
	s := newAVX(&j, &avx512Funcs).(*avxSearcher)
	s.fastBatch(0, 16)
	cp := (*[768]uint32)(unsafe.Pointer(s.c))
	kw := &s.plan.kw
	var sink uint16
	for b.Loop() {
		sink |= avx512Pair1(cp, kw)
	}
	b.ReportMetric(float64(b.N)*16/b.Elapsed().Seconds(), "attempts/s")
	if sink == 0xffff {
		b.Log(sink)
	}
}

// BenchmarkAVX512Pair1x2 times the bare two-batch pair kernel of the
// tutorial's shape, 64 pairs of batches (2048 nonces) per call as the
// searcher runs it.
func BenchmarkAVX512Pair1x2(b *testing.B) {
	if !hasAVX512 {
		b.Skip("CPU lacks AVX-512")
	}
	j := tutorialJob()
	s := newAVX(&j, &avx512Funcs).(*avxSearcher)
	s.fastBatch(0, 16)
	cp := (*[1408]uint32)(unsafe.Pointer(s.c))
	kw := &s.plan.kw
	w0, w1 := &s.plan.tab[0][0], &s.plan.tab[1][0]
	attempts := 0
	for b.Loop() {
		i, _ := avx512Pair1x2(cp, kw, w0, w1, 64)
		attempts += 32 * (i + 1)
	}
	b.ReportMetric(float64(attempts)/b.Elapsed().Seconds(), "attempts/s")
}
