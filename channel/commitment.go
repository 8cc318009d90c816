package channel

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// funding describes the funding output for channeltx.
func (s *State) funding() (channeltx.Funding, error) {
	localKey, err := s.Local.FundingKey.PubKey()
	if err != nil {
		return channeltx.Funding{}, err
	}
	remoteKey, err := s.Remote.FundingKey.PubKey()
	if err != nil {
		return channeltx.Funding{}, err
	}
	return channeltx.Funding{
		Outpoint:  wire.OutPoint{Hash: chainhash.Hash(s.FundingTxID), Index: uint32(s.FundingOutputIndex)},
		Amount:    s.Capacity,
		LocalKey:  localKey,
		RemoteKey: remoteKey,
	}, nil
}

// obscuringFactor is derived from the opener's and the accepter's payment
// basepoints (BOLT #3 "Commitment Transaction").
func (s *State) obscuringFactor() (uint64, error) {
	opener, err := s.params(s.Opener).PaymentBasepoint.PubKey()
	if err != nil {
		return 0, err
	}
	accepter, err := s.params(s.Opener.Other()).PaymentBasepoint.PubKey()
	if err != nil {
		return 0, err
	}
	return channeltx.ObscuringFactor(opener, accepter), nil
}

// buildCommitment builds the owner's commitment transaction number `number`
// with the owner's per-commitment point and the given content.
func (s *State) buildCommitment(owner Party, number uint64, point *btcec.PublicKey, spec *Spec) (*channeltx.Commitment, error) {
	funding, err := s.funding()
	if err != nil {
		return nil, err
	}
	obscuring, err := s.obscuringFactor()
	if err != nil {
		return nil, err
	}
	broadcaster, err := s.params(owner).basepoints()
	if err != nil {
		return nil, err
	}
	countersignatory, err := s.params(owner.Other()).basepoints()
	if err != nil {
		return nil, err
	}
	keys, err := channeltx.DeriveCommitmentKeys(point, broadcaster, countersignatory)
	if err != nil {
		return nil, newError(Fail, ErrInternal, "commitment keys: %v", err)
	}
	htlcs := make([]channeltx.HTLC, len(spec.HTLCs))
	for i, h := range spec.HTLCs {
		htlcs[i] = channeltx.HTLC{Offerer: h.Offerer, Amount: h.Amount, PaymentHash: h.PaymentHash, CLTVExpiry: h.CLTVExpiry}
	}
	c, err := channeltx.BuildCommitment(&channeltx.CommitmentSpec{
		Type:             s.Type,
		Funding:          funding,
		Owner:            owner,
		Opener:           s.Opener,
		CommitmentNumber: number,
		ObscuringFactor:  obscuring,
		Feerate:          spec.Feerate,
		DustLimit:        s.params(owner).DustLimit,
		// The delay on the owner's outputs is the one the other party
		// asked for.
		ToSelfDelay:   s.params(owner.Other()).ToSelfDelay,
		Keys:          keys,
		LocalBalance:  spec.Balance[Local],
		RemoteBalance: spec.Balance[Remote],
		HTLCs:         htlcs,
	})
	if err != nil {
		return nil, newError(Fail, ErrInternal, "building the %s commitment %d: %v", owner, number, err)
	}
	return c, nil
}

// signRemote builds the peer's commitment `number` and signs it.
func (s *State) signRemote(env Env, number uint64, point Point, spec *Spec) (lnwire.Signature, []lnwire.Signature, error) {
	pub, err := point.PubKey()
	if err != nil {
		return lnwire.Signature{}, nil, newError(Fail, ErrInternal, "stored remote point: %v", err)
	}
	c, err := s.buildCommitment(Remote, number, pub, spec)
	if err != nil {
		return lnwire.Signature{}, nil, err
	}
	sig, htlcSigs, err := env.Signer.SignRemoteCommitment(c, pub)
	if err != nil {
		return lnwire.Signature{}, nil, newError(Reject, ErrSigner, "%v", err)
	}
	return sig, htlcSigs, nil
}

