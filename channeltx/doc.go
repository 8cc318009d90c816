// Package channeltx implements BOLT #3 (Bitcoin Transaction and Script
// Formats) as pure functions: key derivation from basepoints and
// per-commitment points, the funding, to_local, to_remote, anchor and HTLC
// scripts and the witnesses that spend them, the commitment transaction
// (obscured commitment number, fee and anchors, trimmed HTLCs, BIP 69 + CLTV
// output order), HTLC-timeout and HTLC-success transactions, closing
// transactions, expected weights and fees, and the BIP 143 signature hashes
// with which each input is signed and verified.
//
// Two channel types are supported: StaticRemoteKey (option_static_remotekey,
// no anchors) and AnchorsZeroFeeHTLC (option_anchors with zero-fee
// second-stage HTLC transactions).
//
// Vocabulary: a Party is Local (the holder, this node) or Remote (the
// counterparty). A commitment transaction has an owner, the broadcaster;
// the other party is its countersignatory. BOLT #3's words "local" and
// "remote" in script and output names (to_local, local_htlcpubkey, ...) mean
// broadcaster and countersignatory, and are kept in those names.
//
// Functions that sign take a *btcec.PrivateKey; they are meant to be called
// by the signer package, the only holder of secrets.
//
// This package is pure (layer L0): no I/O, goroutines, clocks or global
// randomness (ECDSA signatures are deterministic, RFC 6979). It imports only
// the standard library, btcd (wire, txscript, btcec, chainhash),
// golang.org/x/crypto/ripemd160 and lnwire's unit types, and must not import
// any other package of the node.
package channeltx
