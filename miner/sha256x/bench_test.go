package sha256x

import (
	"crypto/sha256"
	"testing"
)

// tutorialJob is the tutorial's puzzle: "100" followed by the decimal
// nonce, from 1,000,000, with the hex prefix "000000".
func tutorialJob() Job {
	return Job{Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 1, Target: hexPrefixTarget("000000")}
}

// benchBatch is the attempts per op: one Search call over a chunk of this
// many indexes (a multiple of every kernel's lanes), like a worker's chunk
// in package miner.
const benchBatch = 4096

// benchKernels runs one sub-benchmark per kernel of All() on job j, in one
// goroutine, reporting attempts/s.
func benchKernels(b *testing.B, j Job) { benchKernelsFor(b, SHA256, j) }

// benchKernelsFor is benchKernels over the kernels of algorithm a.
func benchKernelsFor(b *testing.B, a Algo, j Job) {
	for _, k := range For(a) {
		b.Run("kernel="+k.Name, func(b *testing.B) {
			if !k.Available {
				b.Skipf("%s: %s", k.Name, k.Reason)
			}
			j := j
			s := k.New(&j)
			b.SetBytes(int64(len(j.AppendMessage(nil, 0)) * benchBatch))
			b.ReportAllocs()
			b.ResetTimer()
			from := uint64(0)
			for i := 0; i < b.N; i++ {
				if hit, ok := s.Search(from, benchBatch); ok {
					from = hit + 1 // rare: keep searching past it
					continue
				}
				from += benchBatch
			}
			b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "attempts/s")
		})
	}
}

// BenchmarkKernel is the tutorial's puzzle.
func BenchmarkKernel(b *testing.B) { benchKernels(b, tutorialJob()) }

// BenchmarkKernelHeader is the binary-header shape: an 80-byte message
// whose last 8 bytes are the big-endian nonce, target prefix "000000".
func BenchmarkKernelHeader(b *testing.B) {
	benchKernels(b, Job{Prefix: testBytes(72, 1), Encoding: Binary, Start: 1 << 40, Step: 1, Target: hexPrefixTarget("000000")})
}

// BenchmarkKernelStep is the tutorial's puzzle with nonces 11 apart.
func BenchmarkKernelStep(b *testing.B) {
	j := tutorialJob()
	j.Step = 11
	benchKernels(b, j)
}

// BenchmarkSum256Loop is the bare crypto/sha256.Sum256 on a reused 10-byte
// buffer: the ceiling for any kernel built on the standard library.
func BenchmarkSum256Loop(b *testing.B) {
	buf := []byte("1001000000")
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var sink byte
	for i := 0; i < b.N; i++ {
		buf[9] = byte('0' + i%10)
		d := sha256.Sum256(buf)
		sink ^= d[0]
	}
	if sink == 42 {
		b.Log(sink)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
}
