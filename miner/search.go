package miner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/powlab/powlab/miner/sha256x"
)

// Mode chooses which solution a search returns.
type Mode uint8

const (
	// Smallest returns the lowest solving index, as the sequential loop would.
	Smallest Mode = iota
	// Any returns the first solution found by any worker.
	Any
	// Count never stops on a solution; it counts them (hashrate runs).
	Count
)

// DefaultChunk is the number of nonce indexes a worker takes per visit to
// the shared cursor. At the slowest kernel (generic, ~4 M/s) it takes about
// 2 ms, at the fastest well under 1 ms: stops land within a few ms while the
// atomic traffic stays negligible (one CAS per 8192 hashes). It is a multiple
// of every kernel's lane count.
const DefaultChunk = 8192

// DefaultProgressInterval is how often Progress is called.
const DefaultProgressInterval = 500 * time.Millisecond

// Options tune a search. The zero value is a smallest-nonce search on every
// CPU with the best kernel.
type Options struct {
	Workers int // 0: runtime.NumCPU()
	// Kernel is the kernel to run (nil: sha256x.BestFor(the puzzle's
	// Algo)); a kernel of another algorithm is replaced by the kernel of
	// the same name for the puzzle's.
	Kernel *sha256x.Kernel
	Mode   Mode
	// MaxAttempts caps the indexes tried (0: the whole nonce range).
	MaxAttempts uint64
	// Chunk overrides DefaultChunk (rounded up to the kernel's lanes).
	Chunk uint64
	// Progress, if set, is called every ProgressInterval from a separate
	// goroutine while the search runs (after every slice when MaxRate is
	// set).
	Progress         func(Progress)
	ProgressInterval time.Duration
	// MaxRate, when above 0, caps the search at that many attempts per
	// second: it runs in consecutive slices of the nonce range, each
	// followed by a sleep that brings the average down to the cap, so the
	// answer is still the smallest solving nonce. The lab uses it to run
	// miners of known rate.
	MaxRate float64
}

// Progress is a snapshot of a running search.
type Progress struct {
	Attempts  uint64
	Solutions uint64
	Elapsed   time.Duration
	// Rate is attempts per second since the start.
	Rate float64
}

// Result is what a search found and what it cost.
type Result struct {
	Found  bool
	Index  uint64   // nonce index of the solution
	Nonce  uint64   // Start + Index·Step
	Digest [32]byte // of the solving message (Puzzle.Hash gives it as the target reads it)
	// Attempts is the number of nonces hashed by all workers.
	Attempts uint64
	// Solutions counts the hits seen (Count mode counts them all).
	Solutions uint64
	Elapsed   time.Duration
	Kernel    string
	Workers   int
}

// Rate is attempts per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Attempts) / r.Elapsed.Seconds()
}

// ErrExhausted means the nonce range or MaxAttempts ran out with no solution.
var ErrExhausted = errors.New("no solution in the nonce range searched")

// ErrKernelAlgo means the kernel given computes another hash than the
// puzzle's and has no namesake for the puzzle's algorithm.
var ErrKernelAlgo = errors.New("kernel does not match the puzzle's algorithm")

// Search looks for a nonce of p meeting t. It returns only after every worker
// has exited. On cancellation it returns ctx's error together with the
// attempts made so far.
func Search(ctx context.Context, p Puzzle, t Target, o Options) (Result, error) {
	job, err := p.Job(t)
	if err != nil {
		return Result{}, err
	}
	if o.MaxRate > 0 {
		return searchCapped(ctx, p, t, o, job.MaxIndex())
	}
	k := o.Kernel
	if k == nil {
		k = sha256x.BestFor(p.Algo)
	}
	if !k.Available {
		return Result{}, sha256x.ErrUnavailable
	}
	if k.Algo != p.Algo && k != sha256x.Ref {
		// A kernel named for another algorithm stands for its namesake
		// of the puzzle's (--kernel avx512 on a bitcoin chain).
		kk, err := sha256x.ByNameFor(p.Algo, k.Name)
		if err != nil {
			return Result{}, fmt.Errorf("%w: kernel %s computes %s, the puzzle needs %s: %v", ErrKernelAlgo, k.Name, k.Algo, p.Algo, err)
		}
		k = kk
	}
	w := o.Workers
	if w <= 0 {
		w = runtime.NumCPU()
	}
	chunk := o.Chunk
	if chunk == 0 {
		chunk = DefaultChunk
	}
	lanes := uint64(max(k.Lanes, 1))
	chunk = (chunk + lanes - 1) / lanes * lanes

	limit := job.MaxIndex() // last index we may try
	if o.MaxAttempts > 0 && o.MaxAttempts-1 < limit {
		limit = o.MaxAttempts - 1
	}

	s := &search{job: job, mode: o.Mode, chunk: chunk, limit: limit}
	s.best.Store(math.MaxUint64)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancel = cancel

	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(runCtx, k.New(job))
		}()
	}

	stopTicker := make(chan struct{})
	var tickWG sync.WaitGroup
	if o.Progress != nil {
		iv := o.ProgressInterval
		if iv <= 0 {
			iv = DefaultProgressInterval
		}
		tickWG.Add(1)
		go func() {
			defer tickWG.Done()
			tk := time.NewTicker(iv)
			defer tk.Stop()
			for {
				select {
				case <-stopTicker:
					return
				case <-tk.C:
					el := time.Since(start)
					a := s.attempts.Load()
					o.Progress(Progress{Attempts: a, Solutions: s.solutions.Load(), Elapsed: el, Rate: float64(a) / el.Seconds()})
				}
			}
		}()
	}
	wg.Wait()
	close(stopTicker)
	tickWG.Wait()

	r := Result{
		Attempts:  s.attempts.Load(),
		Solutions: s.solutions.Load(),
		Elapsed:   time.Since(start),
		Kernel:    k.Name,
		Workers:   w,
	}
	if b := s.best.Load(); o.Mode != Count && b != math.MaxUint64 {
		r.Found = true
		r.Index = b
		r.Nonce = job.Nonce(b)
		r.Digest = p.Digest(b)
	}
	// A cancelled smallest-nonce search may hold a hit that is not the
	// smallest: report the cancellation, with what was found so far.
	if err := ctx.Err(); err != nil {
		return r, err
	}
	if r.Found || o.Mode == Count {
		return r, nil
	}
	return r, ErrExhausted
}

