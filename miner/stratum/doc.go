// Package stratum is a Stratum v1 mining client: it mines Bitcoin-style
// (sha256d) jobs for any pool with powlab's search (miner.Search over a
// miner.HeaderPuzzle, the kernel picked per algorithm). It prints nothing;
// callers watch it through Config.OnEvent.
//
// Flow, one TCP connection at a time, one JSON object per line:
//
//	client → mining.subscribe ["powlab/VERSION"]
//	pool   → result [[subscriptions…], extranonce1, extranonce2_size]
//	client → mining.authorize [user, password]
//	pool   → result true
//	pool   → mining.set_difficulty [D]            (any time)
//	pool   → mining.notify [job_id, prevhash, coinb1, coinb2, branch[],
//	                        version, nbits, ntime, clean_jobs]
//	client → mining.submit [user, job_id, extranonce2, ntime, nonce]
//	pool   → result true, or error [code, message, …]
//
// Headers are built as every pool and cpuminer build them: coinbase =
// coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2; Merkle root = sha256d of the
// coinbase folded over the branch, root = sha256d(root ‖ branch[i]), all in
// internal byte order; header = version ‖ prevhash ‖ root ‖ ntime ‖ nbits ‖
// nonce, where version, ntime and nbits come as 8-digit big-endian hex and
// go into the header little-endian, and prevhash comes as the
// internal-order hash written in eight byte-swapped 4-byte words. The
// nonce is submitted as the big-endian hex of the uint32 (the header holds
// it little-endian). extranonce2 is a counter written big-endian in
// extranonce2_size bytes.
//
// A share meets floor(diff1 / D) with diff1 = 0x00000000FFFF0000…0,
// computed exactly from the decimal D the pool sent (fractions allowed);
// the hash is compared in display order, as a big-endian number. A
// set_difficulty applies to jobs notified after it (difficulty 1 until
// the first one); mining.set_extranonce likewise.
//
// Mining: for extranonce2 = 0, 1, 2, … each header's 2^32 nonces are
// searched in smallest-nonce mode, resuming after every share, and every
// share is submitted. Every notify — with clean_jobs or without — abandons
// the running search at once (within about a millisecond: the search
// checks its context once per chunk) and starts the new job from
// extranonce2 0; a share of the old job already sent is still answered.
// When a job's extranonce2 space is used up the client waits for the
// next notify.
//
// Robustness: lines are capped at Config.MaxLineBytes (16 KiB by default);
// a longer line, invalid JSON, a wrong type or a bad hex length is reported
// as a LineIgnored event (the first ten per connection) and skipped; a
// hundred such lines, a bad subscribe result, a write failure, no notify
// within IdleTimeout (ErrIdle), or the pool closing the connection ends the
// connection, and Run redials after MinBackoff, doubling up to MaxBackoff
// (1 s → 30 s by default; back to the minimum after a session that got
// authorized).
//
// Errors: Run returns ctx.Err() when its context ends (with the totals),
// ErrUnauthorized when the pool refuses the user, or the search's own
// error (a kernel that cannot run). Connection-level failures are not
// returned: they come as Disconnected events with the reason, which wraps
// ErrProtocol for bad pool input and ErrIdle for a silent pool. ParseURL's
// errors wrap ErrBadURL.
package stratum
