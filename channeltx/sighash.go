package channeltx

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// SigHashSingleAnyoneCanPay is the sighash type the countersignatory uses on
// HTLC transactions of option_anchors channels.
const SigHashSingleAnyoneCanPay = txscript.SigHashSingle | txscript.SigHashAnyOneCanPay

// WitnessSigHash returns the BIP 143 signature hash of input inputIndex of
// tx, which spends a segwit v0 output of the given value: witnessScript is
// the P2WSH witness script, or for a P2WPKH output its output script.
func WitnessSigHash(tx *wire.MsgTx, inputIndex int, witnessScript []byte, value lnwire.Satoshi, hashType txscript.SigHashType) ([32]byte, error) {
	if inputIndex < 0 || inputIndex >= len(tx.TxIn) {
		return [32]byte{}, fmt.Errorf("%w: %d of %d", ErrInputIndex, inputIndex, len(tx.TxIn))
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(WitnessScriptHash(witnessScript), int64(value))
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	digest, err := txscript.CalcWitnessSigHash(witnessScript, hashes, hashType, tx, inputIndex, int64(value))
	if err != nil {
		return [32]byte{}, fmt.Errorf("channeltx: signature hash: %w", err)
	}
	var out [32]byte
	copy(out[:], digest)
	return out, nil
}

// SignWitness signs input inputIndex of tx (BIP 143, RFC 6979 nonces).
func SignWitness(key *btcec.PrivateKey, tx *wire.MsgTx, inputIndex int, witnessScript []byte, value lnwire.Satoshi, hashType txscript.SigHashType) (*ecdsa.Signature, error) {
	digest, err := WitnessSigHash(tx, inputIndex, witnessScript, value, hashType)
	if err != nil {
		return nil, err
	}
	return ecdsa.Sign(key, digest[:]), nil
}

// VerifyWitnessSignature checks a signature of input inputIndex of tx
// against pub.
func VerifyWitnessSignature(pub *btcec.PublicKey, sig *ecdsa.Signature, tx *wire.MsgTx, inputIndex int, witnessScript []byte, value lnwire.Satoshi, hashType txscript.SigHashType) error {
	if pub == nil {
		return fmt.Errorf("%w: verification key", ErrMissingKey)
	}
	if sig == nil {
		return fmt.Errorf("%w: no signature", ErrInvalidSignature)
	}
	digest, err := WitnessSigHash(tx, inputIndex, witnessScript, value, hashType)
	if err != nil {
		return err
	}
	if !sig.Verify(digest[:], pub) {
		return ErrInvalidSignature
	}
	return nil
}
