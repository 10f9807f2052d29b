package sha256x

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Kernel is one implementation of the search.
type Kernel struct {
	Name  string // as given to --kernel
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

var (
	regMu    sync.Mutex
	registry []*Kernel

	bestOnce   sync.Once
	best       *Kernel
	bestNote   string
	bestForced *Kernel
)

// Ref is the oracle kernel. It is not in All(): it exists for tests.
var Ref = &Kernel{Name: "ref", Lanes: 1, Desc: "oracle: strconv + crypto/sha256 per attempt (tests only)", Available: true, New: newRef}

func init() {
	register(&Kernel{Name: "generic", Lanes: 1, Desc: "pure Go, midstate + in-place decimal counter", Available: true, New: newGeneric, rank: 10})
	register(&Kernel{Name: "stdlib", Lanes: 1, Desc: "crypto/sha256.Sum256 on a reused buffer", Available: true, New: newStdlib, rank: stdlibRank})
}

// register adds k to the registry. Architecture files call it from init.
func register(k *Kernel) {
	regMu.Lock()
	defer regMu.Unlock()
	registry = append(registry, k)
	sort.SliceStable(registry, func(a, b int) bool { return registry[a].rank > registry[b].rank })
}

// All returns every kernel built into this binary, available or not,
// fastest first.
func All() []*Kernel {
	regMu.Lock()
	defer regMu.Unlock()
	return append([]*Kernel(nil), registry...)
}

// Names returns the names of All(), for help texts.
func Names() []string {
	var n []string
	for _, k := range All() {
		n = append(n, k.Name)
	}
	return n
}

// ByName returns the kernel called name; "auto" or "" is Best(). It fails
// for an unknown name or a kernel this CPU cannot run.
func ByName(name string) (*Kernel, error) {
	if name == "" || name == "auto" {
		return Best(), nil
	}
	if name == Ref.Name {
		return Ref, nil
	}
	for _, k := range All() {
		if k.Name == name {
			if !k.Available {
				return nil, fmt.Errorf("%w: %s (%s)", ErrUnavailable, name, k.Reason)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: auto, %s)", ErrUnknownKernel, name, strings.Join(Names(), ", "))
}

// Best returns the fastest kernel this CPU can run that passes its
// known-answer self-test. The first call runs the self-tests.
func Best() *Kernel {
	regMu.Lock()
	f := bestForced
	regMu.Unlock()
	if f != nil {
		return f
	}
	bestOnce.Do(pickBest)
	return best
}

// BestNote explains the pick when a faster kernel failed its self-test
// (empty otherwise).
func BestNote() string {
	Best()
	return bestNote
}

func pickBest() {
	var skipped []string
	for _, k := range All() {
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
		bestNote = strings.Join(skipped, "; ") + "; using " + best.Name
	}
}

// ForceBest makes Best return k until the returned restore func is called.
// Tests use it.
func ForceBest(k *Kernel) (restore func()) {
	regMu.Lock()
	prev := bestForced
	bestForced = k
	regMu.Unlock()
	return func() {
		regMu.Lock()
		bestForced = prev
		regMu.Unlock()
	}
}
