package miner

import (
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/powlab/powlab/miner/sha256x"
)

// BenchmarkSearch measures the parallel search on the tutorial's puzzle
// (sha256("100" + decimal nonce), target prefix 000000) for every kernel and
// 1 and all workers. One op is one attempt, so ns/op is time per attempt and
// attempts/s is reported for benchstat.
//
//	go test -run XXX -bench Search -count 10 ./miner | benchstat -col /kernel -
func BenchmarkSearch(b *testing.B) {
	workers := []int{1}
	if n := runtime.NumCPU(); n > 1 {
		workers = append(workers, n)
	}
	tg := MustPrefix("000000")
	for _, k := range sha256x.All() {
		for _, w := range workers {
			b.Run(fmt.Sprintf("kernel=%s/workers=%d", k.Name, w), func(b *testing.B) {
				if !k.Available {
					b.Skip(k.Reason)
				}
				p := TutorialPuzzle(100)
				p.Start = 1_000_000
				b.SetBytes(int64(len(p.Message(0))))
				b.ReportAllocs()
				b.ResetTimer()
				r, err := Search(context.Background(), p, tg, Options{Workers: w, Kernel: k, Mode: Count, MaxAttempts: uint64(b.N)})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(r.Attempts)/b.Elapsed().Seconds(), "attempts/s")
			})
		}
	}
}

// BenchmarkSum256Loop is the baseline: crypto/sha256.Sum256 on a reused
// buffer with the tutorial's message shape, no search around it.
func BenchmarkSum256Loop(b *testing.B) {
	buf := []byte("1001000000")
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var sink byte
	for i := 0; i < b.N; i++ {
		buf[len(buf)-1] = byte('0' + i%10)
		d := sha256.Sum256(buf)
		sink ^= d[0]
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
	_ = strconv.Itoa(int(sink))
}
