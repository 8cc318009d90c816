package channel

import (
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/revocation"
)

// disconnect forgets what the peer sent without committing it.
//
// BOLT #2: upon disconnection: MUST reverse any uncommitted updates sent by
// the other side (i.e. all messages beginning with update_ for which no
// commitment_signed has been received).
//
// Our own uncommitted updates are kept and sent again after
// channel_reestablish (BOLT #2 allows it: "if the commit is not
// acknowledged (or wasn't sent) the updates are re-sent").
func (s *State) disconnect() {
	s.NextHTLCID[Remote] -= countAdds(s.RemoteChanges.Proposed)
	s.RemoteChanges.Proposed = nil
	s.Link = LinkDown
	if s.Phase == Negotiating {
		// BOLT #2: negotiation restarts on reconnection.
		s.Closing.restart()
	}
}

// reconnect sends channel_reestablish on a new connection.
//
// BOLT #2: upon reconnection: MUST transmit channel_reestablish for each
// channel. MUST wait to receive the other node's channel_reestablish
// message before sending any other messages for that channel.
func (s *State) reconnect(env Env, o *outbox) error {
	s.disconnect()
	msg, err := s.reestablishMessage(env)
	if err != nil {
		return err
	}
	s.Link = LinkReestablishing
	o.send(msg)
	return nil
}

// reestablishMessage builds our channel_reestablish.
func (s *State) reestablishMessage(env Env) (*lnwire.ChannelReestablish, error) {
	point, err := env.Signer.PerCommitmentPoint(s.LocalCommit.Number)
	if err != nil {
		return nil, newError(Reject, ErrSigner, "per-commitment point %d: %v", s.LocalCommit.Number, err)
	}
	msg := &lnwire.ChannelReestablish{
		ChannelID: s.ChannelID,
		// BOLT #2: MUST set next_commitment_number to the commitment number
		// of the next commitment_signed it expects to receive.
		NextCommitmentNumber: s.LocalCommit.Number + 1,
		// BOLT #2: MUST set next_revocation_number to the commitment number
		// of the next revoke_and_ack message it expects to receive.
		NextRevocationNumber: s.RemoteCommit.Number,
		// BOLT #2: MUST set my_current_per_commitment_point to a valid
		// point.
		MyCurrentPerCommitmentPoint: NewPoint(point),
	}
	// BOLT #2: if next_revocation_number equals 0: MUST set
	// your_last_per_commitment_secret to all zeroes; otherwise: MUST set
	// your_last_per_commitment_secret to the last per_commitment_secret it
	// received.
	if s.RemoteCommit.Number > 0 {
		index, err := revocation.IndexOf(s.RemoteCommit.Number - 1)
		if err != nil {
			return nil, newError(Fail, ErrInternal, "%v", err)
		}
		secret, err := s.RemoteSecrets.Lookup(index)
		if err != nil {
			return nil, newError(Fail, ErrInternal, "last received secret: %v", err)
		}
		msg.YourLastPerCommitmentSecret = secret
	}
	return msg, nil
}

// receiveReestablish checks the peer's channel_reestablish and retransmits
// what it missed.
func (s *State) receiveReestablish(env Env, m *lnwire.ChannelReestablish, o *outbox) error {
	if s.Link != LinkReestablishing {
		return warnf(ErrUnexpectedMessage, "channel_reestablish on link %s", s.Link)
	}
	// BOLT #2: if next_commitment_number is zero: MUST immediately fail the
	// channel and broadcast any relevant latest commitment transaction.
	if m.NextCommitmentNumber == 0 {
		return failf(ErrZeroNextCommitment, "")
	}
	if err := s.checkPeerState(env, m); err != nil {
		return err
	}
	var resend []lnwire.Message

	// BOLT #2: if next_commitment_number is 1 in both the
	// channel_reestablish it sent and received [...]: MUST retransmit
	// channel_ready. Otherwise: MUST NOT retransmit channel_ready.
	if m.NextCommitmentNumber == 1 && s.LocalCommit.Number == 0 && s.ReadySent {
		ready, err := s.channelReady(env)
		if err != nil {
			return err
		}
		resend = append(resend, ready)
	}

	// BOLT #2: if next_revocation_number is equal to the commitment number
	// of the last revoke_and_ack the receiving node sent [...]: MUST
	// re-send the revoke_and_ack.
	var revoke lnwire.Message
	if s.LocalCommit.Number > 0 && m.NextRevocationNumber == s.LocalCommit.Number-1 {
		r, err := s.revocationOf(env, s.LocalCommit.Number-1)
		if err != nil {
			return err
		}
		revoke = r
	}

	// BOLT #2: if next_commitment_number is equal to the commitment number
	// of the last commitment_signed message the receiving node has sent:
	// MUST reuse the same commitment number for its next
	// commitment_signed. We resend it unchanged, after the updates it
	// signed.
	var commit []lnwire.Message
	if s.RemotePending != nil && m.NextCommitmentNumber == s.RemotePending.Number {
		for _, u := range s.LocalChanges.Signed {
			commit = append(commit, u.Msg)
		}
		commit = append(commit, s.pendingCommitmentSigned())
	}

	// BOLT #2: if it has previously sent a commitment_signed that needs to
	// be retransmitted: MUST retransmit revoke_and_ack and
	// commitment_signed in the same relative order as initially
	// transmitted.
	if revoke != nil && commit != nil && s.RemotePending.SentAfterLocal < s.LocalCommit.Number {
		resend = append(resend, commit...)
		resend = append(resend, revoke)
	} else {
		if revoke != nil {
			resend = append(resend, revoke)
		}
		resend = append(resend, commit...)
	}

	// BOLT #2: upon reconnection: if it has sent a previous shutdown: MUST
	// retransmit shutdown.
	if s.Shutdown.LocalSent {
		resend = append(resend, &lnwire.Shutdown{ChannelID: s.ChannelID, ScriptPubKey: s.Shutdown.LocalScript})
	}
	// Our updates that no commitment_signed covered, sent again; an
	// update_fee proposed while HTLCs remained may no longer be sent.
	if s.updatesForbidden() && s.dropFeeUpdates() {
		o.save()
	}
	for _, u := range s.LocalChanges.Proposed {
		resend = append(resend, u.Msg)
	}
	s.Link = LinkUp
	o.sendAll(resend...)
	switch {
	case s.Phase == Negotiating && s.Opener == Local:
		return s.proposeClosing(env, o)
	case s.Phase == Closed:
		// BOLT #2: closing_signed also has no acknowledgment so must be
		// retransmitted upon reconnection.
		o.send(s.finalClosingSigned())
	}
	return nil
}

