// Package chain is the node's view of the Bitcoin block chain: the
// interfaces that the rest of the node uses to read blocks, estimate fees
// and broadcast transactions (BlockSource, FeeEstimator, Broadcaster,
// UnspentLookup), the errors those calls share, and a block Follower.
//
// The Follower is a pure state machine: given the backend's current tip and
// a BlockSource to fetch hashes, headers and blocks from, it keeps the last
// N processed block hashes, detects reorganisations and produces an ordered
// list of events: BlockDisconnected for each block from the old tip back to
// the fork point, then BlockConnected for each block of the new best chain.
// It resumes from a persisted last-processed block after a restart. It has
// no goroutines, timers or sockets; the only effects are the calls it makes
// on the BlockSource it is handed. Poll is the small loop that drives a
// Follower at an interval against a real backend.
//
// No BOLT is implemented here; BOLT 2 and BOLT 5 (funding depth, channel
// closes, HTLC timeouts) are what the events feed.
//
// Layer L2 (interfaces and Follower are usable from L1 tests). It must not
// import any backend package (chain/bitcoind imports chain, never the other
// way round), nor channel, store or node code.
package chain
