// Package paywalltest provides Backend, an in-process fake Lightning node
// for package paywall: it makes real, signed BOLT 11 invoices (regtest,
// with a fixed test key) and lets a test pay, expire or delete them, with a
// clock that moves only when the test says so.
//
// It is test support: tests (and developers trying a shop without a node)
// use it; node code never imports it. It imports paywall, bolt11, lnwire
// and btcec.
package paywalltest
