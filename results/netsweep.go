package results

// Stale is the record of `powlab chart stale`: the stale rate of a
// simulated network against its propagation delay over the block interval,
// beside the classic 1 − e^(−τ/T).
type Stale struct {
	Header
	Simulated bool         `json:"simulated"`
	Config    StaleConfig  `json:"config"`
	Points    []StalePoint `json:"points"`
	// Reference is a measured network drawn beside the sweep.
	Reference StaleReference `json:"reference"`
}

// StaleConfig is the network each point simulates.
type StaleConfig struct {
	// Miners equal miners, one per node, in a full mesh whose every link
	// has the point's delay: a block reaches every node in one hop.
	Miners        int       `json:"miners"`
	Topology      string    `json:"topology"`
	BlockTimeSecs float64   `json:"block_time_seconds"`
	Blocks        int       `json:"blocks_per_point"`
	Seed          uint64    `json:"seed"`
	Ratios        []float64 `json:"delay_ratios"`
	Confidence    float64   `json:"confidence"`
}

// StalePoint is one delay of the sweep.
type StalePoint struct {
	// DelayRatio is the propagation delay τ over the block interval T.
	DelayRatio float64 `json:"delay_ratio"`
	DelaySecs  float64 `json:"delay_seconds"`
	Mined      int     `json:"mined_blocks"`
	Stale      int     `json:"stale_blocks"`
	StaleRate  float64 `json:"stale_rate"`
	// StaleLow and StaleHigh are the Wilson score interval of the rate at
	// Config.Confidence.
	StaleLow  float64 `json:"stale_low"`
	StaleHigh float64 `json:"stale_high"`
	// Theory is 1 − e^(−τ/T).
	Theory      float64 `json:"theory"`
	WallSeconds float64 `json:"wall_seconds"`
}

// StaleReference is a measured figure to compare with.
type StaleReference struct {
	Source     string  `json:"source"`
	DelayRatio float64 `json:"delay_ratio"`
	StaleRate  float64 `json:"stale_rate"`
	Note       string  `json:"note"`
}

// Selfish is the record of `powlab chart selfish`: a selfish pool's share
// of the final chain against its hashrate share, simulated, beside Eyal &
// Sirer's closed form.
type Selfish struct {
	Header
	Simulated bool           `json:"simulated"`
	Config    SelfishConfig  `json:"config"`
	Points    []SelfishPoint `json:"points"`
	// Thresholds are the hashrate shares above which selfish mining pays,
	// one per gamma.
	Thresholds []SelfishThreshold `json:"thresholds"`
}

// SelfishConfig is the network each point simulates: the pool and one
// honest node, without delay, gamma deciding ties.
type SelfishConfig struct {
	Blocks     int       `json:"blocks_per_point"`
	Seed       uint64    `json:"seed"`
	Alphas     []float64 `json:"alphas"`
	Gammas     []float64 `json:"gammas"`
	Batches    int       `json:"batches"`
	Confidence float64   `json:"confidence"`
}

// SelfishPoint is one (alpha, gamma) of the sweep.
type SelfishPoint struct {
	Alpha float64 `json:"alpha"`
	Gamma float64 `json:"gamma"`
	// Revenue is the pool's share of the blocks on the final chain;
	// RevenueLow and RevenueHigh the Student-t interval of the mean of
	// Config.Batches consecutive stretches of the chain (blocks within a
	// stretch are correlated, the stretches nearly independent).
	Revenue     float64 `json:"revenue"`
	RevenueLow  float64 `json:"revenue_low"`
	RevenueHigh float64 `json:"revenue_high"`
	// Theory is Eyal & Sirer's closed form.
	Theory      float64 `json:"theory"`
	Blocks      int     `json:"blocks"`
	StaleRate   float64 `json:"stale_rate"`
	WallSeconds float64 `json:"wall_seconds"`
}

// SelfishThreshold is where selfish mining starts to pay at one gamma.
type SelfishThreshold struct {
	Gamma float64 `json:"gamma"`
	Alpha float64 `json:"alpha"`
}
