package miner

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/miner/sha256x"
)

// sequential is the tutorial's loop: the obviously-correct twin of Search.
func sequential(p Puzzle, t Target, limit uint64) (uint64, bool) {
	for i := uint64(0); i < limit; i++ {
		if t.Meets(sha256Sum(p.Message(i))) {
			return i, true
		}
	}
	return 0, false
}

func TestTutorialProofs(t *testing.T) {
	// valid_proof with guess_hash[:4] == "0000", starting from the genesis
	// proof 100: the tutorial's chain mines these proofs in order.
	want := []uint64{35293, 35089, 119678}
	last := uint64(100)
	for _, w := range want {
		r, err := Search(context.Background(), TutorialPuzzle(last), MustPrefix("0000"), Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if r.Nonce != w {
			t.Fatalf("after proof %d: got %d, want %d", last, r.Nonce, w)
		}
		last = r.Nonce
	}
}

func TestTutorialOpeningExperiment(t *testing.T) {
	// sha256(f"{11*y}") ending in "000" first at y=10383, in "01010" at y=874020.
	if testing.Short() {
		t.Skip("hashes ~1M messages")
	}
	tests := []struct {
		name, suffix string
		y            uint64
	}{
		{"suffix 000", "000", 10383},
		{"suffix 01010", "01010", 874020},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := ParseSuffix(tc.suffix)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Search(context.Background(), MessagePuzzle("", 0, 11), tg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Index != tc.y || r.Nonce != 11*tc.y {
				t.Fatalf("got y=%d nonce=%d, want y=%d nonce=%d", r.Index, r.Nonce, tc.y, 11*tc.y)
			}
		})
	}
}

func TestParallelMatchesSequential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kernels := []*sha256x.Kernel{nil}
	for _, k := range sha256x.All() {
		if k.Available {
			kernels = append(kernels, k)
		}
	}
	for trial := 0; trial < 40; trial++ {
		p := TutorialPuzzle(rng.Uint64N(1 << 40))
		if trial%3 == 1 {
			p = Puzzle{Prefix: []byte("blk" + strconv.Itoa(trial)), Encoding: sha256x.Binary, Start: rng.Uint64(), Step: 1 + rng.Uint64N(5)}
			p.Start >>= 2
		}
		tg := MustPrefix("00")
		if trial%2 == 0 {
			tg, _ = ZeroBitsTarget(7)
		}
		want, ok := sequential(p, tg, 1<<16)
		if !ok {
			t.Fatalf("trial %d: no solution in 65536", trial)
		}
		for _, w := range []int{1, 2, 3, 8} {
			k := kernels[trial%len(kernels)]
			// A small chunk makes many workers race over the range.
			r, err := Search(context.Background(), p, tg, Options{Workers: w, Kernel: k, Chunk: uint64(16 + trial)})
			if err != nil {
				t.Fatal(err)
			}
			if r.Index != want || r.Nonce != p.Nonce(want) || !tg.Meets(r.Digest) {
				t.Fatalf("trial %d W=%d: got index %d, want %d", trial, w, r.Index, want)
			}
			if r.Attempts < want+1 {
				t.Fatalf("trial %d W=%d: %d attempts for a solution at index %d", trial, w, r.Attempts, want)
			}
		}
	}
}

func TestAttemptsExact(t *testing.T) {
	// With no solution possible, attempts must equal MaxAttempts exactly.
	never, _ := ZeroBitsTarget(256)
	for _, w := range []int{1, 2, 3, 8} {
		for _, n := range []uint64{1, 7, 8192, 8193, 100003} {
			r, err := Search(context.Background(), TutorialPuzzle(5), never, Options{Workers: w, MaxAttempts: n, Chunk: 1000})
			if !errors.Is(err, ErrExhausted) {
				t.Fatalf("W=%d n=%d: err %v, want ErrExhausted", w, n, err)
			}
			if r.Attempts != n {
				t.Fatalf("W=%d n=%d: attempts %d", w, n, r.Attempts)
			}
		}
	}
	// One worker, smallest mode: attempts = index+1.
	r, err := Search(context.Background(), TutorialPuzzle(100), MustPrefix("0000"), Options{Workers: 1, Chunk: 1})
	if err != nil || r.Attempts != r.Index+1 {
		t.Fatalf("attempts %d for index %d (err %v)", r.Attempts, r.Index, err)
	}
}

