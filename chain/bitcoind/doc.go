// Package bitcoind is a JSON-RPC client for a full-node backend, working
// with both bitcoind (version 25 and later) and btcd (0.24). It implements
// the interfaces of package chain (chain.Backend: blocks, headers, fee
// estimates, broadcast, UTXO lookups) plus the regtest calls used by tests
// (generate, generatetoaddress, invalidateblock, reconsiderblock).
//
// Transport: JSON-RPC 1.0 requests (positional params, numeric id) over
// HTTP POST with basic auth, to http://host:port/ — or https:// when
// Config.TLSCertPath names a PEM certificate to trust (btcd's rpc.cert).
// Every call takes a context and is also bounded by Config.Timeout.
//
// Errors: ErrUnreachable (no reply), ErrAuth (HTTP 401/403), ErrBadResponse
// (not the JSON expected), *RPCError (the backend's error object, with
// Code and Message; errors.Is(err, ErrMethodNotFound) for -32601), and the
// shared chain.ErrNotFound, chain.ErrNoEstimate and chain.ErrTx* wrapped
// around the *RPCError where the method's codes say so.
//
// Differences between btcd and bitcoind, and what this client does:
//
//   - Transport. bitcoind serves plain HTTP and answers RPC errors with
//     HTTP 500 (404 for an unknown method) and a JSON body; btcd serves TLS
//     by default (--notls to turn it off) and answers errors with HTTP 200.
//     The client reads the JSON body whatever the status. btcd needs an id
//     (a null id is a notification it does not answer) and a params array.
//   - getblockchaininfo "chain": bitcoind says main, test, testnet4, signet,
//     regtest; btcd says its chaincfg names mainnet, testnet3, signet,
//     regtest (and simnet, which is refused). Both map to chain.Network
//     bitcoin, testnet, testnet4, signet, regtest. btcd does not report
//     initialblockdownload.
//   - getblockhash above the tip: btcd answers code -1, bitcoind -8; both
//     become chain.ErrNotFound.
//   - getblockheader: btcd's verbose form fails for a block off the best
//     chain, so the client always asks for the raw header (verbose=false),
//     which both serve for stale blocks.
//   - getblock and getrawtransaction: verbosity/verbose is sent as the
//     number 0, which both accept (btcd refuses a boolean for
//     getrawtransaction). Confirmed transactions need -txindex on both.
//   - Fee estimation: bitcoind has estimatesmartfee (BTC/kvB, or an
//     "errors" list without a feerate); btcd has only the legacy estimatefee
//     (BTC/kB), which answers 0 or an error until it has observed enough
//     blocks, as on regtest. EstimateFee tries estimatesmartfee, remembers
//     a method-not-found answer and then uses estimatefee; no estimate in
//     either form is chain.ErrNoEstimate.
//   - sendrawtransaction: both use -25 (missing inputs), -26 (rejected),
//     -27 (already in the chain). A transaction already in the mempool:
//     bitcoind returns its txid, btcd answers -26 "already have
//     transaction", which the client reports as chain.ErrTxAlreadyKnown
//     like -27 (and bitcoind's "txn-already-..." rejections). The second parameter
//     differs (btcd: allowhighfees bool; bitcoind: maxfeerate), so it is
//     never sent.
//   - gettxout: same parameters and result (null when spent or unknown);
//     btcd's value is a Go float64 that may print as "1e-05", which
//     ParseBTC reads exactly.
//   - Mining on regtest: btcd has generate (to its --miningaddr) and no
//     generatetoaddress; bitcoind (since 0.19) only generatetoaddress.
//   - invalidateblock and reconsiderblock: same on both.
//
// Layer L2. It imports chain (interfaces, shared errors) and lnwire units;
// nothing above L2, and never the regtest harness (only its tests do).
package bitcoind
