// Package bolt11 encodes and decodes Lightning invoices as BOLT 11
// ("Invoice Protocol for Lightning Payments") specifies them: bech32 without
// the 90-character limit, the human-readable part (currency prefixes bc, tb,
// tbs, bcrt and amounts with the m, u, n, p multipliers), the 35-bit
// timestamp, every tagged field (p, s, d, h, n, x, c, f, r, 9, m; unknown
// ones are kept raw so they survive a round trip) and the recoverable
// signature.
//
// Decode applies every reader requirement and returns a distinct sentinel
// error per rule (ErrBadChecksum, ErrUnknownCurrency, ErrSubMillisatoshi,
// ErrMissingPaymentSecret, ErrHighS, ...), wrapped so errors.Is works. It
// checks the signature against the n field (low-S required) or recovers the
// payee key (high-S accepted). Encode takes a Signer, so the node key stays
// in the signer package; the invoice's FieldOrder lets it reproduce any
// field layout, which the tests use to rebuild the specification's examples
// byte for byte. NewDecoded gives the JSON view of Core Lightning's `decode`.
//
// One deliberate reading: BOLT 11 says a reader "MUST fail the payment if any
// field with fixed data_length (p, h, s, n) does not have the correct
// length", yet its valid example "Same, but including fields which must be
// ignored" has such fields after valid ones. This package follows the
// example: such fields are skipped, and an invoice left without a valid p, s
// or d/h fails with the missing-field error joined with ErrFieldLength.
//
// Time is never read from the clock: expiry checks take `now`.
//
// It is layer L0: pure functions, no I/O, no goroutines, no time.Now, no
// global randomness. It must not import any fulmen package but lnwire (its
// example test uses signer, to show that signer.InvoiceSigner is a Signer).
package bolt11
