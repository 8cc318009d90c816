// Package itest holds the black-box tests: real fulmend processes on a
// real btcd regtest chain, driven only through JSON-RPC and the command
// line, as a user would. They start everything they need (package devnet)
// in temporary directories on free loopback ports, and run in parallel.
package itest
