package miner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/powlab/powlab/miner/sha256x"
)

// BenchmarkSearch measures the parallel search for every kernel of each
// algorithm at 1 and all workers: algo=sha256 is the tutorial's puzzle
// (sha256("100" + decimal nonce), target prefix 000000), algo=sha256d
// Bitcoin's genesis header from nonce 0 under difficulty-1 bits. One op is
// one attempt, so ns/op is time per attempt and attempts/s is reported for
// benchstat.
//
//	go test -run XXX -bench Search -count 10 ./miner | benchstat -col /kernel -
func BenchmarkSearch(b *testing.B) {
	workers := []int{1}
	if n := runtime.NumCPU(); n > 1 {
		workers = append(workers, n)
	}
	tutorial := TutorialPuzzle(100)
	tutorial.Start = 1_000_000
	g, err := hex.DecodeString(sha256x.GenesisHeader)
	if err != nil {
		b.Fatal(err)
	}
	header, err := HeaderPuzzle(g, 0)
	if err != nil {
		b.Fatal(err)
	}
	diff1, err := CompactTarget(0x1d00ffff)
	if err != nil {
		b.Fatal(err)
	}
	puzzles := []struct {
		p  Puzzle
		tg Target
	}{{tutorial, MustPrefix("000000")}, {header, diff1}}
	for _, pz := range puzzles {
		for _, k := range sha256x.For(pz.p.Algo) {
			for _, w := range workers {
				b.Run(fmt.Sprintf("algo=%s/kernel=%s/workers=%d", pz.p.Algo, k.Name, w), func(b *testing.B) {
					if !k.Available {
						b.Skip(k.Reason)
					}
					b.SetBytes(int64(len(pz.p.Message(0))))
					b.ReportAllocs()
					b.ResetTimer()
					r, err := Search(context.Background(), pz.p, pz.tg, Options{Workers: w, Kernel: k, Mode: Count, MaxAttempts: uint64(b.N)})
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(r.Attempts)/b.Elapsed().Seconds(), "attempts/s")
				})
			}
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
