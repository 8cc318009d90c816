// Package onion implements BOLT #4 onion routing for payments: building and
// peeling Sphinx packets (version 0, 1300 bytes of hop_payloads), the TLV hop
// payload (tlv_payload) with the reader's rules, and failure messages with
// the return path (failure onion creation at the erring hop, obfuscation at
// every intermediate hop, decryption and attribution at the origin).
//
// Secrets stay outside: building takes the session key from the caller, and
// peeling takes an ECDH function (see ECDH), so the node key never leaves the
// signer. Randomness is never drawn here.
//
// Errors carry the protocol action. A packet that cannot be authenticated
// fails with a *BadOnionError (invalid_onion_version, invalid_onion_hmac,
// invalid_onion_key, or invalid_onion_blinding), which the caller returns in
// update_fail_malformed_htlc with the SHA256 of the onion. Anything wrong
// after the HMAC checked out is an *InvalidPayloadError, returned as
// invalid_onion_payload inside an encrypted failure onion built from the
// hop's shared secret. Both implement FailureReporter.
//
// Route blinding is supported as far as the onion goes: PeelBlinded peels
// with the path_key of update_add_htlc, DecryptRecipientData opens
// encrypted_recipient_data and NextPathKey derives the next path_key. The
// encrypted_data_tlv inside (payment_relay, payment_constraints, ...) is
// returned as bytes for a route-blinding layer to interpret and enforce.
//
// Not implemented here: attribution_data (option_attribution_data), onion
// messages (variable-size packets), and building onions to blinded routes
// (the sender's side of blinded paths).
//
// It is layer L0: pure computation, no I/O, no goroutines, no clock, no
// global randomness. It must not import any fulmen package other than tlv
// and lnwire.
package onion
