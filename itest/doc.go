// Package itest holds the black-box tests: real fulmend processes on a
// real btcd regtest chain, driven only through JSON-RPC and the command
// line, as a user would. They start everything they need (package devnet)
// in temporary directories on free loopback ports, and run in parallel.
//
// TestLndUpdateFeeToFulmen runs only with FULMEN_LND_UPDATE_FEE=1 and
// -timeout 90m (lnd sends update_fee 10-60 minutes after a link starts);
// the README names the command.
package itest
