package channeltx

import (
	"bytes"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// The builders below return complete witness stacks, the witness script (or
// the public key of a P2WPKH) last. Signatures are DER followed by their
// sighash type byte; all are SIGHASH_ALL except where noted.

func withHashType(sig *ecdsa.Signature, hashType txscript.SigHashType) []byte {
	return append(sig.Serialize(), byte(hashType))
}

func sigAll(sig *ecdsa.Signature) []byte { return withHashType(sig, txscript.SigHashAll) }

// FundingWitness spends the funding output with both signatures, ordered
// like the keys in the script.
//
// BOLT #3: 0 <signature_for_pubkey1> <signature_for_pubkey2>
func FundingWitness(localKey, remoteKey *btcec.PublicKey, localSig, remoteSig *ecdsa.Signature, fundingScript []byte) wire.TxWitness {
	first, second := sigAll(localSig), sigAll(remoteSig)
	if bytes.Compare(localKey.SerializeCompressed(), remoteKey.SerializeCompressed()) > 0 {
		first, second = second, first
	}
	return wire.TxWitness{nil, first, second, fundingScript}
}

// ToLocalDelayedWitness spends to_local (or an HTLC-timeout/success output)
// by the broadcaster after to_self_delay; the input's sequence must be
// to_self_delay.
//
// BOLT #3: <local_delayedsig> <>
func ToLocalDelayedWitness(delayedSig *ecdsa.Signature, toLocalScript []byte) wire.TxWitness {
	return wire.TxWitness{sigAll(delayedSig), nil, toLocalScript}
}

// ToLocalRevocationWitness spends to_local (or an HTLC-timeout/success
// output) of a revoked commitment with the revocation key.
//
// BOLT #3: <revocation_sig> 1
func ToLocalRevocationWitness(revocationSig *ecdsa.Signature, toLocalScript []byte) wire.TxWitness {
	return wire.TxWitness{sigAll(revocationSig), {1}, toLocalScript}
}

// ToRemoteWitness spends to_remote: a P2WPKH witness for static_remotekey,
// or, with option_anchors, <remote_sig> and the script (the input's
// sequence must then be 1).
func ToRemoteWitness(t ChannelType, remoteSig *ecdsa.Signature, remoteKey *btcec.PublicKey) wire.TxWitness {
	if t.HasAnchors() {
		return wire.TxWitness{sigAll(remoteSig), ToRemoteAnchorScript(remoteKey)}
	}
	return wire.TxWitness{sigAll(remoteSig), remoteKey.SerializeCompressed()}
}

// AnchorWitness spends an anchor with its owner's funding key.
//
// BOLT #3: <local_sig/remote_sig>
func AnchorWitness(fundingSig *ecdsa.Signature, anchorScript []byte) wire.TxWitness {
	return wire.TxWitness{sigAll(fundingSig), anchorScript}
}

// AnchorSweepWitness lets anyone spend an anchor 16 blocks after the
// commitment confirmed; the input's sequence must be at least 16.
//
// BOLT #3: After 16 blocks, anyone can sweep the anchor with witness: <>
func AnchorSweepWitness(anchorScript []byte) wire.TxWitness {
	return wire.TxWitness{nil, anchorScript}
}

// HTLCRevocationWitness spends an offered or received HTLC output of a
// revoked commitment.
//
// BOLT #3: <revocation_sig> <revocationpubkey>
func HTLCRevocationWitness(revocationSig *ecdsa.Signature, revocationKey *btcec.PublicKey, htlcScript []byte) wire.TxWitness {
	return wire.TxWitness{sigAll(revocationSig), revocationKey.SerializeCompressed(), htlcScript}
}

// OfferedHTLCPreimageWitness lets the countersignatory claim an offered HTLC
// output with the preimage (sequence 1 with option_anchors).
//
// BOLT #3: <remotehtlcsig> <payment_preimage>
func OfferedHTLCPreimageWitness(remoteHTLCSig *ecdsa.Signature, preimage [32]byte, offeredScript []byte) wire.TxWitness {
	return wire.TxWitness{sigAll(remoteHTLCSig), preimage[:], offeredScript}
}

// ReceivedHTLCTimeoutWitness lets the countersignatory take back a received
// HTLC output after cltv_expiry (sequence 1 with option_anchors).
//
// BOLT #3: <remotehtlcsig> <>
func ReceivedHTLCTimeoutWitness(remoteHTLCSig *ecdsa.Signature, receivedScript []byte) wire.TxWitness {
	return wire.TxWitness{sigAll(remoteHTLCSig), nil, receivedScript}
}

// countersignatoryHashType is the sighash type of the countersignatory's
// signature on HTLC transactions.
func countersignatoryHashType(t ChannelType) txscript.SigHashType {
	if t.HasAnchors() {
		// BOLT #3: if option_anchors applies to this commitment
		// transaction, SIGHASH_SINGLE|SIGHASH_ANYONECANPAY is used.
		return SigHashSingleAnyoneCanPay
	}
	return txscript.SigHashAll
}

// HTLCTimeoutWitness completes an HTLC-timeout transaction. The
// countersignatory's signature carries SIGHASH_SINGLE|SIGHASH_ANYONECANPAY
// with option_anchors.
//
// BOLT #3: 0 <remotehtlcsig> <localhtlcsig> <>
func HTLCTimeoutWitness(t ChannelType, countersignatorySig, broadcasterSig *ecdsa.Signature, offeredScript []byte) wire.TxWitness {
	return wire.TxWitness{nil, withHashType(countersignatorySig, countersignatoryHashType(t)), sigAll(broadcasterSig), nil, offeredScript}
}

// HTLCSuccessWitness completes an HTLC-success transaction. The
// countersignatory's signature carries SIGHASH_SINGLE|SIGHASH_ANYONECANPAY
// with option_anchors.
//
// BOLT #3: 0 <remotehtlcsig> <localhtlcsig> <payment_preimage>
func HTLCSuccessWitness(t ChannelType, countersignatorySig, broadcasterSig *ecdsa.Signature, preimage [32]byte, receivedScript []byte) wire.TxWitness {
	return wire.TxWitness{nil, withHashType(countersignatorySig, countersignatoryHashType(t)), sigAll(broadcasterSig), preimage[:], receivedScript}
}
