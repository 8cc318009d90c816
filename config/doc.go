// Package config reads the fulmend daemon's options the way Core Lightning
// does (see lightningd-config(5)): from <lightning-dir>/config, then
// <lightning-dir>/<network>/config, then the command line, later settings
// overriding earlier ones except for repeatable options, which accumulate.
//
// Every option is one row of a small table (name, kind, default, help,
// repeatable, and where it may appear); the command-line parser, the file
// parser and the --help text are all driven by that table, so adding an
// option means adding a Config field and a row in options.go.
//
// Option names and meanings follow Core Lightning: network, lightning-dir,
// alias, rgb, log-level, log-file, addr, bind-addr, announce-addr,
// bitcoin-rpc*, allow-deprecated-apis, daemon, pid-file and conf. Two are
// ours: bitcoin-rpccert (TLS to btcd; TLS is used exactly when it is set)
// and fallback-feerate (a perkw feerate used when the chain gives no
// estimate, e.g. on regtest).
//
// The file resolution follows Core Lightning's two passes: the command line
// is read first for the options that decide which files to read (conf,
// lightning-dir, network and its aliases); then the base file, which may set
// network; then the network file; then every setting is applied in the
// order base file, network file, command line. --conf names one file that
// replaces both default files. network is not permitted in the network file,
// lightning-dir only on the command line or in a --conf file, conf only on
// the command line.
//
// Not supported yet (each is an error, never silently ignored): the
// "include" directive, Tor control addresses (autotor:, statictor:),
// Core Lightning's "trace" log level and the testnet4 network. Comments are
// whole lines only, so a value may contain '#'.
//
// Parsing text is pure: ParseFile and Parse take their input as values and
// read files only through Environment.ReadFile, so tests need no disk.
// Errors are *Error values whose message is one line naming the file and
// line (or the command-line flag) and the option.
//
// Layer L3. It imports lnwire (unit types) and btcd's chaincfg only; it must
// not import any other fulmen package.
package config
