// Package signer is the only holder of the node's secrets, in the role of
// Core Lightning's hsmd: it owns hsm_secret, derives every private key from
// it, and hands the rest of the node narrow clients that can ask for exactly
// one kind of operation (ECDH for the transport and onions, compact
// signatures for invoices, and later commitment and on-chain signatures).
//
// Derivations (documented because they decide which keys a restored
// hsm_secret gives back):
//
//	node key = HKDF-SHA256(ikm = hsm_secret, salt = "fulmen", info = "nodeid"),
//	           retried with info "nodeid/1", "nodeid/2"... in the (negligible)
//	           case the output is not a valid secp256k1 scalar.
//	wallet   = BIP 32 master from HKDF-SHA256(hsm_secret, salt "fulmen",
//	           info "bip32 seed"); P2WPKH keys at m/84'/coin'/0'/change/i
//	           (BIP 84) and P2TR key-path-only keys at m/86'/coin'/0'/change/i
//	           (BIP 86); coin 0 on mainnet, 1 elsewhere.
//	channel  = for the channel with index n (handed out once by the store,
//	           never reused), each key like the node key with info
//	           "channel/<n>/<purpose>" for the purposes "funding",
//	           "revocation", "payment", "delayed_payment" and "htlc" (the
//	           funding_pubkey and the four basepoints of BOLT #2/#3); the
//	           per-commitment seed of BOLT #3 is HKDF-SHA256(hsm_secret,
//	           salt "fulmen", info "channel/<n>/shachain"), and commitment
//	           number c uses its secret at index 2^48-1-c.
//
// ChannelSigner is the client of one channel (Signer.Channel): it signs the
// peer's commitments and HTLC transactions, the mutual close, and our own
// commitment only for a force-close; it refuses transactions that do not
// spend that channel's funding output with its funding key.
//
// Layer L2. It imports channeltx, revocation and lnwire (layer L0) for the
// transactions it signs; it must not import the channel state machine, the
// store, the peer connection or any runtime package.
//
// No other package may read hsm_secret or hold a *btcec.PrivateKey of the
// node. Key material types here never print their bytes.
package signer
