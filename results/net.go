package results

// Net is the record of `powlab net`: a mini network of competing miners,
// real nodes or (Simulated) the discrete-event simulation.
type Net struct {
	Header
	// Simulated marks a run of the simulation: its times are simulated
	// seconds, its rates and shares the configured ones, its hashes block
	// identifiers ("sim-12").
	Simulated bool      `json:"simulated,omitempty"`
	Config    NetConfig `json:"config"`
	// Converged is true when every node ended on the same tip.
	Converged bool   `json:"converged"`
	Tip       string `json:"tip"`
	// Height counts the best chain's blocks after genesis.
	Height int `json:"height"`
	// Stopped says why the run ended: "blocks", "duration" or "interrupted".
	Stopped string `json:"stopped"`
	// MinedOnToConverge: the nodes had not agreed 2 s after the stop (a
	// tie), so they mined on until a block broke it.
	MinedOnToConverge bool      `json:"mined_on_to_converge,omitempty"`
	Seconds           float64   `json:"seconds"`
	Nodes             []NetNode `json:"nodes"`
	// Blocks on the final best chain (genesis excluded), in height order.
	Blocks []NetBlock `json:"blocks"`
	// Totals.
	MinedBlocks  int     `json:"mined_blocks"`
	StaleBlocks  int     `json:"stale_blocks"`
	StaleRate    float64 `json:"stale_rate"`
	Reorgs       int     `json:"reorgs"`
	DeepestReorg int     `json:"deepest_reorg"`
	// ReorgDepths counts the reorganisations of all nodes by depth (blocks
	// left behind).
	ReorgDepths map[int]int `json:"reorg_depths,omitempty"`
	// TotalRate is the sum of the measured attempts/s; TotalRateCap the
	// sum of the caps (0 when a node is uncapped).
	TotalRate    float64 `json:"total_rate"`
	TotalRateCap float64 `json:"total_rate_cap,omitempty"`
	// MeanIntervalSeconds is the time to the last block of the best chain
	// over its block count; ExpectedIntervalSecs is the target's expected
	// attempts over TotalRate (ExpectedIntervalCapSecs: over TotalRateCap).
	MeanIntervalSeconds     float64 `json:"mean_interval_seconds"`
	ExpectedIntervalSecs    float64 `json:"expected_interval_seconds"`
	ExpectedIntervalCapSecs float64 `json:"expected_interval_cap_seconds,omitempty"`
	// ConvergeAfterLastSecs is how long after the last block was mined
	// every node had the same tip.
	ConvergeAfterLastSecs float64 `json:"converge_after_last_block_seconds"`

	// Simulation only.
	// WallSeconds is how long the simulation took to run.
	WallSeconds float64 `json:"wall_seconds,omitempty"`
	// Relays sums up the nodes that do not mine (Nodes lists the miners).
	Relays *NetRelays `json:"relays,omitempty"`
	// Propagation: the mean time from a block's publication until half of
	// the nodes, and until every node, had validated it (blocks that reached
	// every node).
	PropagationHalfSecs float64 `json:"propagation_half_seconds,omitempty"`
	PropagationAllSecs  float64 `json:"propagation_all_seconds,omitempty"`
	// Events is how many simulation events ran.
	Events int64 `json:"events,omitempty"`
	// Calibration (a simulation of a real run, powlab net --sim --like)
	// sets the real run's figures beside the simulation's.
	Calibration *NetCalibration `json:"calibration,omitempty"`
}

// NetRelays sums up a simulated network's non-mining nodes.
type NetRelays struct {
	Count int `json:"count"`
	// Reorgs across all relays, the relays that had one, and the deepest.
	Reorgs       int `json:"reorgs"`
	Reorged      int `json:"reorged"`
	DeepestReorg int `json:"deepest_reorg"`
}

// NetConfig is everything needed to rerun the same network.
type NetConfig struct {
	Miners []string `json:"miners"` // as given to --miners
	Rules  string   `json:"rules"`
	Target string   `json:"target"`
	// Difficulty describes the nodes' difficulty algorithm when it is not
	// the rules' fixed target ("daa lwma: window 60 blocks toward 1s"); the
	// target is then the genesis block's.
	Difficulty string  `json:"difficulty,omitempty"`
	DAA        *NetDAA `json:"daa,omitempty"`
	// RateSteps are the changes of every miner's cap during the run.
	RateSteps []NetRateStep `json:"rate_steps,omitempty"`
	// ExpectedAttempts per block at Target.
	ExpectedAttempts float64 `json:"expected_attempts"`
	Topology         string  `json:"topology"`
	Latency          string  `json:"latency"`
	Partition        string  `json:"partition,omitempty"`
	Blocks           int     `json:"blocks,omitempty"`
	Duration         float64 `json:"duration_seconds,omitempty"`
	Seed             uint64  `json:"seed"`
	Spawn            bool    `json:"spawn"`
	// Links are the topology's links with the latency drawn for each (a
	// simulation of more than MaxRecordedLinks links records none and
	// counts them in LinkCount).
	Links     []NetLink `json:"links"`
	LinkCount int       `json:"link_count,omitempty"`

	// Simulation only: the network's size (miners and relays), the
	// random topology's outbound links per node, the block interval the
	// difficulty aims at, the block size, link bandwidth (bits/s, 0
	// unlimited), the validation delay per hop, and gamma (the share of
	// honest hashrate that mines on a selfish branch on a tie; absent: first
	// seen).
	Nodes          int      `json:"nodes,omitempty"`
	Degree         int      `json:"degree,omitempty"`
	BlockTimeSecs  float64  `json:"block_time_seconds,omitempty"`
	BlockSize      int64    `json:"block_size,omitempty"`
	Bandwidth      float64  `json:"bandwidth_bits_per_second,omitempty"`
	ValidationSecs float64  `json:"validation_delay_seconds,omitempty"`
	Gamma          *float64 `json:"gamma,omitempty"`
}