// checkPeerState compares the peer's numbers with ours: it detects that we
// lost state, that the peer did, or that the peer lies.
func (s *State) checkPeerState(env Env, m *lnwire.ChannelReestablish) error {
	local := s.LocalCommit.Number
	// The commitment_signed the peer may have received from us: the
	// pending one or not.
	expectLow, expectHigh := s.RemoteCommit.Number+1, s.RemoteCommit.Number+1
	if s.RemotePending != nil {
		expectLow, expectHigh = s.RemotePending.Number, s.RemotePending.Number+1
	}

	// BOLT #2: A receiving node: if next_revocation_number is greater than
	// expected above, AND your_last_per_commitment_secret is correct for
	// that next_revocation_number minus 1: MUST NOT broadcast its
	// commitment transaction. SHOULD send an error to request the peer to
	// fail the channel.
	if m.NextRevocationNumber > local {
		secret, err := env.Signer.PerCommitmentSecret(m.NextRevocationNumber - 1)
		if err == nil && secret == m.YourLastPerCommitmentSecret {
			return newError(FailWithoutBroadcast, ErrDataLoss,
				"peer expects revocation %d, our commitment is %d", m.NextRevocationNumber, local)
		}
		return failf(ErrBadLastSecret, "peer expects revocation %d, our commitment is %d, unproven", m.NextRevocationNumber, local)
	}
	// The peer holds a commitment we do not remember signing: we lost
	// state, and ours may be revoked, so we must not broadcast it.
	if m.NextCommitmentNumber > expectHigh {
		return newError(FailWithoutBroadcast, ErrDataLoss,
			"peer expects commitment_signed %d, we signed up to %d", m.NextCommitmentNumber, expectHigh-1)
	}
	// BOLT #2: otherwise: if next_commitment_number is not equal to the
	// commitment number of the next commitment_signed that the receiving
	// node would send: SHOULD send an error and fail the channel.
	if m.NextCommitmentNumber < expectLow {
		return failf(ErrBadReestablish, "next_commitment_number %d, expected %d", m.NextCommitmentNumber, expectLow)
	}
	// BOLT #2: if next_revocation_number is not equal to 1 greater than the
	// commitment number of the last revoke_and_ack the receiving node has
	// sent: SHOULD send an error and fail the channel. If it has not sent
	// revoke_and_ack, AND next_revocation_number is not equal to 0: SHOULD
	// send an error and fail the channel.
	if m.NextRevocationNumber+1 < local {
		return failf(ErrBadReestablish, "next_revocation_number %d, our commitment is %d", m.NextRevocationNumber, local)
	}
	// BOLT #2: otherwise: if your_last_per_commitment_secret does not match
	// the expected values: SHOULD send an error and fail the channel.
	if m.NextRevocationNumber > 0 {
		secret, err := env.Signer.PerCommitmentSecret(m.NextRevocationNumber - 1)
		if err != nil {
			return newError(Reject, ErrSigner, "per-commitment secret %d: %v", m.NextRevocationNumber-1, err)
		}
		if secret != m.YourLastPerCommitmentSecret {
			return failf(ErrBadLastSecret, "for commitment %d", m.NextRevocationNumber-1)
		}
	}
	// BOLT #2: A receiving node MUST ignore my_current_per_commitment_point,
	// but MAY require it to be a valid point.
	return nil
}
