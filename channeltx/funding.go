package channeltx

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Funding is a channel's funding output: where it is, its value and the two
// funding_pubkeys.
type Funding struct {
	Outpoint  wire.OutPoint
	Amount    lnwire.Satoshi
	LocalKey  *btcec.PublicKey
	RemoteKey *btcec.PublicKey
}

// Key returns the party's funding_pubkey.
func (f *Funding) Key(p Party) *btcec.PublicKey {
	if p == Local {
		return f.LocalKey
	}
	return f.RemoteKey
}

// WitnessScript returns the 2-of-2 funding witness script.
func (f *Funding) WitnessScript() ([]byte, error) {
	return FundingScript(f.LocalKey, f.RemoteKey)
}

// FundingOutput returns the funding transaction's output for the two
// funding keys and its witness script.
//
// BOLT #3: The funding output script is a P2WSH to: 2 <pubkey1> <pubkey2> 2
// OP_CHECKMULTISIG
func FundingOutput(localKey, remoteKey *btcec.PublicKey, amount lnwire.Satoshi) (*wire.TxOut, []byte, error) {
	script, err := FundingScript(localKey, remoteKey)
	if err != nil {
		return nil, nil, err
	}
	return wire.NewTxOut(int64(amount), WitnessScriptHash(script)), script, nil
}

// FundingSpend is a transaction whose only input spends the funding output:
// a commitment or a closing transaction. Both parties sign it with their
// funding keys, SIGHASH_ALL.
type FundingSpend struct {
	Tx            *wire.MsgTx
	Funding       Funding
	FundingScript []byte
}

func newFundingSpend(f *Funding) (FundingSpend, error) {
	script, err := f.WitnessScript()
	if err != nil {
		return FundingSpend{}, err
	}
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: f.Outpoint})
	return FundingSpend{Tx: tx, Funding: *f, FundingScript: script}, nil
}

// SigHash returns the BIP 143 SIGHASH_ALL hash both funding keys sign.
func (s *FundingSpend) SigHash() ([32]byte, error) {
	return WitnessSigHash(s.Tx, 0, s.FundingScript, s.Funding.Amount, txscript.SigHashAll)
}

// Sign signs the transaction with a funding private key.
func (s *FundingSpend) Sign(fundingKey *btcec.PrivateKey) (*ecdsa.Signature, error) {
	return SignWitness(fundingKey, s.Tx, 0, s.FundingScript, s.Funding.Amount, txscript.SigHashAll)
}

// Verify checks the party's signature against its funding key.
func (s *FundingSpend) Verify(signer Party, sig *ecdsa.Signature) error {
	if err := signer.validate(); err != nil {
		return err
	}
	return VerifyWitnessSignature(s.Funding.Key(signer), sig, s.Tx, 0, s.FundingScript, s.Funding.Amount, txscript.SigHashAll)
}

// AddWitness completes the transaction with both parties' signatures,
// which must not be nil.
//
// BOLT #3: txin[0] witness: 0 <signature_for_pubkey1> <signature_for_pubkey2>
func (s *FundingSpend) AddWitness(localSig, remoteSig *ecdsa.Signature) {
	s.Tx.TxIn[0].Witness = FundingWitness(s.Funding.LocalKey, s.Funding.RemoteKey, localSig, remoteSig, s.FundingScript)
}

// ObscuringFactor returns the value the commitment number is XORed with.
//
// BOLT #3: The 48-bit commitment number is obscured by XOR with the lower 48
// bits of: SHA256(payment_basepoint from open_channel || payment_basepoint
// from accept_channel)
func ObscuringFactor(openerPaymentBasepoint, accepterPaymentBasepoint *btcec.PublicKey) uint64 {
	h := sha256.New()
	h.Write(openerPaymentBasepoint.SerializeCompressed())
	h.Write(accepterPaymentBasepoint.SerializeCompressed())
	digest := h.Sum(nil)
	return binary.BigEndian.Uint64(digest[24:]) & maxCommitmentNumber
}

// maxCommitmentNumber is the largest 48-bit commitment number.
const maxCommitmentNumber uint64 = 1<<48 - 1

// commitmentLockTimeAndSequence encodes the obscured commitment number.
//
// BOLT #3: locktime: upper 8 bits are 0x20, lower 24 bits are the lower 24
// bits of the obscured commitment number; txin[0] sequence: upper 8 bits
// are 0x80, lower 24 bits are upper 24 bits of the obscured commitment
// number.
func commitmentLockTimeAndSequence(commitmentNumber, obscuringFactor uint64) (lockTime, sequence uint32) {
	obscured := (commitmentNumber ^ obscuringFactor) & maxCommitmentNumber
	return 0x20<<24 | uint32(obscured&0xFFFFFF), 0x80<<24 | uint32(obscured>>24)
}

// CommitmentNumberOf recovers the commitment number from a commitment
// transaction's locktime and sequence, e.g. to recognise a revoked one on
// chain. It fails if the transaction does not carry the 0x20/0x80 markers.
func CommitmentNumberOf(tx *wire.MsgTx, obscuringFactor uint64) (uint64, error) {
	if len(tx.TxIn) != 1 || tx.LockTime>>24 != 0x20 || tx.TxIn[0].Sequence>>24 != 0x80 {
		return 0, ErrNotCommitment
	}
	obscured := uint64(tx.TxIn[0].Sequence&0xFFFFFF)<<24 | uint64(tx.LockTime&0xFFFFFF)
	return (obscured ^ obscuringFactor) & maxCommitmentNumber, nil
}
