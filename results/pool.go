package results

// Pool is the record of `powlab pool --record`: the share log and periodic
// snapshots of every worker's hashrate estimate.
type Pool struct {
	Header
	Stratum     string         `json:"stratum"` // the listening address
	Params      string         `json:"params"`  // the chain's rules and parameters
	ShareDiff   float64        `json:"share_diff"`
	VardiffRate float64        `json:"vardiff_rate"` // shares per minute
	Seconds     float64        `json:"seconds"`      // how long the pool ran
	Snapshots   []PoolSnapshot `json:"snapshots"`
	Shares      []PoolShare    `json:"shares"`
	// SharesDropped counts shares not logged once the log reached its bound.
	SharesDropped int `json:"shares_dropped,omitempty"`
}

// PoolSnapshot is the pool's status at one moment.
type PoolSnapshot struct {
	Seconds float64      `json:"seconds"` // since the pool started
	Height  uint64       `json:"height"`
	Workers []PoolWorker `json:"workers"`
}

// PoolWorker is one worker in a snapshot. Hashrates are hashes/s: the
// estimate from shares and its 95% interval; TrueRate is the rate the
// worker declared (a rate-capped powlab client sends its cap as the password
// option rate=N), 0 when unknown.
type PoolWorker struct {
	Name         string  `json:"name"`
	Accepted     uint64  `json:"accepted"`
	Rejected     uint64  `json:"rejected"`
	Stale        uint64  `json:"stale"`
	Duplicate    uint64  `json:"duplicate"`
	Difficulty   float64 `json:"difficulty"`
	Hashrate     float64 `json:"hashrate"`
	HashrateLow  float64 `json:"hashrate_low"`
	HashrateHigh float64 `json:"hashrate_high"`
	TrueRate     float64 `json:"true_rate,omitempty"`
	Blocks       uint64  `json:"blocks"`
}

// PoolShare is one submission and what the pool made of it.
type PoolShare struct {
	Seconds    float64 `json:"seconds"`
	Worker     string  `json:"worker"`
	Difficulty float64 `json:"difficulty"`
	Result     string  `json:"result"` // accepted, stale, duplicate, low, invalid
	Block      bool    `json:"block,omitempty"`
	Hash       string  `json:"hash,omitempty"`
}