func TestCountMode(t *testing.T) {
	tg := MustPrefix("0")
	var want uint64
	p := TutorialPuzzle(42)
	for i := uint64(0); i < 5000; i++ {
		if tg.Meets(sha256Sum(p.Message(i))) {
			want++
		}
	}
	r, err := Search(context.Background(), p, tg, Options{Workers: 3, Mode: Count, MaxAttempts: 5000, Chunk: 64})
	if err != nil || r.Solutions != want || r.Attempts != 5000 {
		t.Fatalf("solutions %d attempts %d err %v, want %d solutions", r.Solutions, r.Attempts, err, want)
	}
}

func TestAnyMode(t *testing.T) {
	tg := MustPrefix("000")
	r, err := Search(context.Background(), TutorialPuzzle(7), tg, Options{Workers: 3, Mode: Any})
	if err != nil || !r.Found || !tg.Meets(r.Digest) {
		t.Fatalf("any mode: %+v %v", r, err)
	}
}

func TestCancelStopsWorkers(t *testing.T) {
	never, _ := ZeroBitsTarget(256)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	start := time.Now()
	r, err := Search(ctx, TutorialPuzzle(1), never, Options{
		Workers:          4,
		ProgressInterval: 10 * time.Millisecond,
		Progress: func(p Progress) {
			if p.Attempts > 0 {
				once.Do(cancel)
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if r.Attempts == 0 {
		t.Fatal("no attempts counted before cancel")
	}
	// Search returns only after every worker exits; reaching here at all
	// (the test has a deadline) is the check. Bound it loosely anyway.
	if time.Since(start) > 30*time.Second {
		t.Fatal("search did not stop")
	}
}

func TestExhaustedNearTop(t *testing.T) {
	// Nonces near the top of uint64: the search must stop at MaxUint64.
	p := Puzzle{Prefix: []byte("x"), Start: ^uint64(0) - 99, Step: 1}
	never, _ := ZeroBitsTarget(256)
	r, err := Search(context.Background(), p, never, Options{Workers: 3, Chunk: 16})
	if !errors.Is(err, ErrExhausted) || r.Attempts != 100 {
		t.Fatalf("attempts %d err %v, want 100 and ErrExhausted", r.Attempts, err)
	}
}

func TestBadPuzzle(t *testing.T) {
	if _, err := Search(context.Background(), TutorialPuzzle(1), Target{}, Options{}); err == nil {
		t.Fatal("zero target accepted")
	}
}

// TestCappedSearch: a rate-capped search, in slices, gives the plain
// search's answer; counts every attempt in Count mode; stops at
// MaxAttempts and at the end of a 32-bit nonce range.
func TestCappedSearch(t *testing.T) {
	ctx := context.Background()
	p, tg := TutorialPuzzle(35293), MustPrefix("00")
	want, err := Search(ctx, p, tg, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, rate := range []float64{2000, 1e5, 1e9} {
		got, err := Search(ctx, p, tg, Options{Workers: 2, MaxRate: rate})
		if err != nil || got.Nonce != want.Nonce || got.Index != want.Index || got.Digest != want.Digest || got.Attempts < want.Index+1 {
			t.Fatalf("rate %g: %+v %v, plain %+v", rate, got, err, want)
		}
	}
	var progress int
	r, err := Search(ctx, p, tg, Options{Workers: 1, Mode: Count, MaxAttempts: 5000, MaxRate: 1e6, Progress: func(Progress) { progress++ }})
	if err != nil || r.Attempts != 5000 || r.Solutions == 0 || progress == 0 {
		t.Fatalf("count: %+v %v (progress %d)", r, err, progress)
	}
	g := genesis(t)
	hp, _ := HeaderPuzzle(g, 1<<32-100)
	hard, _ := ZeroBitsTarget(60)
	if r, err := Search(ctx, hp, hard, Options{Workers: 1, MaxRate: 1e6}); !errors.Is(err, ErrExhausted) || r.Attempts != 100 {
		t.Fatalf("32-bit end: %+v %v", r, err)
	}
}
