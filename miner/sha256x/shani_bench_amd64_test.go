//go:build !purego && !noasm

package sha256x

import (
	"fmt"
	"testing"
)

// benchChunk is the number of nonce indexes per Search call: miner's
// DefaultChunk, so the per-call overhead is what a worker pays.
const benchChunk = 8192

var benchSizes = []uint64{benchChunk}

// benchSearch runs b.N chunks through s, resuming after any hit, and reports
// attempts per second. One op is one chunk of benchChunk attempts.
func benchSearch(b *testing.B, s Searcher) {
	b.SetBytes(benchChunk * 64) // one 64-byte block compressed per attempt
	b.ReportAllocs()
	// Warm up outside the timed loop: the first call sizes the buffers.
	allHits(s, 0, benchChunk, benchSizes)
	from := uint64(benchChunk)
	for b.Loop() {
		allHits(s, from, benchChunk, benchSizes)
		from += benchChunk
	}
	b.ReportMetric(float64(b.N)*benchChunk/b.Elapsed().Seconds(), "attempts/s")
}

// BenchmarkSHANI compares the shani kernel with the stdlib kernel on the
// tutorial puzzle, one goroutine each:
//
//	go test -run XXX -bench SHANI -count 5 ./miner/sha256x/
func BenchmarkSHANI(b *testing.B) {
	for _, name := range []string{"shani", "stdlib"} {
		b.Run("kernel="+name, func(b *testing.B) {
			k, err := ByName(name)
			if err != nil {
				b.Skip(err)
			}
			j := tutorialJob()
			benchSearch(b, k.New(&j))
		})
	}
}

// BenchmarkSHANIStreams measures the assembly variants that interleave 1, 2
// and 4 messages, to choose shaniStreams.
func BenchmarkSHANIStreams(b *testing.B) {
	needSHANI(b)
	for _, st := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("streams=%d", st), func(b *testing.B) {
			j := tutorialJob()
			benchSearch(b, newSHANIStreams(&j, st))
		})
	}
}

// BenchmarkTailShapes runs shani and stdlib on the other shapes the kernel
// specialises or falls back for: an 80-byte block header with a binary
// nonce at its end (one tail block after the midstate), a nonce across a
// block boundary (two tail blocks), and step 3 (slots laid out one by one).
func BenchmarkTailShapes(b *testing.B) {
	shapes := []struct {
		name string
		job  Job
	}{
		{"header80", Job{Prefix: testBytes(72, 0), Encoding: Binary, Start: 1 << 40, Step: 1, Target: hexPrefixTarget("000000")}},
		{"twoblocks", Job{Prefix: testBytes(52, 0), Encoding: Decimal, Start: 1_000_000, Step: 1, Target: hexPrefixTarget("000000")}},
		{"step3", Job{Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 3, Target: hexPrefixTarget("000000")}},
	}
	for _, sh := range shapes {
		for _, name := range []string{"shani", "stdlib"} {
			b.Run("shape="+sh.name+"/kernel="+name, func(b *testing.B) {
				k, err := ByName(name)
				if err != nil {
					b.Skip(err)
				}
				j := sh.job
				benchSearch(b, k.New(&j))
			})
		}
	}
}
