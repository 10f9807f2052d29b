package results

// BlockTime is the record of `powlab chart blocktime`: the blocks of a
// chain with the time since the previous block and the difficulty each one
// was mined at, to see whether retargeting holds the block interval.
type BlockTime struct {
	Header
	// Source says where the blocks came from ("store DIR", "file PATH").
	Source string `json:"source"`
	// Rules names the consensus rules, when known.
	Rules string `json:"rules,omitempty"`
	// DifficultyNote says how Difficulty was obtained when it is not the
	// chain's own per-block target (e.g. the tutorial's fixed rule).
	DifficultyNote string `json:"difficulty_note,omitempty"`
	// TargetIntervalSeconds is the interval retargeting aims at (0: none).
	TargetIntervalSeconds float64 `json:"target_interval_seconds,omitempty"`

	Blocks []BlockPoint `json:"blocks"`

	// Statistics of the intervals (blocks after the first).
	Intervals             int     `json:"intervals"`
	MeanIntervalSeconds   float64 `json:"mean_interval_seconds"`
	MedianIntervalSeconds float64 `json:"median_interval_seconds"`
	MinIntervalSeconds    float64 `json:"min_interval_seconds"`
	MaxIntervalSeconds    float64 `json:"max_interval_seconds"`
}

// BlockPoint is one block.
type BlockPoint struct {
	Height    uint64  `json:"height"`
	Timestamp float64 `json:"timestamp"` // Unix seconds
	// IntervalSeconds is the time since the previous block (0 for the
	// first block in the record).
	IntervalSeconds float64 `json:"interval_seconds"`
	// Difficulty is the expected attempts per solution (1/p) of the
	// block's target; 0 when unknown.
	Difficulty float64 `json:"difficulty,omitempty"`
	Target     string  `json:"target,omitempty"`
}
