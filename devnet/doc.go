// Package devnet runs a local development network of real processes: a
// btcd regtest chain (package regtest) and any number of fulmend daemons,
// each in its own directory on free loopback ports, in the manner of Core
// Lightning's pyln-testing node_factory.
//
// It serves the black-box tests (itest/) and the demo command. Everything
// takes a context and returns errors; testing.go adds *testing.T wrappers
// that fail the test and dump the daemon logs of a failed test.
//
// Processes are stopped by pid, never by name.
package devnet
