// Package lndtest runs a real lnd, pinned at Version (v0.21.3-beta), as a
// test peer on the same btcd regtest chain as Fulmen's daemons: the
// interoperability layer of the test pyramid (DESIGN.md §3.7). lnd is a
// Lightning implementation no one here wrote, so a flow that works against it
// checks our reading of BOLTs 1, 2, 7, 8, 9 and 11 rather than our own
// assumptions.
//
// Install builds lnd and lncli once per machine through
// scripts/install-lnd.sh (lnd's go.mod has replace directives, so
// `go install` is refused; the script builds a copy of the module) and caches
// them beside Go's build cache. Start runs lnd in its own directory on free
// 127.0.0.1 ports, with btcd's TLS RPC as its chain backend, and waits until
// lnd's REST API reports synced_to_chain. Node talks to lnd over that REST API
// (lnd's JSON names, TLS with lnd's tls.cert, the admin macaroon in the
// Grpc-Metadata-macaroon header): typed methods for what the tests use and
// Call / Stream for any other endpoint of lnrpc/lightning.swagger.json.
//
// In a test:
//
//	bin := lndtest.RequireBinaries(t) // skips the test when FULMEN_SKIP_LND=1
//	chain := regtest.Start(t)
//	rpc := chain.RPC()
//	lnd := lndtest.StartT(t, bin, lndtest.Options{BtcdRPCHost: rpc.Host,
//		BtcdRPCUser: rpc.User, BtcdRPCPass: rpc.Pass, BtcdRPCCert: rpc.CertPath})
//	lnd.ConnectPeer(ourNodeID, ourAddress) // or ours connects to lnd.P2PAddress()
//
// The first run on a machine builds lnd (7-9 minutes on 2 idle cores, more
// under load): run scripts/install-lnd.sh beforehand or give go test a
// -timeout of 30m.
//
// Everything takes a context and returns errors (see errors.go);
// testing.go adds thin *testing.T wrappers. Processes are stopped by pid
// (REST stop, then SIGTERM, then SIGKILL), never by name.
//
// This is test support: only tests may import it. It imports lnwire for unit
// and feature types and nothing else of Fulmen (its own tests also use
// regtest for the chain); in particular it must not import the daemon, rpc or
// protocol packages it is used to test, so lnd stays an independent judge.
package lndtest
