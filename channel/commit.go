package channel

import (
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

// sendCommitment signs every pending update into the peer's next
// commitment (the SignCommitment command).
func (s *State) sendCommitment(env Env, o *outbox) error {
	if err := s.requireOperating(); err != nil {
		return err
	}
	if s.Link != LinkUp {
		return rejectf(ErrNotConnected, "link %s", s.Link)
	}
	// One commitment_signed at a time: the next one waits for the
	// revoke_and_ack of this one, which carries the next per-commitment
	// point.
	if s.RemotePending != nil {
		return rejectf(ErrAwaitingRevocation, "commitment %d", s.RemotePending.Number)
	}
	// BOLT #2: A sending node MUST NOT send a commitment_signed message
	// that does not include any updates.
	if !s.HasUnsignedChanges() {
		return rejectf(ErrNothingToSign, "")
	}
	v := s.RemoteCommit.Spec.view()
	if err := v.apply(s.LocalChanges.Proposed, s.RemoteChanges.Acked); err != nil {
		return err
	}
	spec, err := v.spec()
	if err != nil {
		return err
	}
	number := s.RemoteCommit.Number + 1
	sig, htlcSigs, err := s.signRemote(env, number, s.RemoteNextPoint, &spec)
	if err != nil {
		return err
	}
	s.RemotePending = &PendingCommitment{
		Number:         number,
		Spec:           spec,
		Signature:      sig,
		HTLCSignatures: htlcSigs,
		SentAfterLocal: s.LocalCommit.Number,
	}
	s.LocalChanges.Signed = s.LocalChanges.Proposed
	s.LocalChanges.Proposed = nil
	s.RemoteChanges.Signed = s.RemoteChanges.Acked
	s.RemoteChanges.Acked = nil
	o.save()
	o.send(s.pendingCommitmentSigned())
	return nil
}

// pendingCommitmentSigned is the commitment_signed of the pending remote
// commitment, as sent and as retransmitted.
//
// BOLT #2: MUST set funding_txid to the funding transaction spent by this
// commitment transaction.
func (s *State) pendingCommitmentSigned() *lnwire.CommitmentSigned {
	txid := s.FundingTxID
	msg := &lnwire.CommitmentSigned{
		ChannelID:     s.ChannelID,
		Signature:     s.RemotePending.Signature,
		HTLCSignature: append([]lnwire.Signature(nil), s.RemotePending.HTLCSignatures...),
	}
	msg.TLVs.FundingTxID = &txid
	return msg
}

// receiveCommitment takes the peer's commitment_signed: it checks the
// signatures on our next commitment, moves to it and revokes the previous
// one.
func (s *State) receiveCommitment(env Env, msg *lnwire.CommitmentSigned, o *outbox) error {
	if err := s.requireUpdatesFromPeer(msg.MsgType()); err != nil {
		return err
	}
	// BOLT #2 lets the sender send nothing without updates, but lnd has
	// sent such commitments; like Core Lightning we accept them: the new
	// commitment differs only by its number.
	v := s.LocalCommit.Spec.view()
	if err := v.apply(s.LocalChanges.Acked, s.RemoteChanges.Proposed); err != nil {
		return err
	}
	spec, err := v.spec()
	if err != nil {
		return err
	}
	number := s.LocalCommit.Number + 1
	if err := s.verifyLocal(env, number, &spec, msg.Signature, msg.HTLCSignature); err != nil {
		return err
	}
	revoke, err := s.revocationOf(env, s.LocalCommit.Number)
	if err != nil {
		return err
	}
	s.LocalCommit = LocalCommitment{
		Number:         number,
		Spec:           spec,
		Signature:      msg.Signature,
		HTLCSignatures: append([]lnwire.Signature(nil), msg.HTLCSignature...),
	}
	s.LocalChanges.Acked = nil
	s.RemoteChanges.Acked = append(s.RemoteChanges.Acked, s.RemoteChanges.Proposed...)
	s.RemoteChanges.Proposed = nil
	// BOLT #2: Otherwise: MUST respond with a revoke_and_ack message.
	o.save()
	o.send(revoke)
	return nil
}

// revocationOf builds the revoke_and_ack that revokes our commitment
// `number` and announces the point of commitment number+2.
//
// BOLT #2: A sending node MUST set per_commitment_secret to the secret used
// to generate keys for the previous commitment transaction. MUST set
// next_per_commitment_point to the values for its next commitment
// transaction.
func (s *State) revocationOf(env Env, number uint64) (*lnwire.RevokeAndAck, error) {
	secret, err := env.Signer.PerCommitmentSecret(number)
	if err != nil {
		return nil, newError(Reject, ErrSigner, "per-commitment secret %d: %v", number, err)
	}
	next, err := env.Signer.PerCommitmentPoint(number + 2)
	if err != nil {
		return nil, newError(Reject, ErrSigner, "per-commitment point %d: %v", number+2, err)
	}
	return &lnwire.RevokeAndAck{
		ChannelID:              s.ChannelID,
		PerCommitmentSecret:    secret,
		NextPerCommitmentPoint: NewPoint(next),
	}, nil
}

// receiveRevocation takes the peer's revoke_and_ack of its previous
// commitment: our signed updates become acknowledged, and the peer's updates
// in that commitment are irrevocably committed.
func (s *State) receiveRevocation(env Env, msg *lnwire.RevokeAndAck, o *outbox) error {
	if err := s.requireUpdatesFromPeer(msg.MsgType()); err != nil {
		return err
	}
	if s.RemotePending == nil {
		return failf(ErrUnexpectedRevocation, "no commitment_signed outstanding")
	}
	// BOLT #2: if per_commitment_secret is not a valid secret key or does
	// not generate the previous per_commitment_point: MUST send an error and
	// fail the channel.
	point, err := channeltx.PerCommitmentPoint(msg.PerCommitmentSecret)
	if err != nil {
		return failf(ErrBadRevocationSecret, "commitment %d: %v", s.RemoteCommit.Number, err)
	}
	if NewPoint(point) != s.RemoteCommit.Point {
		return failf(ErrBadRevocationSecret, "commitment %d", s.RemoteCommit.Number)
	}
	if _, err := Point(msg.NextPerCommitmentPoint).PubKey(); err != nil {
		return failf(ErrBadPoint, "next_per_commitment_point: %v", err)
	}
	// BOLT #2: if the per_commitment_secret was not generated by the
	// protocol in BOLT #3: MAY send a warning and close the connection, or
	// send an error and fail the channel.
	index, err := revocation.IndexOf(s.RemoteCommit.Number)
	if err != nil {
		return failf(ErrBadRevocationSecret, "%v", err)
	}
	if err := s.RemoteSecrets.Insert(index, msg.PerCommitmentSecret); err != nil {
		return failf(ErrBadRevocationSecret, "commitment %d: %v", s.RemoteCommit.Number, err)
	}
	pending := s.RemotePending
	s.RemoteCommit = RemoteCommitment{Number: pending.Number, Spec: pending.Spec, Point: s.RemoteNextPoint}
	s.RemoteNextPoint = Point(msg.NextPerCommitmentPoint)
	s.RemotePending = nil
	s.LocalChanges.Acked = append(s.LocalChanges.Acked, s.LocalChanges.Signed...)
	s.LocalChanges.Signed = nil
	committed := s.RemoteChanges.Signed
	s.RemoteChanges.Signed = nil
	o.save()
	// The peer's updates in the commitment it just revoked the predecessor
	// of are now in both commitments, and both predecessors are revoked.
	for _, u := range committed {
		switch m := u.Msg.(type) {
		case *lnwire.UpdateAddHTLC:
			h := htlcFromAdd(Remote, m)
			o.notify(HTLCAccepted{HTLC: h, DustExposureExceeded: s.dustExposureExceeded(env, &h)})
		case *lnwire.UpdateFailHTLC:
			o.notify(HTLCFailed{ID: m.ID, Reason: m.Reason})
		case *lnwire.UpdateFailMalformedHTLC:
			o.notify(HTLCFailed{ID: m.ID, Malformed: m})
		}
	}
	return nil
}
