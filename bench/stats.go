package bench

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// The statistics of the attempts experiment, as pure functions over plain
// slices so they can be checked against independently computed tables
// (testdata/stats_vectors.json, written by testdata/stats_vectors.py).

// Mean is the arithmetic mean of x (NaN for an empty slice).
func Mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// SampleSD is the sample standard deviation of x, with the n-1 divisor
// (NaN for fewer than two values).
func SampleSD(x []float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	m := Mean(x)
	var ss float64
	for _, v := range x {
		d := v - m
		ss += d * d
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// Percentile returns the q-quantile (0 <= q <= 1) of x by linear
// interpolation between order statistics: with x sorted ascending and
// h = (n-1)·q, it is x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋]). This is
// Hyndman & Fan's definition 7, the default of R, NumPy and spreadsheets,
// and Python's statistics.quantiles(method="inclusive"). x need not be
// sorted; it is not modified. NaN for an empty slice or q outside [0, 1].
func Percentile(x []float64, q float64) float64 {
	if len(x) == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return percentileSorted(s, q)
}

func percentileSorted(s []float64, q float64) float64 {
	h := float64(len(s)-1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// Median is Percentile(x, 0.5): the middle value, or the mean of the two
// middle values for an even count.
func Median(x []float64) float64 { return Percentile(x, 0.5) }

// MeanCI is the two-sided confidence interval of the mean of x at the given
// level (0.95 for 95%): mean ± t(1-(1-level)/2, n-1)·s/√n with s the sample
// standard deviation and t Student's quantile. For geometric attempts the
// sample mean is close to normal once n is a few tens (the CLT), which is
// the regime the experiment runs in. NaN bounds for fewer than two values.
func MeanCI(x []float64, level float64) (lo, hi float64) {
	n := len(x)
	if n < 2 || !(level > 0 && level < 1) {
		return math.NaN(), math.NaN()
	}
	m, s := Mean(x), SampleSD(x)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-level)/2)
	half := t * s / math.Sqrt(float64(n))
	return m - half, m + half
}

// GeomCDF is P(X <= k) for X geometric on {1, 2, …} with success
// probability p per attempt: 1 - (1-p)^k, computed as -expm1(k·log1p(-p))
// so it stays exact for p as small as 2^-64. It is 0 for k < 1.
func GeomCDF(p, k float64) float64 {
	k = math.Floor(k)
	if k < 1 {
		return 0
	}
	if p >= 1 {
		return 1
	}
	return -math.Expm1(k * math.Log1p(-p))
}

// GeomMean is 1/p, the expected attempts to the first success.
func GeomMean(p float64) float64 { return 1 / p }

// GeomSD is √(1-p)/p, the standard deviation of the attempts.
func GeomSD(p float64) float64 { return math.Sqrt(1-p) / p }

// GeomMedianApprox is ln2/p, the median of the exponential law the
// geometric approaches as p → 0.
func GeomMedianApprox(p float64) float64 { return math.Ln2 / p }

// GeomMedian is the exact median of the geometric law: the smallest k with
// P(X <= k) >= 1/2, that is ⌈ln(1/2)/ln(1-p)⌉.
func GeomMedian(p float64) float64 {
	if p >= 0.5 {
		return 1
	}
	k := math.Ceil(math.Log(0.5) / math.Log1p(-p))
	// Guard the rounding of the logarithms at an exact boundary. Beyond
	// 2^52 neighbouring whole numbers are not distinct floats, and the
	// CDF cannot tell them apart anyway.
	if k < 1<<52 {
		if k > 1 && GeomCDF(p, k-1) >= 0.5 {
			k--
		} else if GeomCDF(p, k) < 0.5 {
			k++
		}
	}
	return k
}

// KSGeometric is the Kolmogorov–Smirnov statistic D = sup |F_n(x) - F(x)|
// of the sample x (attempt counts >= 1) against the geometric law with
// success probability p. Both functions are step functions jumping only at
// whole numbers, F_n only at observed values; between two observed values
// F_n is flat and F rises, so the supremum is reached either at an observed
// value v (after both jumps) or at v-1 (just before F_n's jump). NaN for an
// empty sample.
func KSGeometric(x []uint64, p float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	var d float64
	for i := 0; i < n; {
		v := s[i]
		j := i
		for j < n && s[j] == v {
			j++
		}
		below := float64(i) / float64(n) // F_n(v-1)
		at := float64(j) / float64(n)    // F_n(v)
		d = max(d, math.Abs(at-GeomCDF(p, float64(v))), math.Abs(below-GeomCDF(p, float64(v)-1)))
		i = j
	}
	return d
}

// KSContinuous is the Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)|
// of the sample x against a continuous law with CDF cdf. F_n jumps by 1/n
// at each order statistic x(i), so the supremum is reached just before or
// at one: D = max_i max(i/n − F(x(i)), F(x(i)) − (i−1)/n), i from 1. Tied
// values give the same D as the step over all of them. NaN for an empty
// sample.
func KSContinuous(x []float64, cdf func(float64) float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	var d float64
	for i, v := range s {
		f := cdf(v)
		d = max(d, float64(i+1)/float64(n)-f, f-float64(i)/float64(n))
	}
	return d
}

// ExpCDF is P(X <= x) for X exponential with the given mean: 1 − e^(−x/mean)
// (0 for x < 0).
func ExpCDF(mean, x float64) float64 {
	if x <= 0 {
		return 0
	}
	return -math.Expm1(-x / mean)
}

// KolmogorovQ is the upper tail of Kolmogorov's limiting distribution,
// Q(λ) = P(K > λ) = 2·Σ_{j>=1} (-1)^(j-1)·exp(-2 j² λ²).
func KolmogorovQ(lambda float64) float64 {
	switch {
	case lambda <= 0:
		return 1
	case lambda < 1:
		// The alternating series converges slowly for small λ; use the
		// equivalent theta-function form, whose terms fall very fast here:
		// P(K <= λ) = √(2π)/λ · Σ_{j>=1} exp(-(2j-1)²π²/(8λ²)).
		var cdf float64
		for j := 1; j <= 20; j++ {
			k := float64(2*j - 1)
			cdf += math.Exp(-k * k * math.Pi * math.Pi / (8 * lambda * lambda))
		}
		return min(max(1-math.Sqrt(2*math.Pi)/lambda*cdf, 0), 1)
	}
	var sum, sign float64 = 0, 1
	for j := 1; j <= 100; j++ {
		term := sign * 2 * math.Exp(-2*float64(j*j)*lambda*lambda)
		sum += term
		if math.Abs(term) < 1e-17 {
			break
		}
		sign = -sign
	}
	return min(max(sum, 0), 1)
}

// ksScale is Stephens' finite-sample correction √n + 0.12 + 0.11/√n, with
// which Q(scale·D) is accurate to about 1% from n = 5 on.
func ksScale(n int) float64 {
	r := math.Sqrt(float64(n))
	return r + 0.12 + 0.11/r
}

// KSPValue is the p-value of the one-sample KS test: the chance of a D at
// least this large from n draws of the hypothesised law, Q((√n+0.12+0.11/√n)·D).
// It assumes a continuous law; against a discrete one (the geometric at
// large p) the test is conservative, so the p-value is too large, never too
// small. For p <= 1/256 the geometric is all but continuous.
func KSPValue(d float64, n int) float64 {
	if n < 1 || math.IsNaN(d) {
		return math.NaN()
	}
	return KolmogorovQ(ksScale(n) * d)
}

// KSCritical is the D above which the KS test rejects at level alpha
// (0.05 for 5%) with n draws: λ_α/(√n+0.12+0.11/√n), Q(λ_α) = alpha.
func KSCritical(n int, alpha float64) float64 {
	if n < 1 || !(alpha > 0 && alpha < 1) {
		return math.NaN()
	}
	// Q falls from 1 to 0 on [0, 5]; bisect.
	lo, hi := 0.0, 5.0
	for range 100 {
		mid := (lo + hi) / 2
		if KolmogorovQ(mid) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2 / ksScale(n)
}

// NormalQuantile is the standard normal quantile (1.959964 for 0.975).
func NormalQuantile(q float64) float64 { return distuv.UnitNormal.Quantile(q) }

// Wilson is the Wilson score interval of a binomial proportion: k
// successes in n trials at the given level (0.95 for 95%). Unlike the
// normal approximation it stays inside [0, 1] and is sensible for k near 0
// or n (Wilson 1927; Agresti & Coull 1998). NaN bounds for n < 1.
func Wilson(k, n int, level float64) (lo, hi float64) {
	if n < 1 || k < 0 || k > n || !(level > 0 && level < 1) {
		return math.NaN(), math.NaN()
	}
	z := NormalQuantile(1 - (1-level)/2)
	nf := float64(n)
	p := float64(k) / nf
	den := 1 + z*z/nf
	center := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return max(center-half, 0), min(center+half, 1)
}

// CountAtMost is the number of values of sorted (ascending) at most x:
// the index of the first value above x.
func CountAtMost(sorted []float64, x float64) int {
	i, _ := slices.BinarySearchFunc(sorted, x, func(v, t float64) int {
		if v <= t {
			return -1
		}
		return 1
	})
	return i
}
