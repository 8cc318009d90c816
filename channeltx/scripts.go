package channeltx

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // BOLT #3 scripts commit to RIPEMD160(payment_hash)
)

// The scripts below are built with a ScriptBuilder, whose only possible
// error is a script above the size limit; none of these come near it, so an
// error is a broken invariant.
func mustScript(b *txscript.ScriptBuilder) []byte {
	script, err := b.Script()
	if err != nil {
		panic("channeltx: building a fixed BOLT #3 script: " + err.Error())
	}
	return script
}

// WitnessScriptHash returns the P2WSH output script (OP_0 <SHA256(script)>)
// paying to the witness script.
func WitnessScriptHash(witnessScript []byte) []byte {
	h := sha256.Sum256(witnessScript)
	return append([]byte{txscript.OP_0, txscript.OP_DATA_32}, h[:]...)
}

// PayToWitnessPubKeyHash returns the P2WPKH output script for the key.
func PayToWitnessPubKeyHash(key *btcec.PublicKey) []byte {
	h := btcutil.Hash160(key.SerializeCompressed())
	return append([]byte{txscript.OP_0, txscript.OP_DATA_20}, h...)
}

func ripemd160Sum(b []byte) []byte {
	h := ripemd160.New()
	h.Write(b)
	return h.Sum(nil)
}

// FundingScript returns the 2-of-2 funding witness script.
//
// BOLT #3: 2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG, where pubkey1 is the
// lexicographically lesser of the two funding_pubkey in compressed format.
func FundingScript(a, b *btcec.PublicKey) ([]byte, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("%w: funding key", ErrMissingKey)
	}
	first, second := a.SerializeCompressed(), b.SerializeCompressed()
	if bytes.Compare(first, second) > 0 {
		first, second = second, first
	}
	return mustScript(txscript.NewScriptBuilder().
		AddOp(txscript.OP_2).AddData(first).AddData(second).
		AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG)), nil
}

// ToLocalScript returns the witness script of the to_local output, which is
// also the script of the HTLC-timeout and HTLC-success outputs:
//
//	OP_IF <revocationpubkey> OP_ELSE `to_self_delay` OP_CHECKSEQUENCEVERIFY
//	OP_DROP <local_delayedpubkey> OP_ENDIF OP_CHECKSIG
func ToLocalScript(revocationKey, delayedKey *btcec.PublicKey, toSelfDelay uint16) []byte {
	return mustScript(txscript.NewScriptBuilder().
		AddOp(txscript.OP_IF).
		AddData(revocationKey.SerializeCompressed()).
		AddOp(txscript.OP_ELSE).
		AddInt64(int64(toSelfDelay)).
		AddOp(txscript.OP_CHECKSEQUENCEVERIFY).
		AddOp(txscript.OP_DROP).
		AddData(delayedKey.SerializeCompressed()).
		AddOp(txscript.OP_ENDIF).
		AddOp(txscript.OP_CHECKSIG))
}

// ToRemoteAnchorScript returns the witness script of the to_remote output
// when option_anchors applies.
//
// BOLT #3: <remotepubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY
func ToRemoteAnchorScript(remoteKey *btcec.PublicKey) []byte {
	return mustScript(txscript.NewScriptBuilder().
		AddData(remoteKey.SerializeCompressed()).
		AddOp(txscript.OP_CHECKSIGVERIFY).
		AddOp(txscript.OP_1).
		AddOp(txscript.OP_CHECKSEQUENCEVERIFY))
}

// ToRemoteOutputScript returns the to_remote output script and, for
// anchor channels, its witness script (nil for the P2WPKH of
// static_remotekey).
func ToRemoteOutputScript(t ChannelType, remoteKey *btcec.PublicKey) (pkScript, witnessScript []byte) {
	if t.HasAnchors() {
		// BOLT #3: If option_anchors applies to the commitment transaction,
		// the to_remote output is encumbered by a one block csv lock.
		witnessScript = ToRemoteAnchorScript(remoteKey)
		return WitnessScriptHash(witnessScript), witnessScript
	}
	// BOLT #3: Otherwise, this output is a simple P2WPKH to remotepubkey.
	return PayToWitnessPubKeyHash(remoteKey), nil
}

