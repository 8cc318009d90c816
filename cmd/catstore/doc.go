// Command catstore sells an ASCII cat for a Lightning payment, through a
// Fulmen (or Core Lightning) node's JSON-RPC socket: the example server of
// package paywall, and a replay of the first sale made with Fulmen.
//
//	catstore [--lightning-dir=D] [--network=N] [--rpc-file=F]
//	         [--listen=127.0.0.1:PORT] [--price=10000sat] [--expiry=15m]
//	         [--require-preimage] [--title=T]
//
// The node's socket is found as fulmen-cli finds it: --rpc-file (relative to
// the network directory unless absolute), else
// <lightning-dir>/<network>/lightning-rpc, where the network comes from
// --network or the lightning-dir's config file (bitcoin when neither says).
// --listen defaults to a free loopback port; the shop's URL is printed
// once it listens. --price takes Core Lightning's amount forms ("10000sat",
// "5000msat", "0.0001btc"; a bare number is msat).
//
// Exit status: 0 after SIGINT/SIGTERM, 1 when the HTTP server fails, 2
// when the node cannot be reached at start, 3 for bad usage.
package main
