package netlab

import "math"

// SelfishRevenue is a selfish pool's relative revenue (its share of the
// blocks on the final chain) at hashrate share alpha when a share gamma of
// the honest miners mines on its branch in a tie: Eyal & Sirer (2014),
// "Majority is not enough: Bitcoin mining is vulnerable", equation (8):
//
//	R = [α(1−α)²(4α + γ(1−2α)) − α³] / [1 − α(1 + (2−α)α)]
//
// valid for 0 ≤ α < 1/2. Above its threshold the pool earns more than
// its share α.
func SelfishRevenue(alpha, gamma float64) float64 {
	a, g := alpha, gamma
	return (a*(1-a)*(1-a)*(4*a+g*(1-2*a)) - a*a*a) / (1 - a*(1+(2-a)*a))
}

// SelfishThreshold is the hashrate share above which selfish mining pays
// (Eyal & Sirer, equation (9)): (1−γ)/(3−2γ); 1/3 at γ = 0, 1/4 at γ = 1/2,
// 0 at γ = 1.
func SelfishThreshold(gamma float64) float64 {
	return (1 - gamma) / (3 - 2*gamma)
}

// StaleTheory is the classic stale (orphan) rate for a propagation delay
// that is ratio times the block interval: the chance that another block is
// found somewhere before a new block has reached everyone, 1 − e^(−ratio).
// It holds for many small miners; for shares s_i, (1 − Σ s_i²) of it, the
// chance that two consecutive blocks come from different nodes.
func StaleTheory(ratio float64) float64 {
	return -math.Expm1(-ratio)
}
