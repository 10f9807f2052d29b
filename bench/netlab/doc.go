// Package netlab is powlab's network lab: mini networks of competing
// miners, either real powlab nodes on loopback (Run) or a discrete-event
// simulation (Simulate). Both take their network from the same spec types
// (MinerSpec, Latency, Topology, Partition, parsed from the `powlab net`
// flags) and return the same record (results.Net, marked Simulated by the
// simulation). Like package bench, it never prints: progress goes to a
// callback, and the CLI renders.
//
// # The spec
//
// ParseMinerSpecs reads --miners (MinersGrammar): rates, KERNELxWORKERS,
// COUNTxMINER repetition (COUNT a plain integer, one per item), shares
// ("30%") and strategies ("selfish:30%"). Shares turns a list into shares
// of the total hashrate. BuildGraph draws a topology's links (a random
// topology: Degree outbound links per node, the undirected union) into
// compressed rows, so 10 000 nodes cost a few hundred kilobytes.
//
// # Real nodes (Run)
//
// Run starts one real chain/node per MinerSpec (and Config.Nodes − len(Miners)
// relays, nodes that never start their miner) on 127.0.0.1 and lets them
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
//     a Partition cuts the link; Listen on an ephemeral port; AddPeers.
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
// # The simulation (Simulate)
//
// One goroutine, one seeded PCG generator, one event heap (container/heap)
// ordered by (time, sequence), so a seed always gives the same run:
//
//  1. BuildGraph, then one latency per link (Latency.Draw), from the seed.
//  2. Mining: the next block of the whole network comes an exponential time
//     with mean BlockTime after the last, and is one miner's with its share
//     as the probability (the miners' races are independent and
//     memoryless, so one pending event stands for all of them). An honest
//     miner extends its node's tip and relays the block at once.
//  3. Propagation: relaying block b from node i at time t schedules, for
//     each neighbour j without it, its arrival validated at t + latency(i,j)
//     + BlockSize/Bandwidth + ValidationDelay, unless j is already due to
//     get b sooner (b keeps the earliest time per node while it spreads,
//     so each node takes each block once and relays it once). A node that
//     gets a block before its parent parks it and asks the sender for the
//     parent (a round trip plus a transfer); a partition drops relays
//     across the cut, and after it the next block pulls the missing chain.
//  4. Fork choice: the longest chain (one difficulty throughout, so the
//     most work), the first seen on a tie; with UseGamma a tie between a
//     selfish and an honest tip goes to the selfish one on a coin of bias
//     Gamma fixed per node and height. A switch to a branch that does not
//     extend the tip counts a reorganisation of the depth of the blocks
//     left behind.
//  5. Selfish miners follow Eyal & Sirer's Algorithm 1 against their view
//     of the public chain: keep their blocks; when the public chain grows
//     to their height, release and race (state 0'), winning if they find
//     the next block; when it comes within one, release all; when they
//     lead by more, release up to the public height. They relay honest
//     blocks like any node.
//  6. The stop (Blocks on a published chain, or Duration of simulated
//     time): selfish miners release what they hold and turn honest; the
//     blocks in flight are delivered; if the nodes then disagree (a tie)
//     mining goes on until one tip holds (MinedOnToConverge).
//
// Blocks are shared immutable structs (parent pointer, height, miner, a
// bitset of the nodes that have it); a node is its tip pointer. The
// per-node arrival times of a block are freed once every node has it, so
// memory grows with nodes × blocks bits, not with copies of chains.
//
// Errors: Simulate fails with errors wrapping ErrConfig (or ErrBadSpec)
// for its configuration, including a random graph that came out
// disconnected, and returns ctx.Err() with the record so far when
// cancelled.
//
// Errors: Run fails with errors wrapping ErrConfig or ErrBadSpec for its
// configuration, with a node's or child's error when one cannot start, and
// with ctx.Err() together with the whole report (Stopped "interrupted")
// when cancelled. Every node is closed and every child killed before Run
// returns.
package netlab
