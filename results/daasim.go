package results

// DAASim is the record of `powlab daa sim`: difficulty-adjustment
// algorithms run side by side on a simulated hashrate scenario.
//
// Algos holds one metrics object per algorithm and Series what the charts
// draw; both depend only on Spec (and the powlab version), so a rerun of
// the recorded command gives the same values. Speed is how fast this
// machine simulated and differs from run to run.
type DAASim struct {
	Header
	Spec DAASimSpec `json:"spec"`
	// Complete is false when the run was interrupted; each series then
	// says how many blocks its algorithm simulated.
	Complete bool         `json:"complete"`
	Algos    []DAAMetrics `json:"algos"`
	Series   []DAASeries  `json:"series"`
	Speed    []DAASpeed   `json:"speed"`
}

// DAASimSpec is everything needed to rerun a simulation.
type DAASimSpec struct {
	Algos    []string `json:"algos"`
	Scenario string   `json:"scenario"`
	Blocks   int      `json:"blocks"`
	// BlockTimeMs is the target spacing T in ticks (milliseconds).
	BlockTimeMs int64  `json:"block_time_ms"`
	Seed        uint64 `json:"seed"`
	// BaseHashrate is the honest miners' hashrate in hashes/s at the
	// start; the first block's target expects one block per T there.
	BaseHashrate float64 `json:"base_hashrate"`
	// Windows are the algorithms' windows set for this run (the others
	// ran with their defaults; each series gives the window used).
	Windows map[string]uint64 `json:"windows,omitempty"`
	// InitialBits and LimitBits are the first block's target and the
	// easiest target allowed, in Bitcoin's compact form.
	InitialBits uint32 `json:"initial_bits"`
	LimitBits   uint32 `json:"limit_bits"`
	// Step scenario: the honest hashrate is StepFactor × base for the
	// blocks at heights StepAt to StepBack-1.
	StepAt     int     `json:"step_at,omitempty"`
	StepBack   int     `json:"step_back,omitempty"`
	StepFactor float64 `json:"step_factor,omitempty"`
	// Onoff scenario: an attacker of AttackHashrate × base mines while the
	// next block's difficulty is below the mean of the last AttackWindow.
	AttackHashrate float64 `json:"attack_hashrate,omitempty"`
	AttackWindow   int     `json:"attack_window,omitempty"`
	// Ramp scenario: the hashrate grows by RampFactor over the run.
	RampFactor float64 `json:"ramp_factor,omitempty"`
	// The metrics' constants: a delay is a solve time above DelayFactor×T;
	// a step has settled once the difficulty stays within SettleBand of
	// the new hashrate × T for SettleHold blocks in a row.
	DelayFactor float64 `json:"delay_factor"`
	SettleBand  float64 `json:"settle_band,omitempty"`
	SettleHold  int     `json:"settle_hold,omitempty"`
}

// DAAMetrics are one algorithm's results. Difficulty means expected hashes
// per block, 2^256/(target+1); T is the target block time. Scenario-specific
// metrics are null where they do not apply.
type DAAMetrics struct {
	Name string `json:"name"`
	// MeanSolvetimeRatio is the mean solve time ÷ T (1 is on schedule).
	MeanSolvetimeRatio float64 `json:"mean_solvetime_ratio"`
	// SolvetimeSDRatio is the solve times' sample standard deviation ÷ T
	// (1 for the exponential law at a perfectly tracked hashrate).
	SolvetimeSDRatio float64 `json:"solvetime_sd_ratio"`
	// DelaysPct is the percentage of blocks slower than DelayFactor × T.
	DelaysPct float64 `json:"delays_pct"`
	// StolenPct (onoff) is how much cheaper the attacker's blocks were than
	// the average block: (1 − mean difficulty of the attacker's blocks ÷
	// mean difficulty of all blocks) × 100.
	StolenPct *float64 `json:"stolen_pct"`
	// AttackerBlocksPct (onoff) is the attacker's percentage of all blocks.
	AttackerBlocksPct *float64 `json:"attacker_blocks_pct"`
	// SettleBlocks (step) is the mean over both steps of the blocks from a
	// step to the start of the first run of SettleHold blocks whose
	// difficulty is within SettleBand of the new hashrate × T; null when a
	// step did not settle before the next one (or the end).
	SettleBlocks *float64 `json:"settle_blocks"`
	// DifficultyError is the mean over blocks of |difficulty ÷ (hashrate ×
	// T) − 1|, the hashrate being the total one while the block was mined.
	DifficultyError float64 `json:"difficulty_error"`
}

// DAASeries is what the charts draw for one algorithm, downsampled.
type DAASeries struct {
	Name string `json:"name"`
	// Blocks is how many blocks were simulated (Spec.Blocks unless
	// interrupted).
	Blocks int `json:"blocks"`
	// Window and HalfLifeMs are the algorithm's resolved parameters (zero
	// where it has none).
	Window     uint64 `json:"window,omitempty"`
	HalfLifeMs int64  `json:"half_life_ms,omitempty"`
	// BucketBlocks is the number of consecutive blocks per point: point i
	// covers heights i·BucketBlocks+1 to (i+1)·BucketBlocks.
	BucketBlocks int `json:"bucket_blocks"`
	// RelDifficulty is each bucket's mean of difficulty ÷ (hashrate × T).
	RelDifficulty []float64 `json:"rel_difficulty"`
	// AttackShare (onoff) is each bucket's share of blocks mined while the
	// attacker was on, and AttackPeriods the runs of buckets where it was
	// on for at least half the blocks.
	AttackShare   []float64     `json:"attack_share,omitempty"`
	AttackPeriods []HeightRange `json:"attack_periods,omitempty"`
	// SettleEach (step) is each step's settle time in blocks, null where
	// it did not settle.
	SettleEach []*int `json:"settle_each,omitempty"`
	// SolveHist is the histogram of solve time ÷ T.
	SolveHist Histogram `json:"solve_hist"`
	// Details are close-ups at a finer resolution: around each step
	// (step), or a stretch in the middle of the run block by block
	// (onoff).
	Details []DAADetail `json:"details,omitempty"`
}

// DAADetail is a close-up of a run: point i is the mean of the blocks at
// heights From+i·BucketBlocks to From+(i+1)·BucketBlocks−1.
type DAADetail struct {
	From          uint64    `json:"from"`
	BucketBlocks  int       `json:"bucket_blocks"`
	RelDifficulty []float64 `json:"rel_difficulty"`
	// AttackShare (onoff) is each point's share of blocks mined with the
	// attacker on (0 or 1 block by block).
	AttackShare []float64 `json:"attack_share,omitempty"`
}

// Heights is the span of heights the close-up covers.
func (d DAADetail) Heights() (from, to uint64) {
	return d.From, d.From + uint64(len(d.RelDifficulty)*d.BucketBlocks) - 1
}

// HeightRange is the blocks from From to To, both included.
type HeightRange struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// Histogram counts values in bins of BinWidth from 0; Over counts those at
// or above len(Counts)·BinWidth.
type Histogram struct {
	BinWidth float64 `json:"bin_width"`
	Counts   []int   `json:"counts"`
	Over     int     `json:"over"`
}

// Total is the number of values counted.
func (h Histogram) Total() int {
	n := h.Over
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// DAASpeed is how fast one algorithm was simulated on this machine.
type DAASpeed struct {
	Name         string  `json:"name"`
	Seconds      float64 `json:"seconds"`
	BlocksPerSec float64 `json:"blocks_per_sec"`
	// Incremental is true when the algorithm's stepper was used instead
	// of recomputing over the chain for every block.
	Incremental bool `json:"incremental"`
}