// MaxRecordedLinks bounds the links a record lists one by one.
const MaxRecordedLinks = 2000

// NetLink is one link between two nodes (1-based IDs).
type NetLink struct {
	A              int     `json:"a"`
	B              int     `json:"b"`
	LatencySeconds float64 `json:"latency_seconds"`
}

// NetNode is one node's outcome.
type NetNode struct {
	ID   int    `json:"id"` // 1-based, as --partition names nodes
	Spec string `json:"spec"`
	// Strategy is "selfish" for a selfish miner (simulation), else empty.
	Strategy string `json:"strategy,omitempty"`
	URL      string `json:"url"`
	Address  string `json:"address"`
	// RateCap is the hashrate cap in attempts/s (0: uncapped).
	RateCap float64 `json:"rate_cap"`
	// MeasuredRate is attempts/s over the run.
	MeasuredRate float64 `json:"measured_rate"`
	// HashrateShare is the node's share of the caps when every node is
	// capped, else of the measured rates (MeasuredShare).
	HashrateShare float64 `json:"hashrate_share"`
	MeasuredShare float64 `json:"measured_share"`
	// BlocksMined counts blocks this node found that became its tip;
	// BlocksWon those on the final best chain; Stale the difference.
	BlocksMined  int     `json:"blocks_mined"`
	BlocksWon    int     `json:"blocks_won"`
	BlockShare   float64 `json:"block_share"`
	Stale        int     `json:"stale"`
	Reorgs       int     `json:"reorgs"`
	DeepestReorg int     `json:"deepest_reorg"`
	Tip          string  `json:"tip"`
	Height       int     `json:"height"` // blocks after genesis
}

// NetRateStep: from the moment the best chain reached Height, every miner
// mined at Factor × its cap.
type NetRateStep struct {
	Height int     `json:"height"`
	Factor float64 `json:"factor"`
}

// NetDAA is a network's difficulty algorithm and its resolved parameters.
type NetDAA struct {
	Name             string  `json:"name"`
	Window           uint64  `json:"window,omitempty"`
	HalfLifeSeconds  float64 `json:"half_life_seconds,omitempty"`
	BlockTimeSeconds float64 `json:"block_time_seconds"`
}

// NetBlock is one block of the final best chain.
type NetBlock struct {
	Height int     `json:"height"` // 1 is the first block after genesis
	Hash   string  `json:"hash"`
	Miner  int     `json:"miner"`      // node ID, 0 when unknown
	At     float64 `json:"at_seconds"` // when it was mined, from the start
	// Under a difficulty algorithm: the block's expected attempts (its
	// target's work) and its header timestamp (Unix seconds).
	Difficulty float64 `json:"difficulty,omitempty"`
	Timestamp  float64 `json:"timestamp,omitempty"`
}

// NetCalibration compares a simulation with the real run it reproduces:
// each miner's share of the best chain and the stale rate, each with its
// 95% Wilson interval, and whether the real and the simulated intervals
// overlap (the difference is within the two runs' statistical spread).
type NetCalibration struct {
	Source string          `json:"source"`
	Miners []NetCalibShare `json:"miners"`
	Stale  NetCalibShare   `json:"stale"`
	// Agree is true when every row agrees.
	Agree bool `json:"agree"`
}

// NetCalibShare is one compared proportion: real k of n against the
// simulation's k of n.
type NetCalibShare struct {
	Name     string  `json:"name"`
	RealK    int     `json:"real_k"`
	RealN    int     `json:"real_n"`
	Real     float64 `json:"real"`
	RealLow  float64 `json:"real_low"`
	RealHigh float64 `json:"real_high"`
	SimK     int     `json:"sim_k"`
	SimN     int     `json:"sim_n"`
	Sim      float64 `json:"sim"`
	SimLow   float64 `json:"sim_low"`
	SimHigh  float64 `json:"sim_high"`
	Agree    bool    `json:"agree"`
}
