package results

// DAACompare is `powlab daa compare`: one difficulty algorithm's block
// times on real miners (a `powlab net --daa` record) beside the simulator
// running the same algorithm, parameters, block count and starting
// difficulty many times over.
type DAACompare struct {
	Header
	// Source is the net record the real run came from.
	Source string `json:"source"`
	// The algorithm and its resolved parameters, as the real chains held
	// them.
	Algo             string  `json:"algo"`
	Window           uint64  `json:"window,omitempty"`
	HalfLifeSeconds  float64 `json:"half_life_seconds,omitempty"`
	BlockTimeSeconds float64 `json:"block_time_seconds"`
	// Hashrate is the real network's total (the caps, or measured).
	Hashrate float64 `json:"hashrate"`
	// InitialRatio is the first block's difficulty ÷ (hashrate × T).
	InitialRatio float64 `json:"initial_ratio"`
	// Blocks is the number of solve times compared (the real run's block
	// intervals after its first block; each simulated run has as many).
	Blocks int `json:"blocks"`
	// A step in hashrate (StepFactor 0: steady): ×StepFactor for the
	// compared blocks StepAt to StepBack−1, counted from 1.
	StepAt     int     `json:"step_at,omitempty"`
	StepBack   int     `json:"step_back,omitempty"`
	StepFactor float64 `json:"step_factor,omitempty"`
	Runs       int     `json:"runs"`
	Seed       uint64  `json:"seed"`
	// Real: the statistics of the real run with their 95% intervals (the
	// mean's from Student's t, the SD's from a seeded bootstrap).
	Real DAACompareStat `json:"real"`
	// Sim: the same statistics over the simulated runs: their median and
	// the 2.5–97.5 percentile range, which is where the real run's value
	// should lie if the simulator models the real miners.
	Sim DAACompareStat `json:"sim"`
	// MeanAgrees and SDAgrees say whether the real mean and SD lie inside
	// the simulated runs' 95% ranges.
	MeanAgrees bool `json:"mean_agrees"`
	SDAgrees   bool `json:"sd_agrees"`
	// KS is the two-sample Kolmogorov–Smirnov distance between the real
	// solve times and the pooled simulated ones, and KSP its p-value.
	KS  float64 `json:"ks"`
	KSP float64 `json:"ks_p"`
	// RealSolve are the real solve times ÷ T, in chain order; SimCCDF is
	// the pooled simulated share of blocks slower than X·T.
	RealSolve []float64 `json:"real_solvetimes"`
	SimCCDF   []XYPoint `json:"sim_ccdf"`
	SimMeans  []float64 `json:"sim_means"`
	// RealRel is each compared real block's difficulty ÷ (the hashrate
	// it was mined at × T), in chain order; SimRel the simulated runs'
	// median of the same at each block with the range of 95% of runs.
	RealRel []float64     `json:"real_difficulty_ratio"`
	SimRel  []DAARelPoint `json:"sim_difficulty_ratio"`
	SimSDs  []float64     `json:"sim_sds"`
}

// DAACompareStat is a mean and an SD of solve times ÷ T, each with a range.
type DAACompareStat struct {
	Mean     float64 `json:"mean_solvetime_ratio"`
	MeanLow  float64 `json:"mean_low"`
	MeanHigh float64 `json:"mean_high"`
	SD       float64 `json:"solvetime_sd_ratio"`
	SDLow    float64 `json:"sd_low"`
	SDHigh   float64 `json:"sd_high"`
}

// DAARelPoint is the simulated runs' difficulty ratio at one block.
type DAARelPoint struct {
	Median float64 `json:"median"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
}

// XYPoint is one point of a curve.
type XYPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}
