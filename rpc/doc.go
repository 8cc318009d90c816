// Package rpc serves the node's JSON-RPC 2.0 interface over a Unix socket,
// compatible with Core Lightning's: the same framing (a stream of JSON
// objects; each reply followed by a blank line), params by position or by
// name, Core Lightning's error codes and messages, and replies that are
// top-level objects.
//
// Methods live in a Table that the daemon fills explicitly (no init()
// registration); each subsystem contributes its own methods. The package
// also holds the client used by fulmen-cli and the test harness.
//
// Layer L3. It must not import the daemon or any command package.
package rpc
