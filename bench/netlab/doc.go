// Package netlab is powlab's network lab: mini networks of competing
// miners, either real powlab nodes on loopback (Run) or, later in this
// package, a discrete-event simulation. Both take their network from the
// same spec types (MinerSpec, Latency, Topology, Partition, parsed from the
// `powlab net` flags) and return the same record (results.Net). Like package
// bench, it never prints: progress goes to a callback, and the CLI renders.
//
// # Real nodes (Run)
//
// Run starts one real chain/node per MinerSpec on 127.0.0.1 and lets them
// mine against each other over HTTP and block gossip:
//
//  1. One genesis block for all: a chain is created with a fixed clock
//     (netGenesisTime) and its store copied into each node's temporary data
//     directory. The seeded RNG draws each node's reward address and one
//     latency per link of the topology (Topology.Peers). Uncapped specs are
//     calibrated alone (CalibrateSpecs), the fallback for a node whose
//     blocks come too fast for it to report a rate.
//  2. In process (default): node.New with Events counting mined blocks and
//     reorganisations, GossipDelay returning the link's latency or -1 while
//     a Partition cuts the link; Serve on an ephemeral port; AddPeers.
//     Spawned (Config.Spawn): `powlab node --mine` children, one per
//     node, each with its own store (same genesis, its own address), talking
//     only through a proxy per link in this process, which delays requests,
//     answers 503 across a cut and observes every announced block; tips and
//     reorganisations are polled from /status.
//  3. All miners start at once. A loop checks the stop conditions (Blocks on
//     the best chain, Duration, ctx), samples attempts/s, calls Progress,
//     and when a partition ends makes every node resolve (gossip alone would
//     heal the fork only at the next block).
//  4. The miners stop (spawned children keep mining until closed) and the
//     nodes are given ConvergeTimeout to agree on one tip, resolving every
//     second; after 2 s without one tip (a tie of equal-work branches,
//     which no resolve breaks) they mine on until a block breaks it.
//  5. The record: the longest chain among the nodes is the best one; each of
//     its blocks is credited to the node its reward pays. Stale = mined −
//     won; mean interval = time of the last block / blocks; expected
//     interval = the target's expected attempts / the total rate.
//
// In process, a message already in flight when a cut starts (at most one
// link latency) still arrives, and a catch-up fetch it triggers can cross
// the cut; spawned networks route every request through the proxies and
// block all of it.
//
// Errors: Run fails with errors wrapping ErrConfig or ErrBadSpec for its
// configuration, with a node's or child's error when one cannot start, and
// with ctx.Err() together with the whole report (Stopped "interrupted")
// when cancelled. Every node is closed and every child killed before Run
// returns.
package netlab
