package sha256x

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Kernel is one implementation of the search for one algorithm. Kernels of
// different algorithms may share a name (avx512 exists for sha256 and for
// sha256d); --kernel picks among those of the puzzle's algorithm.
type Kernel struct {
	Name  string // as given to --kernel
	Algo  Algo   // the hash its Searchers compute
	Lanes int    // messages hashed side by side per step
	Desc  string // one line for `powlab info`
	// Needs lists the CPU features the kernel uses (empty for pure Go).
	Needs []string
	// Available reports whether this CPU and build can run the kernel;
	// Reason says why not when it cannot.
	Available bool
	Reason    string
	// New prepares a Searcher for one worker. It must not be called when
	// Available is false.
	New func(j *Job) Searcher

	// rank orders kernels for Best: higher is preferred.
	rank int
}

// ErrUnknownKernel and ErrUnavailable are wrapped by ByName's errors.
var (
	ErrUnknownKernel = errors.New("unknown kernel")
	ErrUnavailable   = errors.New("kernel not available on this CPU")
)

// bestPick is Best's choice for one algorithm.
type bestPick struct {
	once   sync.Once
	k      *Kernel
	note   string
	forced *Kernel
}

var (
	regMu    sync.Mutex
	registry []*Kernel
	picks    [len(algoNames)]bestPick
)

// algoNames sizes the per-algorithm tables.
var algoNames = [...]string{SHA256: "sha256", SHA256d: "sha256d"}

// Ref is the oracle kernel, for every algorithm. It is not in All(): it
// exists for tests.
var Ref = &Kernel{Name: "ref", Lanes: 1, Desc: "oracle: strconv + crypto/sha256 per attempt (tests only)", Available: true, New: newRef}

func init() {
	register(&Kernel{Name: "generic", Lanes: 1, Desc: "pure Go, midstate + in-place decimal counter", Available: true, New: newGeneric, rank: 10})
	register(&Kernel{Name: "stdlib", Lanes: 1, Desc: "crypto/sha256.Sum256 on a reused buffer", Available: true, New: newStdlib, rank: stdlibRank})
	register(&Kernel{Name: "generic", Algo: SHA256d, Lanes: 1, Desc: "pure Go, midstate + one compression of the digest", Available: true, New: newGeneric, rank: 10})
	register(&Kernel{Name: "stdlib", Algo: SHA256d, Lanes: 1, Desc: "crypto/sha256.Sum256 twice on a reused buffer", Available: true, New: newStdlib, rank: stdlibRank})
}

// register adds k to the registry. Architecture files call it from init.
func register(k *Kernel) {
	regMu.Lock()
	defer regMu.Unlock()
	registry = append(registry, k)
	sort.SliceStable(registry, func(a, b int) bool { return registry[a].rank > registry[b].rank })
}

// For returns every kernel of algorithm a built into this binary, available
// or not, fastest first.
func For(a Algo) []*Kernel {
	regMu.Lock()
	defer regMu.Unlock()
	var ks []*Kernel
	for _, k := range registry {
		if k.Algo == a {
			ks = append(ks, k)
		}
	}
	return ks
}

// All is For(SHA256): the kernels of the tutorial's and powlab's puzzles.
func All() []*Kernel { return For(SHA256) }

// NamesFor returns the names of For(a), for help texts.
func NamesFor(a Algo) []string {
	var n []string
	for _, k := range For(a) {
		n = append(n, k.Name)
	}
	return n
}

// Names is NamesFor(SHA256).
func Names() []string { return NamesFor(SHA256) }

// ByNameFor returns algorithm a's kernel called name; "auto" or "" is
// BestFor(a), "ref" the oracle. It fails for an unknown name or a kernel
// this CPU cannot run.
func ByNameFor(a Algo, name string) (*Kernel, error) {
	if name == "" || name == "auto" {
		return BestFor(a), nil
	}
	if name == Ref.Name {
		return Ref, nil
	}
	for _, k := range For(a) {
		if k.Name == name {
			if !k.Available {
				return nil, fmt.Errorf("%w: %s (%s)", ErrUnavailable, name, k.Reason)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w %q for %s (known: auto, %s)", ErrUnknownKernel, name, a, strings.Join(NamesFor(a), ", "))
}

// ByName is ByNameFor(SHA256, name).
func ByName(name string) (*Kernel, error) { return ByNameFor(SHA256, name) }

// BestFor returns the fastest kernel of algorithm a this CPU can run that
// passes its known-answer self-test. The first call per algorithm runs the
// self-tests.
func BestFor(a Algo) *Kernel {
	p := &picks[a]
	regMu.Lock()
	f := p.forced
	regMu.Unlock()
	if f != nil {
		return f
	}
	p.once.Do(func() { p.k, p.note = pickBest(a) })
	return p.k
}

// Best is BestFor(SHA256).
func Best() *Kernel { return BestFor(SHA256) }

// BestNoteFor explains BestFor(a)'s pick when a faster kernel failed its
// self-test (empty otherwise).
func BestNoteFor(a Algo) string {
	BestFor(a)
	return picks[a].note
}

// BestNote is BestNoteFor(SHA256).
func BestNote() string { return BestNoteFor(SHA256) }

func pickBest(a Algo) (best *Kernel, note string) {
	var skipped []string
	for _, k := range For(a) {
		if !k.Available {
			continue
		}
		if err := SelfTest(k); err != nil {
			skipped = append(skipped, fmt.Sprintf("%s failed its self-test (%v)", k.Name, err))
			continue
		}
		best = k
		break
	}
	if best == nil { // cannot happen: generic always passes unless broken
		best = Ref
	}
	if len(skipped) > 0 {
		note = strings.Join(skipped, "; ") + "; using " + best.Name
	}
	return best, note
}

// ForceBest makes BestFor(k.Algo) return k until the returned restore func
// is called. Tests use it.
func ForceBest(k *Kernel) (restore func()) {
	p := &picks[k.Algo]
	regMu.Lock()
	prev := p.forced
	p.forced = k
	regMu.Unlock()
	return func() {
		regMu.Lock()
		p.forced = prev
		regMu.Unlock()
	}
}