type search struct {
	job    *sha256x.Job
	mode   Mode
	chunk  uint64
	limit  uint64
	cancel context.CancelFunc

	cursor    atomic.Uint64 // next index to hand out
	done      atomic.Bool   // cursor passed limit
	best      atomic.Uint64 // lowest hit so far (MaxUint64: none)
	attempts  atomic.Uint64
	solutions atomic.Uint64
}

// next hands out the chunk [from, from+n).
func (s *search) next() (from, n uint64, ok bool) {
	for {
		if s.done.Load() {
			return 0, 0, false
		}
		cur := s.cursor.Load()
		end := cur + s.chunk - 1 // last index of this chunk
		if end < cur || end >= s.limit {
			end = s.limit
		}
		if end == s.limit {
			// The last chunk: whoever wins the CAS takes it; the range is done.
			if s.cursor.CompareAndSwap(cur, cur) && s.done.CompareAndSwap(false, true) {
				return cur, end - cur + 1, true
			}
			continue
		}
		if s.cursor.CompareAndSwap(cur, end+1) {
			return cur, end - cur + 1, true
		}
	}
}

func (s *search) work(ctx context.Context, sr sha256x.Searcher) {
	for ctx.Err() == nil {
		from, n, ok := s.next()
		if !ok {
			return
		}
		if s.mode == Smallest && from > s.best.Load() {
			return
		}
		var tried uint64
		for n > 0 {
			hit, found := sr.Search(from, n)
			if !found {
				tried += n
				break
			}
			used := hit - from + 1
			tried += used
			s.solutions.Add(1)
			if s.mode == Count {
				from, n = hit+1, n-used
				continue
			}
			for { // CAS-min
				b := s.best.Load()
				if hit >= b || s.best.CompareAndSwap(b, hit) {
					break
				}
			}
			if s.mode == Any {
				s.cancel()
			}
			break
		}
		s.attempts.Add(tried)
	}
}

// throttleSlice is how long one slice of a rate-capped search should take:
// short enough that the rate is smooth and a stop lands quickly, long
// enough that starting the workers costs nothing in comparison.
const throttleSlice = 50 * time.Millisecond

// searchCapped is Search under o.MaxRate: consecutive slices of the nonce
// range, each a plain Search, each followed by a sleep that keeps the
// average at the cap (the slice that finds the solution too, so a miner
// that restarts after every solution still hashes at the cap). limit is
// the puzzle's last index.
func searchCapped(ctx context.Context, p Puzzle, t Target, o Options, limit uint64) (Result, error) {
	inner := o
	inner.MaxRate, inner.Progress = 0, nil
	slice := uint64(max(o.MaxRate*throttleSlice.Seconds(), 1))
	start := time.Now()
	var done uint64 // indexes handed to slices so far
	var total Result
	finish := func(r Result) Result {
		r.Attempts, r.Solutions, r.Elapsed = total.Attempts, total.Solutions, time.Since(start)
		return r
	}
	for {
		n := slice
		if limit-done < n-1 { // limit-done+1 may overflow
			n = limit - done + 1
		}
		if o.MaxAttempts > 0 {
			n = min(n, o.MaxAttempts-done)
		}
		q := p
		q.Start = p.Start + done*p.step()
		inner.MaxAttempts = n
		r, err := Search(ctx, q, t, inner)
		total.Attempts += r.Attempts
		total.Solutions += r.Solutions
		total.Kernel, total.Workers = r.Kernel, r.Workers
		if err != nil && !errors.Is(err, ErrExhausted) {
			return finish(total), err
		}
		// Wait out the time these attempts take at the cap, a found
		// solution included: a capped miner is exactly that slow.
		if wait := time.Duration(float64(total.Attempts)/o.MaxRate*1e9) - time.Since(start); wait > 0 {
			tm := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				tm.Stop()
				return finish(total), ctx.Err()
			case <-tm.C:
			}
		}
		if err == nil && r.Found {
			r.Index += done
			return finish(r), nil
		}
		done += n
		el := time.Since(start)
		if o.Progress != nil && el > 0 {
			o.Progress(Progress{Attempts: total.Attempts, Solutions: total.Solutions, Elapsed: el, Rate: float64(total.Attempts) / el.Seconds()})
		}
		if done > limit || done == 0 || (o.MaxAttempts > 0 && done >= o.MaxAttempts) {
			if o.Mode == Count {
				return finish(total), nil
			}
			return finish(total), ErrExhausted
		}
	}
}