// AnchorScript returns the witness script of to_local_anchor or
// to_remote_anchor, locked to that party's funding key:
//
//	<local_funding_pubkey/remote_funding_pubkey> OP_CHECKSIG OP_IFDUP
//	OP_NOTIF OP_16 OP_CHECKSEQUENCEVERIFY OP_ENDIF
func AnchorScript(fundingKey *btcec.PublicKey) []byte {
	return mustScript(txscript.NewScriptBuilder().
		AddData(fundingKey.SerializeCompressed()).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_IFDUP).
		AddOp(txscript.OP_NOTIF).
		AddOp(txscript.OP_16).
		AddOp(txscript.OP_CHECKSEQUENCEVERIFY).
		AddOp(txscript.OP_ENDIF))
}

// OfferedHTLCScript returns the witness script of an HTLC output offered by
// the broadcaster (BOLT #3 "Offered HTLC Outputs"):
//
//	OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
//	OP_IF
//	    OP_CHECKSIG
//	OP_ELSE
//	    <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
//	    OP_NOTIF
//	        OP_DROP 2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG
//	    OP_ELSE
//	        OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY
//	        OP_CHECKSIG
//	    OP_ENDIF
//	    1 OP_CHECKSEQUENCEVERIFY OP_DROP    (option_anchors only)
//	OP_ENDIF
func OfferedHTLCScript(t ChannelType, keys *CommitmentKeys, paymentHash [32]byte) []byte {
	b := txscript.NewScriptBuilder().
		AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).
		AddData(btcutil.Hash160(keys.Revocation.SerializeCompressed())).
		AddOp(txscript.OP_EQUAL).
		AddOp(txscript.OP_IF).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ELSE).
		AddData(keys.CountersignatoryHTLC.SerializeCompressed()).
		AddOp(txscript.OP_SWAP).AddOp(txscript.OP_SIZE).AddInt64(32).AddOp(txscript.OP_EQUAL).
		AddOp(txscript.OP_NOTIF).
		AddOp(txscript.OP_DROP).AddOp(txscript.OP_2).AddOp(txscript.OP_SWAP).
		AddData(keys.BroadcasterHTLC.SerializeCompressed()).
		AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG).
		AddOp(txscript.OP_ELSE).
		AddOp(txscript.OP_HASH160).AddData(ripemd160Sum(paymentHash[:])).AddOp(txscript.OP_EQUALVERIFY).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ENDIF)
	if t.HasAnchors() {
		b.AddOp(txscript.OP_1).AddOp(txscript.OP_CHECKSEQUENCEVERIFY).AddOp(txscript.OP_DROP)
	}
	return mustScript(b.AddOp(txscript.OP_ENDIF))
}

// ReceivedHTLCScript returns the witness script of an HTLC output received
// by the broadcaster (BOLT #3 "Received HTLC Outputs"):
//
//	OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
//	OP_IF
//	    OP_CHECKSIG
//	OP_ELSE
//	    <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
//	    OP_IF
//	        OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY
//	        2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG
//	    OP_ELSE
//	        OP_DROP <cltv_expiry> OP_CHECKLOCKTIMEVERIFY OP_DROP
//	        OP_CHECKSIG
//	    OP_ENDIF
//	    1 OP_CHECKSEQUENCEVERIFY OP_DROP    (option_anchors only)
//	OP_ENDIF
func ReceivedHTLCScript(t ChannelType, keys *CommitmentKeys, paymentHash [32]byte, cltvExpiry uint32) []byte {
	b := txscript.NewScriptBuilder().
		AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).
		AddData(btcutil.Hash160(keys.Revocation.SerializeCompressed())).
		AddOp(txscript.OP_EQUAL).
		AddOp(txscript.OP_IF).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ELSE).
		AddData(keys.CountersignatoryHTLC.SerializeCompressed()).
		AddOp(txscript.OP_SWAP).AddOp(txscript.OP_SIZE).AddInt64(32).AddOp(txscript.OP_EQUAL).
		AddOp(txscript.OP_IF).
		AddOp(txscript.OP_HASH160).AddData(ripemd160Sum(paymentHash[:])).AddOp(txscript.OP_EQUALVERIFY).
		AddOp(txscript.OP_2).AddOp(txscript.OP_SWAP).
		AddData(keys.BroadcasterHTLC.SerializeCompressed()).
		AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG).
		AddOp(txscript.OP_ELSE).
		AddOp(txscript.OP_DROP).AddInt64(int64(cltvExpiry)).AddOp(txscript.OP_CHECKLOCKTIMEVERIFY).AddOp(txscript.OP_DROP).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ENDIF)
	if t.HasAnchors() {
		b.AddOp(txscript.OP_1).AddOp(txscript.OP_CHECKSEQUENCEVERIFY).AddOp(txscript.OP_DROP)
	}
	return mustScript(b.AddOp(txscript.OP_ENDIF))
}
