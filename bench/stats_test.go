package bench

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// vectors is testdata/stats_vectors.json, computed independently by
// testdata/stats_vectors.py (Python standard library only).
type vectors struct {
	Samples []struct {
		Name                      string
		X                         []uint64
		P                         float64
		Mean, SD, Median, P5, P25 float64
		P95, T975                 float64
		CILow                     float64 `json:"ci_low"`
		CIHigh                    float64 `json:"ci_high"`
		KSD                       float64 `json:"ks_d"`
		KSP                       float64 `json:"ks_p"`
		KSCrit05                  float64 `json:"ks_crit05"`
	}
	Geometric []struct {
		P            float64
		Median       float64
		MedianApprox float64 `json:"median_approx"`
		CDF          [][2]float64
	}
	KolmogorovQ [][2]float64 `json:"kolmogorov_q"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/stats_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Samples) == 0 || len(v.Geometric) == 0 || len(v.KolmogorovQ) == 0 {
		t.Fatal("empty test vectors")
	}
	return v
}

func near(got, want, rel float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300)
}

func floats(x []uint64) []float64 {
	f := make([]float64, len(x))
	for i, v := range x {
		f[i] = float64(v)
	}
	return f
}

func TestSampleStatistics(t *testing.T) {
	for _, tc := range loadVectors(t).Samples {
		t.Run(tc.Name, func(t *testing.T) {
			x := floats(tc.X)
			check := func(what string, got, want, rel float64) {
				t.Helper()
				if !near(got, want, rel) {
					t.Errorf("%s = %.12g, want %.12g", what, got, want)
				}
			}
			check("mean", Mean(x), tc.Mean, 1e-12)
			check("sd", SampleSD(x), tc.SD, 1e-12)
			check("median", Median(x), tc.Median, 1e-12)
			check("p5", Percentile(x, 0.05), tc.P5, 1e-12)
			check("p25", Percentile(x, 0.25), tc.P25, 1e-12)
			check("p95", Percentile(x, 0.95), tc.P95, 1e-12)
			lo, hi := MeanCI(x, 0.95)
			// The Python t quantile comes from Simpson integration: 1e-7.
			check("ci low", lo, tc.CILow, 1e-7)
			check("ci high", hi, tc.CIHigh, 1e-7)
			check("ks D", KSGeometric(tc.X, tc.P), tc.KSD, 1e-12)
			check("ks p", KSPValue(KSGeometric(tc.X, tc.P), len(tc.X)), tc.KSP, 1e-9)
			check("ks critical", KSCritical(len(tc.X), 0.05), tc.KSCrit05, 1e-9)
		})
	}
}

func TestGeometric(t *testing.T) {
	for _, tc := range loadVectors(t).Geometric {
		t.Run(formatP(tc.P), func(t *testing.T) {
			if got := GeomMedian(tc.P); got != tc.Median {
				t.Errorf("median %v, want %v", got, tc.Median)
			}
			if got := GeomMedianApprox(tc.P); !near(got, tc.MedianApprox, 1e-12) {
				t.Errorf("ln2/p %v, want %v", got, tc.MedianApprox)
			}
			if got := GeomMean(tc.P); !near(got, 1/tc.P, 0) {
				t.Errorf("mean %v", got)
			}
			for _, kv := range tc.CDF {
				if got := GeomCDF(tc.P, kv[0]); !near(got, kv[1], 1e-12) {
					t.Errorf("CDF(%v) = %.15g, want %.15g", kv[0], got, kv[1])
				}
			}
		})
	}
}

func formatP(p float64) string { return "p=1/" + json.Number(jsonFloat(1/p)).String() }

func jsonFloat(f float64) string { b, _ := json.Marshal(f); return string(b) }

func TestKolmogorovQ(t *testing.T) {
	for _, kv := range loadVectors(t).KolmogorovQ {
		if got := KolmogorovQ(kv[0]); math.Abs(got-kv[1]) > 1e-12 {
			t.Errorf("Q(%v) = %.15g, want %.15g", kv[0], got, kv[1])
		}
	}
	// Printed tables of the Kolmogorov distribution: λ for α = 0.10, 0.05, 0.01.
	for _, tc := range []struct {
		name          string
		alpha, lambda float64
	}{
		{"10%", 0.10, 1.2238},
		{"5%", 0.05, 1.3581},
		{"1%", 0.01, 1.6276},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// KSCritical(n)·scale(n) is λ_α whatever n.
			if got := KSCritical(100, tc.alpha) * ksScale(100); math.Abs(got-tc.lambda) > 1e-4 {
				t.Errorf("λ = %.5f, want %.4f", got, tc.lambda)
			}
		})
	}
}

func TestStatisticsEdges(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64 // NaN means NaN
	}{
		{"mean of nothing", Mean(nil), math.NaN()},
		{"sd of one", SampleSD([]float64{3}), math.NaN()},
		{"percentile of nothing", Percentile(nil, 0.5), math.NaN()},
		{"percentile q>1", Percentile([]float64{1}, 1.5), math.NaN()},
		{"percentile of one", Percentile([]float64{7}, 0.05), 7},
		{"percentile q=1", Percentile([]float64{3, 1, 2}, 1), 3},
		{"percentile q=0", Percentile([]float64{3, 1, 2}, 0), 1},
		{"median unsorted", Median([]float64{9, 1, 5, 3}), 4},
		{"ks of nothing", KSGeometric(nil, 0.5), math.NaN()},
		{"ks perfect p=1", KSGeometric([]uint64{1, 1, 1}, 1), 0},
		{"cdf k=0", GeomCDF(0.5, 0), 0},
		{"cdf p=1", GeomCDF(1, 3), 1},
		{"median p=1", GeomMedian(1), 1},
		{"median p=2^-64", GeomMedian(math.Ldexp(1, -64)), math.Ceil(math.Ln2 * math.Ldexp(1, 64))},
		{"Q(0)", KolmogorovQ(0), 1},
		{"Q(10) is tiny", math.Round(KolmogorovQ(10) * 1e80), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if math.IsNaN(tc.want) != math.IsNaN(tc.got) || (!math.IsNaN(tc.want) && !near(tc.got, tc.want, 1e-12)) {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if lo, hi := MeanCI([]float64{1}, 0.95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Fatal("CI of one value should be NaN")
	}
}

// ksBrute is KSGeometric's slow twin: |F_n(k) - F(k)| at every whole k
// from 0 to the largest value, not only around the observed ones.
func ksBrute(x []uint64, p float64) float64 {
	var top uint64
	for _, v := range x {
		top = max(top, v)
	}
	var d float64
	for k := uint64(0); k <= top; k++ {
		c := 0
		for _, v := range x {
			if v <= k {
				c++
			}
		}
		d = max(d, math.Abs(float64(c)/float64(len(x))-GeomCDF(p, float64(k))))
	}
	return d
}

func TestKSGeometricMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name string
		p    float64
		n    int
	}{
		{"p=1/2", 0.5, 7},
		{"p=1/16", 1.0 / 16, 40},
		{"p=1/256", 1.0 / 256, 100},
		{"wrong p", 1.0 / 64, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := 0; round < 20; round++ {
				x := make([]uint64, tc.n)
				for i := range x {
					// Geometric draws with p = 1/16 whatever tc.p, so the
					// "wrong p" case has a large D.
					k := uint64(1)
					for rng.Float64() >= 1.0/16 {
						k++
					}
					x[i] = k
				}
				if got, want := KSGeometric(x, tc.p), ksBrute(x, tc.p); math.Abs(got-want) > 1e-15 {
					t.Fatalf("sample %v: D = %v, brute force %v", x, got, want)
				}
			}
		})
	}
}

func TestWilson(t *testing.T) {
	// 8 of 10 at 95%: (0.4902, 0.9433), worked by hand from the formula
	// with z = 1.959964.
	lo, hi := Wilson(8, 10, 0.95)
	if math.Abs(lo-0.4902) > 1e-4 || math.Abs(hi-0.9433) > 1e-4 {
		t.Errorf("Wilson(8, 10) = %.4f, %.4f", lo, hi)
	}
	// 0 of 10 keeps a positive upper bound (the normal approximation gives 0).
	if lo, hi := Wilson(0, 10, 0.95); lo > 1e-12 || math.Abs(hi-0.2775) > 1e-4 {
		t.Errorf("Wilson(0, 10) = %.4f, %.4f", lo, hi)
	}
	if lo, _ := Wilson(1, 0, 0.95); !math.IsNaN(lo) {
		t.Error("n = 0 gave a bound")
	}
}

// ksContinuousBrute evaluates sup |F_n − F| on a fine grid between and at
// the sample points, approaching each jump from both sides.
func ksContinuousBrute(x []float64, cdf func(float64) float64) float64 {
	fn := func(v float64) float64 {
		c := 0
		for _, y := range x {
			if y <= v {
				c++
			}
		}
		return float64(c) / float64(len(x))
	}
	var d float64
	for _, v := range x {
		for _, at := range []float64{v, math.Nextafter(v, math.Inf(-1))} {
			d = max(d, math.Abs(fn(at)-cdf(at)))
		}
	}
	return d
}

func TestKSContinuousMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name string
		mean float64 // of the law tested against; the draws have mean 1
		n    int
	}{
		{"one draw", 1, 1},
		{"right law", 1, 50},
		{"wrong mean", 1.5, 50},
		{"ties", 1, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := 0; round < 20; round++ {
				x := make([]float64, tc.n)
				for i := range x {
					x[i] = rng.ExpFloat64()
					if tc.name == "ties" {
						x[i] = math.Round(x[i] * 4)
					}
				}
				cdf := func(v float64) float64 { return ExpCDF(tc.mean, v) }
				if got, want := KSContinuous(x, cdf), ksContinuousBrute(x, cdf); math.Abs(got-want) > 1e-12 {
					t.Fatalf("sample %v: D = %v, brute force %v", x, got, want)
				}
			}
		})
	}
	if !math.IsNaN(KSContinuous(nil, func(float64) float64 { return 0 })) {
		t.Fatal("D of an empty sample is not NaN")
	}
}

func TestCountAtMost(t *testing.T) {
	s := []float64{1, 2, 2, 3}
	for _, tc := range []struct {
		x    float64
		want int
	}{{0, 0}, {1, 1}, {1.5, 1}, {2, 3}, {3, 4}, {9, 4}} {
		if got := CountAtMost(s, tc.x); got != tc.want {
			t.Errorf("CountAtMost(%v, %v) = %d, want %d", s, tc.x, got, tc.want)
		}
	}
	if CountAtMost(nil, 1) != 0 {
		t.Error("empty")
	}
}
