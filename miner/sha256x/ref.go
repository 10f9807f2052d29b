package sha256x

import "crypto/sha256"

// refSearcher is the oracle: it builds every message from scratch with
// strconv and hashes it with crypto/sha256. Every other kernel is tested
// against it.
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

// RefDigest is the digest of message i of j, computed the slow way.
func RefDigest(j *Job, i uint64) [32]byte {
	return sha256.Sum256(j.AppendMessage(nil, i))
}

// RefMeets reports, the slow way, whether message i of j meets its target.
func RefMeets(j *Job, i uint64) bool {
	d := RefDigest(j, i)
	return j.Target.MeetsDigest(&d)
}
