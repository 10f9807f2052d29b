package pool

import (
	"math"
	"math/big"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// two224 is the share target of difficulty 1: a share of difficulty D is a
// hash at most 2^224/D - 1, so it takes 2^32·D hashes on average (the
// Bitcoin pools' convention, "difficulty 1 = 2^32 hashes").
var two224 = new(big.Int).Lsh(big.NewInt(1), 224)

// ShareTarget is the largest hash (display order, a big-endian number)
// that counts as a share of difficulty d > 0: floor(2^224 / d) - 1, exact
// for any float d (at most 2^256-1; at least 0).
func ShareTarget(d float64) *big.Int {
	if !(d > 0) || math.IsInf(d, 0) {
		return new(big.Int)
	}
	q := new(big.Rat).SetInt(two224)
	q.Quo(q, new(big.Rat).SetFloat64(d))
	t := new(big.Int).Quo(q.Num(), q.Denom())
	t.Sub(t, big.NewInt(1))
	if t.Sign() < 0 {
		t.SetInt64(0)
	}
	if max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)); t.Cmp(max) > 0 {
		t = max
	}
	return t
}

// HashrateEstimate is a worker's hashrate from its shares: each accepted
// share of difficulty d stands for d·2^32 hashes, so the estimate is
// Σd·2^32 / elapsed. The 95% interval treats the share count n as Poisson
// (Garwood's exact interval: χ²(0.025; 2n)/2 to χ²(0.975; 2n+2)/2 shares)
// at the shares' mean difficulty (the current one when there are none).
type HashrateEstimate struct {
	Rate, Low, High float64 // hashes/s
}

// estimate returns the estimate for n shares of total difficulty sumDiff
// over elapsed, with current the difficulty when n is 0.
func estimate(n int, sumDiff, current float64, elapsed time.Duration) HashrateEstimate {
	secs := elapsed.Seconds()
	if secs <= 0 {
		return HashrateEstimate{}
	}
	mean := current
	if n > 0 {
		mean = sumDiff / float64(n)
	}
	per := mean * 0x1p32 / secs // hashes/s per share in the window
	var lo float64
	if n > 0 {
		lo = distuv.ChiSquared{K: float64(2 * n)}.Quantile(0.025) / 2
	}
	hi := distuv.ChiSquared{K: float64(2*n + 2)}.Quantile(0.975) / 2
	return HashrateEstimate{Rate: float64(n) * per, Low: lo * per, High: hi * per}
}

// vardiff retargets a worker's share difficulty toward a share rate.
type vardiff struct {
	perMinute   float64       // shares per minute wanted
	min, max    float64       // bounds on the difficulty
	minWindow   time.Duration // shortest window to judge a rate over
	since       time.Time     // start of the current window
	sharesSince int
}

// next returns the new difficulty after a share at now, or 0 when it
// stays. It moves once the window holds at least 4 shares' worth of the
// wanted rate or minWindow has passed with shares in it, by the ratio of
// the observed rate to the wanted one, clamped to ×4 either way.
func (v *vardiff) next(current float64, now time.Time) float64 {
	v.sharesSince++
	el := now.Sub(v.since)
	want := v.perMinute / 60 // shares/s
	if el < v.minWindow && float64(v.sharesSince) < 4*want*v.minWindow.Seconds() {
		return 0
	}
	if el <= 0 {
		el = time.Millisecond
	}
	rate := float64(v.sharesSince) / el.Seconds()
	f := min(max(rate/want, 0.25), 4)
	d := min(max(current*f, v.min), v.max)
	v.since, v.sharesSince = now, 0
	if math.Abs(d/current-1) < 0.1 {
		return 0
	}
	return d
}

// idle returns a lower difficulty when no share came for a long window
// (four times the wanted spacing, and at least minWindow), or 0.
func (v *vardiff) idle(current float64, now time.Time) float64 {
	el := now.Sub(v.since)
	want := v.perMinute / 60
	if v.sharesSince > 0 || el < v.minWindow || el.Seconds() < 4/want {
		return 0
	}
	v.since = now
	d := max(current/4, v.min)
	if d >= current {
		return 0
	}
	return d
}
