package results

// Net is the record of `powlab net`: a mini network of competing miners.
type Net struct {
	Header
	Config NetConfig `json:"config"`
	// Converged is true when every node ended on the same tip.
	Converged bool   `json:"converged"`
	Tip       string `json:"tip"`
	Height    int    `json:"height"`
	// Stopped says why the run ended: "blocks", "duration" or "interrupted".
	Stopped string    `json:"stopped"`
	Seconds float64   `json:"seconds"`
	Nodes   []NetNode `json:"nodes"`
	// Blocks on the final best chain (genesis excluded), in height order.
	Blocks []NetBlock `json:"blocks"`
	// Totals.
	MinedBlocks           int     `json:"mined_blocks"`
	StaleBlocks           int     `json:"stale_blocks"`
	StaleRate             float64 `json:"stale_rate"`
	Reorgs                int     `json:"reorgs"`
	DeepestReorg          int     `json:"deepest_reorg"`
	MeanIntervalSeconds   float64 `json:"mean_interval_seconds"`
	ExpectedIntervalSecs  float64 `json:"expected_interval_seconds"`
	ConvergeAfterLastSecs float64 `json:"converge_after_last_block_seconds"`
}

// NetConfig is everything needed to rerun the same network.
type NetConfig struct {
	Miners    []string `json:"miners"` // as given to --miners
	Rules     string   `json:"rules"`
	Target    string   `json:"target"`
	Topology  string   `json:"topology"`
	Latency   string   `json:"latency"`
	Partition string   `json:"partition,omitempty"`
	Blocks    int      `json:"blocks,omitempty"`
	Duration  float64  `json:"duration_seconds,omitempty"`
	Seed      uint64   `json:"seed"`
	Spawn     bool     `json:"spawn"`
}

// NetNode is one node's outcome.
type NetNode struct {
	ID      int    `json:"id"` // 1-based, as --partition names nodes
	Spec    string `json:"spec"`
	URL     string `json:"url"`
	Address string `json:"address"`
	// RateCap is the hashrate cap in attempts/s (0: uncapped).
	RateCap float64 `json:"rate_cap"`
	// MeasuredRate is attempts/s over the run.
	MeasuredRate  float64 `json:"measured_rate"`
	HashrateShare float64 `json:"hashrate_share"`
	BlocksMined   int     `json:"blocks_mined"`
	BlocksWon     int     `json:"blocks_won"`
	BlockShare    float64 `json:"block_share"`
	Stale         int     `json:"stale"`
	Reorgs        int     `json:"reorgs"`
	DeepestReorg  int     `json:"deepest_reorg"`
	Tip           string  `json:"tip"`
	Height        int     `json:"height"`
}

// NetBlock is one block of the final best chain.
type NetBlock struct {
	Height int     `json:"height"`
	Hash   string  `json:"hash"`
	Miner  int     `json:"miner"` // node ID, 0 when unknown
	At     float64 `json:"at_seconds"`
}
