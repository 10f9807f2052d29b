// Package node is powlab's HTTP node: a chain.Chain served with the
// tutorial's routes, peers, chain resolution, block gossip and a miner.
//
// # Routes
//
// The tutorial's routes answer with its JSON shapes (keys sorted, as
// Flask's jsonify writes them), with clearer names beside them:
//
//	GET  /                                  a banner
//	GET  /chain                             {"chain": [...], "length": n}
//	GET  /mine                              {"message", "index", "transactions", "proof", "hash", "prev_hash"}
//	POST /new_transcations (sic), /transactions/new
//	                                        {"sender", "recipient", "amount"} -> {"message"}
//	POST /new_node, /nodes/register         {"nodes": [...]} -> {"message", "nodes"}
//	GET  /node_refresh, /nodes/resolve      {"message", "new chain"} or {"message", "chain"}
//	GET  /status                            height, tip, work (and work_exact), difficulty, miner, peers, mempool
//	POST /blocks                            {"block": {...}, "from": "http://host:port"} (or a bare block)
//
// Blocks are written in their canonical form (chain.Block.CanonicalJSON),
// so under tutorial rules their hashes agree byte for byte with the
// tutorial's Python nodes. As in the tutorial, every node makes its own
// genesis block; adopting a peer's chain adopts all of it, genesis included.
//
// # Flow
//
// New opens (or creates) the chain in Config.DataDir (a temporary directory
// when empty) and registers Config.Peers. Serve(listener) or Listen(addr)
// answers HTTP and calls Start, which resolves once against the configured
// peers in the background (a node back from being offline catches up) and
// starts the continuous miner when Config.Mine is set; StartMiner and
// StopMiner switch it at any time.
// Close stops the miner, the gossip and the server, and closes the store.
//
//   - Mining: the miner builds a candidate (chain.Chain.Candidate), searches
//     its proof with miner.Search and adds it. It subscribes to the chain's
//     tip changes before building the candidate and cancels its search the
//     moment the tip moves, so no work goes to a stale tip. GET /mine does
//     the same for one block (MineOne). MinerOptions.MaxRate caps the rate
//     by searching in 50 ms slices of the nonce range (miner.Options
//     MaxAttempts and Puzzle.Start) and sleeping between them; the answer is
//     still the smallest solving nonce.
//   - Gossip: a block this node mines or accepts is posted to every peer
//     (POST /blocks) by one goroutine per peer with a bounded queue, so a
//     slow peer never blocks the miner or the chain; a full queue drops the
//     announcement. Config.GossipDelay delays each announcement per peer
//     (simulated latency; a negative delay drops it: a partition). A peer
//     that answers 404 or 405 (a tutorial node has no /blocks) gets no more
//     announcements; its chain is still pulled when resolving.
//   - Receiving: a block that extends the tip, or completes a branch with
//     more work, is relayed onward. A block whose parent is unknown makes the
//     node fetch the sender's /chain in the background (the sender's "from"
//     address when it is a registered peer, else every peer), validate it
//     and adopt it if it has more work.
//   - Resolving (GET /node_refresh, Resolve, SyncFrom): fetch every peer's
//     chain in parallel (at most 8 at a time), skip those that cannot beat
//     ours by their claimed work, then validate the best
//     (chain.Chain.ReplaceChain: full validation on all cores, adopted only
//     with strictly more work). Fork choice is most cumulative work, summed
//     and compared as exact integers (chain.Work), the longest chain at a
//     fixed difficulty. Reports show work as a float for reading and as an
//     exact decimal string (work_exact) for comparing. Concurrent resolves of the same
//     peers share one run, which belongs to the node (a client that
//     disconnects does not cancel it; Close does).
//
// Network I/O and chain validation never hold the chain's lock, so /chain
// and /status answer while the node mines or resolves. /chain is encoded
// once per tip and cached.
//
// # Hostile input
//
// Request bodies are capped (MaxTxBody, MaxBlockBody; 413 beyond); the
// server has read, read-header, write and idle timeouts and at most MaxConns
// open connections (golang.org/x/net/netutil.LimitListener); JSON is decoded by
// chain's strict Python-compatible parser (no NaN, no out-of-range numbers,
// exact types). Peer requests time out (PeerTimeout), answers are capped
// (MaxResponseBytes) and redirects are not followed. Peer addresses must be
// http(s)://host:port or the tutorial's host:port (ParsePeer), at most
// MaxPeers of them.
//
// # Errors
//
// Clients get JSON errors {"message", "error"}: 400 for malformed JSON,
// wrong types, invalid transactions or peer addresses, 404/405 for unknown
// routes and methods, 413 for oversized bodies, 422 for a block that breaks
// a consensus rule (a *chain.RuleError), 503 for a full mempool, a mining
// timeout or a node shutting down, 500 for anything else (logged). Peers
// that fail are logged and reported in ResolveReport.Peers with an outcome
// ("unreachable", "invalid", "less work", "not better", "adopted"); they
// never stop the node. New fails with chain.Open's errors (for example
// chain.ErrParamsMismatch); methods on a closed node return ErrClosed.
//
// # Harness API (powlab net)
//
// A mini network runs in one process: New a Node per miner with a DataDir
// (or none), MinerOptions{Workers, Kernel, MaxRate} for each miner's rate,
// Events{Mined, Accepted, Reorg} to count blocks and reorganisations (they
// run on the node's goroutines, outside its locks, and must be quick),
// GossipDelay for latency and partitions; Listen("127.0.0.1:0") and Addr()
// give each its URL, AddPeers wires the topology, StartMiner/StopMiner and
// SetMinerOptions drive the miners, Status() reads the state (height, tip,
// work, attempts/s, the tip the miner builds on, gossip counters), Chain()
// gives the engine, Close stops it.
package node
