package channeltx

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// HTLCTx is an unsigned HTLC-timeout (for an offered HTLC) or HTLC-success
// (for a received HTLC) transaction spending an HTLC output of a commitment
// transaction.
type HTLCTx struct {
	Tx *wire.MsgTx
	// Direction is Offered for HTLC-timeout, Received for HTLC-success.
	Direction HTLCDirection
	// HTLCIndex is the HTLC's index in CommitmentSpec.HTLCs.
	HTLCIndex int
	// InputValue and InputScript describe the commitment output spent.
	InputValue  lnwire.Satoshi
	InputScript []byte
	// OutputScript is the witness script of the single output.
	OutputScript []byte

	channelType          ChannelType
	owner                Party
	broadcasterHTLCKey   *btcec.PublicKey
	countersignatoryHTLC *btcec.PublicKey
}

// HTLCTransactions builds the HTLC transactions of the commitment, one per
// HTLC output, in output order (the order of htlc_signatures).
func (c *Commitment) HTLCTransactions() []*HTLCTx {
	spec := &c.spec
	txid := c.Tx.TxHash()
	var out []*HTLCTx
	for i, o := range c.Outputs {
		if o.Kind != OfferedHTLC && o.Kind != ReceivedHTLC {
			continue
		}
		h := &spec.HTLCs[o.HTLCIndex]
		tx := wire.NewMsgTx(2)
		// BOLT #3: txin[0] sequence: 0 (set to 1 for option_anchors)
		var sequence uint32
		if spec.Type.HasAnchors() {
			sequence = 1
		}
		tx.AddTxIn(&wire.TxIn{
			PreviousOutPoint: wire.OutPoint{Hash: txid, Index: uint32(i)},
			Sequence:         sequence,
		})
		dir := Received
		fee := HTLCSuccessFee(spec.Type, spec.Feerate)
		if o.Kind == OfferedHTLC {
			dir = Offered
			fee = HTLCTimeoutFee(spec.Type, spec.Feerate)
			// BOLT #3: locktime: 0 for HTLC-success, cltv_expiry for
			// HTLC-timeout
			tx.LockTime = uint32(h.CLTVExpiry)
		}
		// BOLT #3: txout[0] amount: the HTLC amount_msat divided by 1000
		// (rounding down) minus fees in satoshis; txout[0] script: version-0
		// P2WSH with witness script [the to_local script].
		script := ToLocalScript(spec.Keys.Revocation, spec.Keys.BroadcasterDelayed, spec.ToSelfDelay)
		tx.AddTxOut(wire.NewTxOut(int64(h.Amount.ToSatoshis()-fee), WitnessScriptHash(script)))
		out = append(out, &HTLCTx{
			Tx:                   tx,
			Direction:            dir,
			HTLCIndex:            o.HTLCIndex,
			InputValue:           o.Value,
			InputScript:          o.WitnessScript,
			OutputScript:         script,
			channelType:          spec.Type,
			owner:                spec.Owner,
			broadcasterHTLCKey:   spec.Keys.BroadcasterHTLC,
			countersignatoryHTLC: spec.Keys.CountersignatoryHTLC,
		})
	}
	return out
}

// HashType returns the sighash type the party signs with: SIGHASH_ALL for
// the owner of the commitment, and for the other party
// SIGHASH_SINGLE|SIGHASH_ANYONECANPAY with option_anchors.
func (h *HTLCTx) HashType(signer Party) txscript.SigHashType {
	if signer == h.owner {
		return txscript.SigHashAll
	}
	return countersignatoryHashType(h.channelType)
}

// SigHash returns the BIP 143 hash the party signs.
func (h *HTLCTx) SigHash(signer Party) ([32]byte, error) {
	if err := signer.validate(); err != nil {
		return [32]byte{}, err
	}
	return WitnessSigHash(h.Tx, 0, h.InputScript, h.InputValue, h.HashType(signer))
}

// Sign signs as the given party with its HTLC private key for this
// commitment (DerivePrivKey of its htlc_basepoint secret).
func (h *HTLCTx) Sign(signer Party, htlcKey *btcec.PrivateKey) (*ecdsa.Signature, error) {
	digest, err := h.SigHash(signer)
	if err != nil {
		return nil, err
	}
	return ecdsa.Sign(htlcKey, digest[:]), nil
}

// Verify checks the party's signature against its HTLC key for this
// commitment.
func (h *HTLCTx) Verify(signer Party, sig *ecdsa.Signature) error {
	if err := signer.validate(); err != nil {
		return err
	}
	key := h.broadcasterHTLCKey
	if signer != h.owner {
		key = h.countersignatoryHTLC
	}
	return VerifyWitnessSignature(key, sig, h.Tx, 0, h.InputScript, h.InputValue, h.HashType(signer))
}

// AddWitness completes the transaction with the broadcaster's and the
// countersignatory's signatures; preimage is used by HTLC-success only.
func (h *HTLCTx) AddWitness(broadcasterSig, countersignatorySig *ecdsa.Signature, preimage [32]byte) error {
	if broadcasterSig == nil || countersignatorySig == nil {
		return fmt.Errorf("%w: missing HTLC signature", ErrInvalidSignature)
	}
	if h.Direction == Offered {
		h.Tx.TxIn[0].Witness = HTLCTimeoutWitness(h.channelType, countersignatorySig, broadcasterSig, h.InputScript)
	} else {
		h.Tx.TxIn[0].Witness = HTLCSuccessWitness(h.channelType, countersignatorySig, broadcasterSig, preimage, h.InputScript)
	}
	return nil
}
