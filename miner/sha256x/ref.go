package sha256x

import "crypto/sha256"

// refSearcher is the oracle: it builds every message from scratch with
// strconv and hashes it with crypto/sha256 (twice for sha256d). Every other
// kernel is tested against it.
type refSearcher struct{ job *Job }

func newRef(j *Job) Searcher { return refSearcher{j} }

func (s refSearcher) Search(from, count uint64) (uint64, bool) {
	for i := uint64(0); i < count; i++ {
		if RefMeets(s.job, from+i) {
			return from + i, true
		}
	}
	return 0, false
}

// RefDigest is the digest of message i of j, computed the slow way: SHA-256
// of the message, or for sha256d SHA-256 of that digest.
func RefDigest(j *Job, i uint64) [32]byte {
	d := sha256.Sum256(j.AppendMessage(nil, i))
	if j.Algo == SHA256d {
		d = sha256.Sum256(d[:])
	}
	return d
}

// RefMeets reports, the slow way, whether message i of j meets its target.
func RefMeets(j *Job, i uint64) bool {
	d := RefDigest(j, i)
	return j.Target.MeetsDigest(&d)
}
