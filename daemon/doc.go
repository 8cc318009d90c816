// Package daemon is the composition root of fulmend: it builds every
// subsystem from the configuration, in order (lock the directory, load the
// secret, open the store, reach the chain backend, serve JSON-RPC, follow
// the chain), and tears them down in reverse.
//
// Layer L3. It is imported only by cmd/fulmend and the test harness.
package daemon
