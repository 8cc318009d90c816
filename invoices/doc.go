// Package invoices is the node's invoice registry: it creates BOLT 11
// invoices (signed through the signer), persists them in the store, settles
// them when a payment arrives, and wakes whoever waits for an invoice to
// be paid or to expire.
//
// Expiry is judged on the injected clock: an unpaid invoice whose
// expires_at has passed is "expired"; nothing needs to rewrite it.
//
// Layer L2 (it uses the store). It must not import rpc or daemon.
package invoices