// verifyLocal builds our commitment `number` and checks the peer's
// signatures on it.
func (s *State) verifyLocal(env Env, number uint64, spec *Spec, sig lnwire.Signature, htlcSigs []lnwire.Signature) error {
	point, err := env.Signer.PerCommitmentPoint(number)
	if err != nil {
		return newError(Reject, ErrSigner, "per-commitment point %d: %v", number, err)
	}
	c, err := s.buildCommitment(Local, number, point, spec)
	if err != nil {
		return err
	}
	// BOLT #2: if signature is not valid for its local commitment
	// transaction OR non-compliant with LOW-S-standard rule: MUST send a
	// warning and close the connection, or send an error and fail the
	// channel.
	parsed, err := parseLowS(sig)
	if err != nil {
		return failf(ErrBadCommitmentSignature, "commitment %d: %v", number, err)
	}
	if err := c.Verify(Remote, parsed); err != nil {
		return failf(ErrBadCommitmentSignature, "commitment %d: %v", number, err)
	}
	htlcTxs := c.HTLCTransactions()
	// BOLT #2: if num_htlcs is not equal to the number of HTLC outputs in
	// the local commitment transaction: MUST send a warning and close the
	// connection, or send an error and fail the channel.
	if len(htlcSigs) != len(htlcTxs) {
		return failf(ErrHTLCSignatureCount, "got %d, commitment %d has %d HTLC outputs", len(htlcSigs), number, len(htlcTxs))
	}
	// BOLT #2: if any htlc_signature is not valid for the corresponding
	// HTLC transaction OR non-compliant with LOW-S-standard rule: MUST send
	// a warning and close the connection, or send an error and fail the
	// channel.
	for i, tx := range htlcTxs {
		parsed, err := parseLowS(htlcSigs[i])
		if err != nil {
			return failf(ErrBadHTLCSignature, "htlc_signature %d: %v", i, err)
		}
		if err := tx.Verify(Remote, parsed); err != nil {
			return failf(ErrBadHTLCSignature, "htlc_signature %d: %v", i, err)
		}
	}
	return nil
}

// parseLowS converts a wire signature, refusing a high S (BIP 62 LOW-S).
func parseLowS(sig lnwire.Signature) (*ecdsa.Signature, error) {
	parsed, err := sig.ToECDSA()
	if err != nil {
		return nil, err
	}
	var sValue btcec.ModNScalar
	sValue.SetByteSlice(sig[32:])
	if sValue.IsOverHalfOrder() {
		return nil, fmt.Errorf("%w: S is not low", lnwire.ErrBadSignature)
	}
	return parsed, nil
}

// BroadcastSigner is the signer capability used only to force-close: it
// signs our own commitment transaction, which BOLT #2 says not to sign
// before we are about to broadcast it.
type BroadcastSigner interface {
	PerCommitmentPoint(commitmentNumber uint64) (*btcec.PublicKey, error)
	SignLocalCommitment(c *channeltx.FundingSpend) (lnwire.Signature, error)
}

// LocalCommitmentTx returns our latest commitment transaction with both
// signatures, ready to broadcast when the channel fails (BOLT #5). The HTLC
// transactions are left to on-chain resolution.
//
// BOLT #2: A node SHOULD NOT sign commitment transactions, unless it's about
// to broadcast them (due to a failed connection).
func LocalCommitmentTx(s *State, signer BroadcastSigner) (*wire.MsgTx, error) {
	point, err := signer.PerCommitmentPoint(s.LocalCommit.Number)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSigner, err)
	}
	c, err := s.buildCommitment(Local, s.LocalCommit.Number, point, &s.LocalCommit.Spec)
	if err != nil {
		return nil, err
	}
	ours, err := signer.SignLocalCommitment(&c.FundingSpend)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSigner, err)
	}
	localSig, err := ours.ToECDSA()
	if err != nil {
		return nil, fmt.Errorf("%w: our signature: %v", ErrSigner, err)
	}
	remoteSig, err := s.LocalCommit.Signature.ToECDSA()
	if err != nil {
		return nil, fmt.Errorf("%w: stored remote signature: %v", ErrInternal, err)
	}
	c.AddWitness(localSig, remoteSig)
	return c.Tx, nil
}
