package sha256x

import (
	"fmt"
	"strings"
)

// Algo is the hash a proof of work applies to the message.
type Algo uint8

const (
	// SHA256 is one SHA-256 of the message: the tutorial's puzzle and
	// powlab's 96-byte header.
	SHA256 Algo = iota
	// SHA256d is SHA-256 applied twice, sha256(sha256(message)): Bitcoin's
	// proof of work on its 80-byte block header.
	SHA256d
)

// Algos lists every algorithm, in the order help texts show them.
var Algos = []Algo{SHA256, SHA256d}

func (a Algo) String() string {
	switch a {
	case SHA256:
		return "sha256"
	case SHA256d:
		return "sha256d"
	}
	return fmt.Sprintf("Algo(%d)", uint8(a))
}

// ParseAlgo parses "sha256" or "sha256d".
func ParseAlgo(s string) (Algo, error) {
	for _, a := range Algos {
		if strings.EqualFold(s, a.String()) {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown algorithm %q (known: sha256, sha256d)", s)
}

// HeaderLen is the length of a Bitcoin block header; its nonce is the
// little-endian uint32 at HeaderNonceOffset.
const (
	HeaderLen         = 80
	HeaderNonceOffset = 76
)

// IsHeaderJob reports whether j is Bitcoin's header shape: sha256d of a
// 76-byte prefix followed by a little-endian 32-bit nonce and nothing
// else, nonces one apart. The fast sha256d kernels cover this shape; every
// other sha256d job goes to the generic kernel.
func IsHeaderJob(j *Job) bool {
	return j.Algo == SHA256d && j.Encoding == LE32 && len(j.Prefix) == HeaderNonceOffset && len(j.Suffix) == 0 && j.Step == 1
}
