// Package regtest runs a real btcd on a private regtest chain for
// integration tests and the demo command: New (or Start in tests) installs
// the pinned btcd if missing, starts `btcd --regtest` in its own directory
// on free 127.0.0.1 ports (RPC over TLS by default, Options.NoTLS for
// plain HTTP), waits for its RPC server, and mines past segwit activation
// (height 432) plus 100 blocks so that coinbases are mature. Close stops
// btcd by its pid. Several harnesses run side by side.
//
// btcd has no wallet: the harness holds its own mining key, which receives
// every coinbase (--miningaddr, a P2WPKH address). Mine uses btcd's
// generate; Fund and FundScript build, sign and broadcast a transaction
// from the key's matured coinbases and earlier change. InvalidateBlock and
// ReconsiderBlock make reorganisations. RPC and ClientConfig give the
// connection details (host:port, user, password, certificate path) for
// daemons and lnd.
//
// btcd is installed with
//
//	GOBIN=<cache>/btcd-v0.24.2 go install github.com/btcsuite/btcd@v0.24.2
//
// where <cache> is $FULMEN_CACHE if set, else "fulmen-tools" beside Go's
// build cache (the parent directory of `go env GOCACHE`, so
// ~/.cache/fulmen-tools by default on Linux), else the user cache
// directory's "fulmen-tools". The first install takes about a minute and
// needs the Go module proxy; later runs reuse the binary.
//
// Facts about btcd this relies on: --regtest wipes its chain at every
// start; it has no generatetoaddress and no estimatesmartfee; its RPC is
// TLS unless --notls, which it allows on loopback only. btcd runs with
// HOME set to the harness directory so it never writes to ~/.btcd, and on
// Linux with a parent-death signal so that it dies with a killed test.
//
// Layer: test support (L2 I/O: processes, files, sockets). Only tests and
// demo commands import it; node code never does. It imports chain/bitcoind
// and lnwire; testing.go imports package testing for Start.
package regtest
